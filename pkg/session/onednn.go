package session

import (
	"fmt"
	"os"
	"syscall"
)

// oneDNNEnv is TensorFlow's switch for its oneDNN CPU kernels. TensorFlow
// 2.18 leaves them off on CPUs without AVX-512 (such as the README's
// benchmark machine) and reads the switch while the library loads, before
// main runs.
const oneDNNEnv = "TF_ENABLE_ONEDNN_OPTS"

// UseOneDNN makes sure this process runs with oneDNN kernels: if the
// switch was not on when the library loaded, it re-executes the program
// with the same arguments and the switch on (so call it before anything is
// written). oneDNN sums in a different order, so results move by rounding:
// an opt-in, never a default.
func UseOneDNN() error {
	if os.Getenv(oneDNNEnv) == "1" {
		return nil
	}
	os.Setenv(oneDNNEnv, "1")
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--onednn: cannot find this program to restart it with %s=1: %w (set it yourself)", oneDNNEnv, err)
	}
	err = syscall.Exec(exe, os.Args, os.Environ())
	return fmt.Errorf("--onednn: restarting with %s=1: %w (set it yourself)", oneDNNEnv, err)
}
