package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainIgnoresFrozenWeights: TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=1 in
// train's environment (inherited, or set by hand) would make oneDNN keep
// each convolution's first filter for the whole run; train removes it,
// says so, and writes the same checkpoint as without it.
func TestTrainIgnoresFrozenWeights(t *testing.T) {
	bin := pix2pixBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 2, 256, 256)
	train := func(env ...string) (string, string) {
		out := filepath.Join(t.TempDir(), "run")
		cmd := exec.Command(bin, small(data, out, "--max_steps", "3", "--save_freq", "3")...)
		cmd.Env = append(withoutEnv(os.Environ(), "TF_ONEDNN_ASSUME_FROZEN_WEIGHTS"), env...)
		log, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("train %v: %v\n%s", env, err, log)
		}
		return out, string(log)
	}
	plain, _ := train()
	frozen, log := train("TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=1")
	const notice = "TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=1 ignored: only infer and serve keep the weights fixed"
	if !strings.Contains(log, notice) {
		t.Errorf("train with TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=1 did not say %q:\n%s", notice, log)
	}
	worst, where := checkpointDiff(t, filepath.Join(plain, "model-3"), filepath.Join(frozen, "model-3"))
	t.Logf("3 steps with TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=1 in the environment vs without: max abs difference %g (%s)", worst, where)
	if worst != 0 {
		t.Errorf("training with the variable inherited differs by %g at %s", worst, where)
	}
}
