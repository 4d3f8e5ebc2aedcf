package train

import (
	"math"
	"math/rand"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/display"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// TestHealthSignalsMatchFetchedTensors takes one training step on fixed
// weights and inputs, fetching the health signals together with the
// discriminator's outputs and every gradient, and recomputes each
// signal in float64 from those tensors; for the PatchGAN map and for the
// scalar output (--discrim-output scalar, [batch, 1]).
func TestHealthSignalsMatchFetchedTensors(t *testing.T) {
	for _, output := range []string{pix2pix.OutputPatch, pix2pix.OutputScalar} {
		t.Run(output, func(t *testing.T) {
			cfg := pix2pix.DefaultConfig()
			cfg.NGF, cfg.NDF, cfg.Seed, cfg.DiscrimOutput = 4, 4, 3, output
			checkHealthSignals(t, cfg)
		})
	}
}

func checkHealthSignals(t *testing.T, cfg pix2pix.Config) {
	tr, ex, err := newTrainer(cfg, display.Config{WhichDirection: "AtoB", AspectRatio: 1, Batch: 1}, 1, "", session.Options{}, trained.Placement{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Init(); err != nil {
		t.Fatal(err)
	}
	m := tr.Model
	feeds := map[tf.Output]*tf.Tensor{m.Inputs: fixedImage(t, 1), m.Targets: fixedImage(t, 2)}
	var f session.Fetches
	f.Add("health", ex.health.Outputs()...)
	f.Add("predict", m.PredictReal, m.PredictFake)
	gen, dis := grads(m.GenGrads), grads(m.DiscrimGrads)
	f.Add("gen", gen...)
	f.Add("dis", dis...)
	out, err := tr.Sess.Run(feeds, f.Outputs(), []*tf.Operation{m.Train})
	if err != nil {
		t.Fatal(err)
	}
	got := floats(t, f.Get(out, "health"))
	p := f.Get(out, "predict")
	want := []float64{meanOf(t, p[0]), meanOf(t, p[1]), normOf(t, f.Get(out, "gen")), normOf(t, f.Get(out, "dis")), float64(float32(cfg.LR))}
	for i, tag := range pix2pix.HealthTags {
		rel := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), 1e-12)
		t.Logf("%s: signal %.8g, from the fetched tensors %.8g (relative difference %.2g)", tag, got[i], want[i], rel)
		if rel > 1e-5 || math.IsNaN(got[i]) {
			t.Errorf("%s = %g, want %g", tag, got[i], want[i])
		}
	}
}

func grads(gs []pix2pix.Grad) []tf.Output {
	out := make([]tf.Output, len(gs))
	for i, g := range gs {
		out[i] = g.Grad
	}
	return out
}

// fixedImage is a [1, 256, 256, 3] batch of seeded values in [-1, 1].
func fixedImage(t *testing.T, seed int64) *tf.Tensor {
	r := rand.New(rand.NewSource(seed))
	v := make([][][][]float32, 1)
	v[0] = make([][][]float32, pix2pix.DefaultCropSize)
	for y := range v[0] {
		v[0][y] = make([][]float32, pix2pix.DefaultCropSize)
		for x := range v[0][y] {
			v[0][y][x] = []float32{r.Float32()*2 - 1, r.Float32()*2 - 1, r.Float32()*2 - 1}
		}
	}
	ten, err := tf.NewTensor(v)
	if err != nil {
		t.Fatal(err)
	}
	return ten
}

func floats(t *testing.T, ts []*tf.Tensor) []float64 {
	out := make([]float64, len(ts))
	for i, x := range ts {
		out[i] = float64(session.Value(x).(float32))
	}
	return out
}

func meanOf(t *testing.T, x *tf.Tensor) float64 {
	v, err := session.Floats(x)
	if err != nil {
		t.Fatal(err)
	}
	s := 0.0
	for _, f := range v {
		s += float64(f)
	}
	return s / float64(len(v))
}

func normOf(t *testing.T, ts []*tf.Tensor) float64 {
	s := 0.0
	for _, x := range ts {
		v, err := session.Floats(x)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range v {
			s += float64(f) * float64(f)
		}
	}
	return math.Sqrt(s)
}
