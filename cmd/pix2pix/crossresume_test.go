package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// refHarness runs scripts/reference/pix2pix_ref.py in the reference venv.
func refHarness(t *testing.T, args ...string) string {
	t.Helper()
	return runRefScript(t, filepath.Join("reference", "pix2pix_ref.py"), args...)
}

// refBench runs scripts/bench/ref_bench.py (the reference's FLOP count
// and matmul rate) in the reference venv.
func refBench(t *testing.T, args ...string) string {
	t.Helper()
	return runRefScript(t, filepath.Join("bench", "ref_bench.py"), args...)
}

// runRefScript runs scripts/<script> in the reference venv.
func runRefScript(t *testing.T, script string, args ...string) string {
	t.Helper()
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run with `make test`, which installs the Python reference")
	}
	_, file, _, _ := runtime.Caller(0)
	script = filepath.Join(filepath.Dir(file), "..", "..", "scripts", script)
	cmd := exec.Command(py, append([]string{script}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reference %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkContinued checks that the checkpoint at prefix is step gs of a run
// whose every step advanced Adam's beta powers and global_step.
func checkContinued(t *testing.T, prefix string, gs int64) {
	t.Helper()
	v, err := checkpoint.ReadTensors(prefix, "global_step", "discriminator_train/beta1_power", "generator_train/beta2_power")
	if err != nil {
		t.Fatal(err)
	}
	if got := session.Value(v["global_step"]).(int64); got != gs {
		t.Errorf("%s: global_step %d, want %d", prefix, got, gs)
	}
	b1 := float64(session.Value(v["discriminator_train/beta1_power"]).(float32))
	b2 := float64(session.Value(v["generator_train/beta2_power"]).(float32))
	if want := math.Pow(0.5, float64(gs+1)); math.Abs(b1-want) > 1e-6*want {
		t.Errorf("%s: beta1_power %g, want 0.5^%d = %g", prefix, b1, gs+1, want)
	}
	if want := math.Pow(0.999, float64(gs+1)); math.Abs(b2-want) > 1e-5 {
		t.Errorf("%s: beta2_power %g, want 0.999^%d = %g", prefix, b2, gs+1, want)
	}
}

// TestCheckpointsResumeAcrossPrograms: a checkpoint written by `pix2pix
// train` resumes in the reference (the original's graph), and the
// reference's resumes in `pix2pix train`.
func TestCheckpointsResumeAcrossPrograms(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	ours := filepath.Join(t.TempDir(), "ours")
	mustRun(t, small(data, ours, "--max_steps", "4", "--save_freq", "4")...)

	// Ours -> reference: it restores every variable and trains 2 steps on.
	arrays := filepath.Join(t.TempDir(), "arrays")
	refHarness(t, "data", "--seed", "1", "--out", arrays)
	ref := filepath.Join(t.TempDir(), "ref")
	refHarness(t, "step", "--ngf", "4", "--ndf", "4", "--ckpt", filepath.Join(ours, "model-4"), "--data", arrays, "--out", ref, "--steps", "2")
	checkContinued(t, filepath.Join(ref, "model-6"), 6)

	// Reference -> ours: resume from its directory (state file and all).
	again := filepath.Join(t.TempDir(), "again")
	log := mustRun(t, small(data, again, "--max_steps", "3", "--save_freq", "3", "--checkpoint", ref)...)
	if !strings.Contains(log, "loading model from checkpoint "+filepath.Join(ref, "model-6")) {
		t.Errorf("did not load the reference's model-6:\n%s", log)
	}
	checkContinued(t, filepath.Join(again, "model-9"), 9)
	t.Logf("ours model-4 -> reference model-6 -> ours model-9: global_step and beta powers continue")
}
