package trained

import (
	"math/rand"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// TestBatchnormEachEqualsChannelLayout: with the largest batch known
// (MaxBatch 4), per-image batch norm runs one batch norm per image; its
// outputs equal those of the batch-as-channels layout (MaxBatch 0), for a
// full batch and for smaller ones (whose spare slots are empty), up to
// float rounding: oneDNN's batch norm sums each channel in the same order
// either way (0 difference measured), TensorFlow's own kernel in an order
// that depends on the layout (at most 1.2e-7 measured). A batch over the
// limit is an error, not a wrong answer.
func TestBatchnormEachEqualsChannelLayout(t *testing.T) {
	ck, cfg := trainedRun(t)
	layout, each := loadInference(t, ck, cfg, 0), loadInference(t, ck, cfg, 4)
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{4, 3, 1} {
		in := sizedImages(t, rng, n, int(cfg.Size()), 3)
		want, err := runInference(layout, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := runInference(each, in)
		if err != nil {
			t.Fatalf("batch of %d into a graph for up to 4: %v", n, err)
		}
		d := maxAbsDiff(got, want)
		t.Logf("batch of %d: max |image by image - batch as channels| = %g over %d values", n, d, len(got))
		if len(got) != len(want) || d > 1e-6 {
			t.Errorf("batch of %d: %d values, max difference %g; want %d values, at most 1e-6", n, len(got), d, len(want))
		}
	}
	_, err := runInference(each, sizedImages(t, rng, 5, int(cfg.Size()), 3))
	t.Logf("batch of 5 into a graph for up to 4: %v", session.FirstLine(err))
	if err == nil || !strings.Contains(err.Error(), "per_image") {
		t.Errorf("batch of 5 into a graph for up to 4: err %v, want the per-image batch norm's slice to fail", err)
	}
}

// trainedRun is a 3-step run directory's checkpoint (trainMomentum's, ngf
// 4 at 64x64) with its config, dropout off.
func trainedRun(t *testing.T) (*Checkpoint, pix2pix.Config) {
	dir, _ := trainMomentum(t, 0.1, false)
	ck, err := OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ck.Config
	cfg.Dropout = false
	return ck, cfg
}

// loadInference restores ck into InferenceGraph(cfg, maxBatch), closed
// when the test ends.
func loadInference(t *testing.T, ck *Checkpoint, cfg pix2pix.Config, maxBatch int) *Generator {
	t.Helper()
	g, err := ck.LoadGenerator("generator", InferenceGraph(cfg, maxBatch), session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// runInference is g's outputs for in.
func runInference(g *Generator, in *tf.Tensor) ([]float32, error) {
	out, err := g.Sess.Run(map[tf.Output]*tf.Tensor{g.Gen.Inputs: in}, []tf.Output{g.Gen.Outputs}, nil)
	if err != nil {
		return nil, err
	}
	return floats(out[0]), nil
}
