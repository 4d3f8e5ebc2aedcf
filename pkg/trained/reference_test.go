package trained

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"pix2pix/graphs/pix2pix"
)

// refPython is the reference virtualenv's python (make test sets
// PIX2PIX_REF_PYTHON); without it the parity tests cannot run.
func refPython(t *testing.T) string {
	t.Helper()
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run the parity tests with `make test`, which installs the Python reference")
	}
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("PIX2PIX_REF_PYTHON=%s: %v (run scripts/setup-reference.sh)", py, err)
	}
	return py
}

// refScript is scripts/reference/pix2pix_ref.py, found from this file.
func refScript(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts", "reference", "pix2pix_ref.py")
}

// refArgs are the harness's model options for cfg.
func refArgs(cfg pix2pix.Config, batch int) []string {
	a := []string{
		"--ngf", strconv.Itoa(cfg.NGF), "--ndf", strconv.Itoa(cfg.NDF),
		"--batch_size", strconv.Itoa(batch),
		"--lr", strconv.FormatFloat(cfg.LR, 'g', -1, 64),
		"--beta1", strconv.FormatFloat(cfg.Beta1, 'g', -1, 64),
		"--l1_weight", strconv.FormatFloat(cfg.L1Weight, 'g', -1, 64),
		"--gan_weight", strconv.FormatFloat(cfg.GANWeight, 'g', -1, 64),
	}
	if cfg.SeparableConv {
		a = append(a, "--separable_conv")
	}
	if cfg.InChannels == 1 {
		a = append(a, "--lab_colorization")
	}
	if !cfg.Dropout {
		a = append(a, "--no_dropout")
	}
	return a
}

// runRef runs the harness subcommand with args and returns its stdout.
func runRef(t *testing.T, sub string, cfg pix2pix.Config, batch int, args ...string) []byte {
	t.Helper()
	py := refPython(t)
	cmd := exec.Command(py, append(append([]string{refScript(t), sub}, refArgs(cfg, batch)...), args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("reference %s: %v\n%s", sub, err, errb.String())
	}
	return out.Bytes()
}
