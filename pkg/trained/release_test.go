package trained

import (
	"math/rand"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
)

// TestReleaseKeepsOutputsAndFreesKernels: an inference generator in the
// fast forms empties the transposed kernels once their sub-pixel kernels
// are derived (Generator.Release): reading one gives no elements, while
// the outputs still equal the original ops' up to float rounding.
func TestReleaseKeepsOutputsAndFreesKernels(t *testing.T) {
	ck, cfg := trainedRun(t)
	fastCfg := cfg
	fastCfg.FastForms = true
	exact, fast := loadInference(t, ck, cfg, 2), loadInference(t, ck, fastCfg, 2)
	if fast.Gen.Release == nil || exact.Gen.Release != nil {
		t.Fatalf("Release: fast %v, exact %v; want only the fast forms to have one", fast.Gen.Release != nil, exact.Gen.Release != nil)
	}
	in := sizedImages(t, rand.New(rand.NewSource(5)), 2, int(cfg.Size()), 3)
	var outs [2][]float32
	for i, g := range []*Generator{exact, fast} {
		out, err := runInference(g, in)
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = out
	}
	d := maxAbsDiff(outs[0], outs[1])
	t.Logf("after Release: max |original ops - fast forms| = %.3g", d)
	if d > 1e-4 {
		t.Errorf("fast forms after Release differ from the original ops by %.3g", d)
	}
	const kernel = "generator/decoder_2/conv2d_transpose/kernel"
	handle := fast.Graph.Operation(kernel)
	if handle == nil {
		t.Fatalf("no %s in the fast generator's graph", kernel)
	}
	var read tf.Output
	for _, c := range handle.Output(0).Consumers() {
		if c.Op.Type() == "ReadVariableOp" {
			read = c.Op.Output(0)
		}
	}
	if read.Op == nil {
		t.Fatalf("no read of %s in the fast generator's graph", kernel)
	}
	v, err := fast.Sess.Run(nil, []tf.Output{read}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s after Release: shape %v", kernel, v[0].Shape())
	if n := len(floats(v[0])); n != 0 {
		t.Errorf("%s holds %d floats after Release, want 0", kernel, n)
	}
}
