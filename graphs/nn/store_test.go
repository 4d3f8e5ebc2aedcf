package nn

import (
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// initialValues builds a store with a normal and a filled variable,
// initialises it and returns their values.
func initialValues(t *testing.T, seed int64) ([]float32, []float32, *tf.Graph) {
	t.Helper()
	s := op.NewScope()
	st := NewStore(s, seed)
	w := st.Get("layer/kernel", tf.Float, []int64{64, 64}, Normal(1, 0.02), true)
	b := st.Get("layer/bias", tf.Float, []int64{3}, Fill(0.5), true)
	if again := st.Get("layer/kernel", tf.Float, []int64{64, 64}, Normal(1, 0.02), true); again != w {
		t.Error("a second Get of the same name made a new variable")
	}
	st.Get("layer/kernel", tf.Float, []int64{2}, Normal(0, 1), true)
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "layer/kernel") {
		t.Errorf("a second Get with another shape: error %v, want one naming the variable", err)
	}
	s2 := op.NewScope()
	st2 := NewStore(s2, seed)
	w = st2.Get("layer/kernel", tf.Float, []int64{64, 64}, Normal(1, 0.02), true)
	b = st2.Get("layer/bias", tf.Float, []int64{3}, Fill(0.5), true)
	initAll := op.NoOp(s2.WithControlDependencies(st2.InitOps()...).SubScope("init"))
	rw, rb := w.Read(s2.SubScope("rw")), b.Read(s2.SubScope("rb"))
	g, err := s2.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if _, err := sess.Run(nil, nil, []*tf.Operation{initAll}); err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(nil, []tf.Output{rw, rb}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var flat []float32
	for _, row := range out[0].Value().([][]float32) {
		flat = append(flat, row...)
	}
	return flat, out[1].Value().([]float32), g
}

// TestStoreInitialises: a normal initialiser draws N(mean, std) (sample
// mean and std of 4096 draws within 5 standard errors), seeded (same seed,
// same draws; another seed, others), Fill fills; initial values are drawn
// on the host (HostDevice), the assignments stay with the variables.
func TestStoreInitialises(t *testing.T) {
	w, b, g := initialValues(t, 7)
	var sum, sq float64
	for _, x := range w {
		sum += float64(x)
	}
	mean := sum / float64(len(w))
	for _, x := range w {
		sq += (float64(x) - mean) * (float64(x) - mean)
	}
	std := math.Sqrt(sq / float64(len(w)-1))
	if math.Abs(mean-1) > 5*0.02/64 || math.Abs(std-0.02) > 5*0.02/math.Sqrt(2*4096) {
		t.Errorf("Normal(1, 0.02): sample mean %.5f, std %.5f", mean, std)
	}
	for _, x := range b {
		if x != 0.5 {
			t.Errorf("Fill(0.5) gave %v", b)
		}
	}
	w2, _, _ := initialValues(t, 7)
	w3, _, _ := initialValues(t, 8)
	if w2[0] != w[0] || w2[4095] != w[4095] {
		t.Error("the same seed drew different initial values")
	}
	if w3[0] == w[0] && w3[1] == w[1] {
		t.Error("another seed drew the same initial values")
	}
	for _, o := range g.Operations() {
		inInit := strings.Contains(o.Name(), "/Initializer/")
		if inInit && o.Type() == "RandomStandardNormal" && o.Device() != HostDevice {
			t.Errorf("%s (%s) is on %q, want %s", o.Name(), o.Type(), o.Device(), HostDevice)
		}
		if o.Type() == "AssignVariableOp" && o.Device() != "" {
			t.Errorf("%s is pinned to %q: an assignment must stay with its variable", o.Name(), o.Device())
		}
	}
}
