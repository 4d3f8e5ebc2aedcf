package trained

import (
	"math"
	"math/rand"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// smallConfig is the original's graph at a width that keeps tests fast.
func smallConfig() pix2pix.Config {
	c := pix2pix.DefaultConfig()
	c.NGF, c.NDF = 4, 4
	c.Seed = 1
	return c
}

// newTrainer builds cfg with placeholders of batch size batch and
// initialises it.
func newTrainer(t *testing.T, cfg pix2pix.Config, batch int64) *Trainer {
	t.Helper()
	tr, err := New(cfg, Placeholders(cfg, batch), session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	if err := tr.Init(); err != nil {
		t.Fatal(err)
	}
	return tr
}

// randomImages is a [n, 256, 256, c] tensor uniform in [-1, 1].
func randomImages(t *testing.T, rng *rand.Rand, n, c int) *tf.Tensor {
	t.Helper()
	vals := make([]float32, n*256*256*c)
	for i := range vals {
		vals[i] = rng.Float32()*2 - 1
	}
	tv, err := tf.NewTensor(vals)
	if err != nil {
		t.Fatal(err)
	}
	if err := tv.Reshape([]int64{int64(n), 256, 256, int64(c)}); err != nil {
		t.Fatal(err)
	}
	return tv
}

// floats returns a float32 tensor's elements in row-major order.
func floats(t *tf.Tensor) []float32 {
	f, err := session.Floats(t)
	if err != nil {
		panic(err) // tests only pass float32 tensors
	}
	return f
}

// maxAbsDiff is max |a_i - b_i|.
func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

// relNorm is ||a - b|| / ||b||.
func relNorm(a, b []float32) float64 {
	var d, n float64
	for i := range a {
		x := float64(a[i]) - float64(b[i])
		d += x * x
		n += float64(b[i]) * float64(b[i])
	}
	if n == 0 {
		return math.Sqrt(d)
	}
	return math.Sqrt(d / n)
}
