package session

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// oneDNNEnv is TensorFlow's switch for its oneDNN CPU kernels. TensorFlow
// reads it once, while the library loads (before main runs), so changing
// it takes a restart of the process.
const oneDNNEnv = "TF_ENABLE_ONEDNN_OPTS"

// OneDNN modes: auto leaves the choice to TensorFlow (the fidelity default:
// the original program, run by the same TensorFlow build on the same
// machine, gets the same kernels); on and off force the switch.
const (
	OneDNNAuto = "auto"
	OneDNNOn   = "on"
	OneDNNOff  = "off"
)

// oneDNNDefaultFeatures are the CPU flags (as /proc/cpuinfo spells them)
// for which TensorFlow 2.18 on Linux turns oneDNN on by default
// (tensorflow/core/util/port.cc, DefaultOneDnnPolicy). Used to explain the
// state that OneDNNKernels measures, and by CheckPrecision, which relies on
// every bf16Features flag being one of these (tested).
var oneDNNDefaultFeatures = []string{"avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"}

// SetOneDNN makes sure this process runs in the given mode. For on and off,
// if the switch is not already set that way, it re-executes the program
// with the same arguments and the switch set (so call it before anything
// is written). oneDNN sums in a different order than TensorFlow's default
// kernels, so forcing it either way moves results by rounding.
func SetOneDNN(mode string) error {
	var want string
	switch mode {
	case "", OneDNNAuto:
		return nil
	case OneDNNOn:
		want = "1"
	case OneDNNOff:
		want = "0"
	default:
		return fmt.Errorf("--onednn %q: want auto, on or off", mode)
	}
	if cur, ok := envBool(os.Getenv(oneDNNEnv)); ok && cur == (want == "1") {
		return nil
	}
	os.Setenv(oneDNNEnv, want)
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--onednn %s: cannot find this program to restart it with %s=%s: %w (set it yourself)", mode, oneDNNEnv, want, err)
	}
	RestoreStderr()
	err = syscall.Exec(exe, os.Args, os.Environ())
	return fmt.Errorf("--onednn %s: restarting with %s=%s: %w (set it yourself)", mode, oneDNNEnv, want, err)
}

// frozenWeightsEnv tells TensorFlow's oneDNN convolutions that their
// filters never change: each then reorders its filter into oneDNN's
// layout on its first run and keeps that copy, instead of reordering it
// on every run (about a tenth of a generator batch's time in
// ONEDNN_VERBOSE's count). TensorFlow reads it once, when it builds its
// first such kernel; without oneDNN it changes nothing.
const frozenWeightsEnv = "TF_ONEDNN_ASSUME_FROZEN_WEIGHTS"

// SetFrozenWeights decides frozenWeightsEnv for this process; call it
// before TensorFlow builds a kernel, once per process. frozen says that
// the process never changes a variable after a convolution has run
// (infer, serve): the variable is then set, unless the user set it either
// way, and outputs are the same byte for byte. Otherwise it is removed,
// since a process training with it would go on using each convolution's
// first filter; a value that asked for it is returned, for a notice. It
// is a process-wide setting that child processes inherit, which is why a
// process decides it for itself, from its command, and never for another.
func SetFrozenWeights(frozen bool) (ignored string) {
	v, set := os.LookupEnv(frozenWeightsEnv)
	switch {
	case frozen && !set:
		os.Setenv(frozenWeightsEnv, "1")
	case !frozen && set:
		os.Unsetenv(frozenWeightsEnv)
		if on, ok := envBool(v); ok && on {
			return v
		}
	}
	return ""
}

// envBool reads the switch as TensorFlow does: 0/false and 1/true, in any
// case; anything else (including empty) leaves TensorFlow's default.
func envBool(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	}
	return false, false
}

// OneDNNReason explains a measured oneDNN state (on or not): the user's
// TF_ENABLE_ONEDNN_OPTS if set, else TensorFlow's default for this CPU and
// the CPU flags that default looks at.
func OneDNNReason(on bool) string {
	v, set := os.LookupEnv(oneDNNEnv)
	if b, ok := envBool(v); set && ok {
		if b == on {
			return fmt.Sprintf("%s=%s", oneDNNEnv, v)
		}
		return fmt.Sprintf("%s=%s, yet TensorFlow reports otherwise (a build without oneDNN?)", oneDNNEnv, v)
	}
	have := cpuFlags(oneDNNDefaultFeatures)
	if on {
		return fmt.Sprintf("TensorFlow's default on this CPU (it has %s); --onednn off or %s=0 turns it off", strings.Join(have, ", "), oneDNNEnv)
	}
	return fmt.Sprintf("TensorFlow's default on this CPU (none of %s); --onednn on or %s=1 turns it on",
		strings.Join(oneDNNDefaultFeatures, ", "), oneDNNEnv)
}

// cpuFlags returns those of want that /proc/cpuinfo lists for the first CPU.
func cpuFlags(want []string) []string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "flags") {
			continue
		}
		have := map[string]bool{}
		if i := strings.IndexByte(line, ':'); i >= 0 {
			for _, fl := range strings.Fields(line[i+1:]) {
				have[fl] = true
			}
		}
		var out []string
		for _, w := range want {
			if have[w] {
				out = append(out, w)
			}
		}
		return out
	}
	return nil
}
