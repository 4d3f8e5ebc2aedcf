package trained

import (
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/options"
)

// trainMomentum trains 3 steps at --bn-momentum m (moving averages
// updated), saves into a run directory and returns it with the weights.
func trainMomentum(t *testing.T, m float64, update bool) (string, *Trainer) {
	cfg := techConfig(func(c *pix2pix.Config) { c.BNMomentum, c.BNUpdateMoving = m, update })
	tr := newTrainer(t, cfg, 1)
	fd := feeds(t, tr, 1, 8)
	for i := 0; i < 3; i++ {
		run(t, tr, fd, nil, tr.Model.Train)
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "model-3")
	if err := tr.SaveTo(prefix); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.WriteState(dir, checkpoint.State{ModelCheckpointPath: prefix}); err != nil {
		t.Fatal(err)
	}
	rec := map[string]interface{}{"which_direction": "AtoB", "ngf": cfg.NGF, "ndf": cfg.NDF, "crop_size": cfg.CropSize, "bn_update_moving": update}
	if err := options.Write(dir, rec); err != nil {
		t.Fatal(err)
	}
	return dir, tr
}

// generate runs dir's generator (test-bn mode) on in.
func generate(t *testing.T, dir, mode string, in *tf.Tensor) []float32 {
	ck, err := OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ck.WithTestBN(ck.Config, mode)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dropout = false
	out, err := runInference(loadInference(t, ck, cfg, 0), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBNMomentumOnlyMovesTheAverages answers the momentum doubt: two runs
// differing only in --bn-momentum (0.1, 0.9; moving averages updated)
// train to identical weights and identical test-mode outputs, while their
// moving averages differ; --test-bn moving then gives different outputs.
// Without --bn-update-moving the averages stay 0 and 1 and --test-bn
// moving is refused.
func TestBNMomentumOnlyMovesTheAverages(t *testing.T) {
	dirA, a := trainMomentum(t, 0.1, true)
	dirB, b := trainMomentum(t, 0.9, true)
	wk := "generator/encoder_2/conv2d/kernel"
	mm := "generator/encoder_2/batch_normalization/moving_mean"
	dw := maxAbsDiff(readVar(t, a, wk), readVar(t, b, wk))
	dm := maxAbsDiff(readVar(t, a, mm), readVar(t, b, mm))
	in := feeds(t, a, 1, 9)[a.Model.Inputs]
	batchA, batchB := generate(t, dirA, pix2pix.TestBNBatch, in), generate(t, dirB, pix2pix.TestBNBatch, in)
	movA, movB := generate(t, dirA, pix2pix.TestBNMoving, in), generate(t, dirB, pix2pix.TestBNMoving, in)
	t.Logf("momentum 0.1 vs 0.9: weights max diff %g, test outputs (batch stats) max diff %g, moving_mean max diff %.4g",
		dw, maxAbsDiff(batchA, batchB), dm)
	t.Logf("--test-bn moving vs batch: max diff %.4g (momentum 0.1), %.4g (momentum 0.9); moving 0.1 vs 0.9: %.4g",
		maxAbsDiff(movA, batchA), maxAbsDiff(movB, batchB), maxAbsDiff(movA, movB))
	if dw != 0 || maxAbsDiff(batchA, batchB) != 0 {
		t.Errorf("momentum changed the weights (%g) or test outputs (%g)", dw, maxAbsDiff(batchA, batchB))
	}
	if dm == 0 || maxAbsDiff(movA, movB) == 0 || maxAbsDiff(movA, batchA) == 0 {
		t.Errorf("moving averages did not differ (%g) or --test-bn moving changed nothing", dm)
	}

	dirC, c := trainMomentum(t, 0.1, false)
	for i, x := range readVar(t, c, mm) {
		if x != 0 {
			t.Fatalf("without --bn-update-moving, %s[%d] = %g, want 0", mm, i, x)
		}
	}
	ck, err := OpenCheckpoint(dirC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ck.WithTestBN(ck.Config, pix2pix.TestBNMoving); err == nil {
		t.Errorf("--test-bn moving accepted for a run that never updated its averages")
	} else {
		t.Logf("refused: %v", err)
	}
}
