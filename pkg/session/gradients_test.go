package session

import (
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// gradChain is a small graph that strings together every op the pix2pix
// training graph differentiates through, on resource variables, ending in a
// scalar loss. Shapes are [batch, height, width, channels].
type gradChain struct {
	vars []*nn.Variable
	// assign[i] feeds a new value into vars[i] through value[i].
	value  []tf.Output
	assign []*tf.Operation
	read   []tf.Output
	loss   tf.Output
	grads  []tf.Output
	init   *tf.Operation
}

func buildGradChain(t *testing.T) (*tf.Graph, *gradChain) {
	t.Helper()
	root := op.NewScope()
	st := nn.NewStore(root, 7)
	normal := nn.Normal(0, 0.5)
	x := st.Get("x", tf.Float, []int64{2, 6, 6, 2}, normal, true)
	k1 := st.Get("conv/kernel", tf.Float, []int64{3, 3, 2, 3}, normal, true)
	b1 := st.Get("deconv/bias", tf.Float, []int64{2}, normal, true)
	gamma := st.Get("bn/gamma", tf.Float, []int64{6}, nn.Normal(1, 0.2), true)
	beta := st.Get("bn/beta", tf.Float, []int64{6}, normal, true)
	mean := st.Get("bn/moving_mean", tf.Float, []int64{6}, nn.Fill(0), false)
	variance := st.Get("bn/moving_variance", tf.Float, []int64{6}, nn.Fill(1), false)
	k2 := st.Get("deconv/kernel", tf.Float, []int64{2, 2, 2, 6}, normal, true)
	w := st.Get("weights", tf.Float, []int64{2, 12, 12, 2}, nn.Normal(0, 1), false)

	s := root.SubScope("chain")
	rx, rk1, rb1 := x.Read(s), k1.Read(s), b1.Read(s)
	rgamma, rbeta, rk2 := gamma.Read(s), beta.Read(s), k2.Read(s)

	// Pad -> Conv2D (VALID), as the discriminator's convolution.
	padded := op.Pad(s.SubScope("pad"), rx, op.Const(s.SubScope("paddings"), [][]int32{{0, 0}, {1, 1}, {1, 1}, {0, 0}}))
	h := op.Conv2D(s.SubScope("conv"), padded, rk1, []int64{1, 1, 1, 1}, "VALID")
	// The piecewise-linear ops come before batch norm: there a perturbed
	// input moves only the values near it, so finite differences rarely
	// step across a kink. Leaky ReLU both ways: the original's
	// 0.6x + 0.4|x| and the LeakyRelu op; then ReLU.
	sa := s.SubScope("lrelu")
	abs := op.AddV2(sa, op.Mul(sa.SubScope("a"), nn.Scalar(sa, tf.Float, 0.6), h),
		op.Mul(sa.SubScope("b"), nn.Scalar(sa, tf.Float, 0.4), op.Abs(sa, h)))
	leaky := op.LeakyRelu(s.SubScope("leaky"), h, op.LeakyReluAlpha(0.2))
	h = op.ConcatV2(s.SubScope("concat"), []tf.Output{abs, op.Relu(s.SubScope("relu"), leaky)}, nn.Scalar(s, tf.Int32, int64(3)))
	// Batch norm on the batch's statistics (training mode).
	h, _, _, _, _, _ = op.FusedBatchNormV3(s.SubScope("bn"), h, rgamma, rbeta, mean.Read(s), variance.Read(s),
		op.FusedBatchNormV3Epsilon(1e-5), op.FusedBatchNormV3IsTraining(true))
	h = op.Tanh(s.SubScope("tanh"), h)
	// Transposed convolution, stride 2, SAME: [2,6,6,6] -> [2,12,12,2],
	// then its bias, as gen_deconv.
	h = op.Conv2DBackpropInput(s.SubScope("deconv"), op.Const(s.SubScope("out_shape"), []int32{2, 12, 12, 2}),
		rk2, h, []int64{1, 2, 2, 1}, "SAME")
	h = op.BiasAdd(s.SubScope("bias"), h, rb1)
	// sigmoid -> log -> |. * w| -> mean: log(sigmoid) < 0, so the last |.|
	// has no kink nearby either.
	h = op.Sigmoid(s.SubScope("sigmoid"), h)
	h = op.Log(s.SubScope("log"), op.AddV2(s.SubScope("eps"), h, nn.Scalar(s, tf.Float, 1e-12)))
	h = op.Abs(s.SubScope("abs"), op.Mul(s.SubScope("weigh"), h, w.Read(s)))
	loss := op.Mean(s.SubScope("mean"), h, op.Const(s.SubScope("axes"), []int32{0, 1, 2, 3}))

	c := &gradChain{loss: loss}
	xs := []tf.Output{rx, rk1, rb1, rgamma, rbeta, rk2}
	c.vars = []*nn.Variable{x, k1, b1, gamma, beta, k2}
	c.grads = op.Gradients(root, []tf.Output{loss}, xs)
	for i, v := range c.vars {
		sv := root.SubScope("set")
		c.value = append(c.value, op.Placeholder(sv, tf.Float, op.PlaceholderShape(tf.MakeShape(v.Shape...))))
		c.assign = append(c.assign, op.AssignVariableOp(sv, v.Handle, c.value[i]))
		c.read = append(c.read, v.Read(sv))
	}
	c.init = op.NoOp(root.WithControlDependencies(st.InitOps()...).SubScope("init"))
	g, err := root.Finalize()
	if err != nil {
		t.Fatalf("build gradient chain: %v", err)
	}
	return g, c
}

// TestGradientsMatchFiniteDifferences checks the C API's symbolic gradients
// (TF_AddGradients, through graft's op.Gradients) of every op the pix2pix
// graph differentiates through against central finite differences.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	g, c := buildGradChain(t)
	sess, err := New(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if _, err := sess.Run(nil, nil, []*tf.Operation{c.init}); err != nil {
		t.Fatal(err)
	}
	out, err := sess.Run(nil, append(append([]tf.Output{}, c.read...), c.grads...), nil)
	if err != nil {
		t.Fatal(err)
	}
	lossAt := func(i int, vals []float32) float64 {
		tv, err := tf.NewTensor(vals)
		if err != nil {
			t.Fatal(err)
		}
		tv, err = reshape(tv, c.vars[i].Shape)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sess.Run(map[tf.Output]*tf.Tensor{c.value[i]: tv}, nil, []*tf.Operation{c.assign[i]}); err != nil {
			t.Fatal(err)
		}
		r, err := sess.Run(nil, []tf.Output{c.loss}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return float64(Value(r[0]).(float32))
	}
	const eps = 4e-3
	f0 := lossAt(0, flatten(out[0]))
	for i, v := range c.vars {
		base := flatten(out[i])
		analytic := flatten(out[len(c.vars)+i])
		vals := append([]float32(nil), base...)
		var diff2, norm2 float64
		kinks := 0
		for j := range vals {
			vals[j] = base[j] + eps
			up := lossAt(i, vals)
			vals[j] = base[j] - eps
			down := lossAt(i, vals)
			vals[j] = base[j]
			// A step that crosses a kink of ReLU, |x| or leaky ReLU shows
			// as one-sided slopes that disagree; the derivative there is
			// a choice, not a number to check.
			right, left := (up-f0)/eps, (f0-down)/eps
			if math.Abs(right-left) > 0.2*math.Max(math.Abs(right)+math.Abs(left), 1e-2) {
				kinks++
				continue
			}
			numeric := (up - down) / (2 * eps)
			d := numeric - float64(analytic[j])
			diff2 += d * d
			norm2 += float64(analytic[j]) * float64(analytic[j])
		}
		lossAt(i, base) // restore
		rel := math.Sqrt(diff2) / math.Max(math.Sqrt(norm2), 1e-12)
		t.Logf("%-16s %4d elements (%d at a kink, skipped)  |grad| %.3e  relative error %.2e", v.Name, len(base), kinks, math.Sqrt(norm2), rel)
		if kinks > len(base)/10 {
			t.Errorf("%s: %d of %d elements sit at a kink; the check says little", v.Name, kinks, len(base))
		}
		if norm2 == 0 {
			t.Errorf("%s: gradient is identically zero; the chain does not reach it", v.Name)
		}
		if rel > 1e-2 {
			t.Errorf("%s: symbolic gradient differs from finite differences: relative error %.3e > 1e-2", v.Name, rel)
		}
	}
}

// flatten returns a float32 tensor's elements in row-major order.
func flatten(t *tf.Tensor) []float32 {
	f, err := Floats(t)
	if err != nil {
		panic(err) // only float32 tensors here
	}
	return f
}

// reshape gives a flat tensor the shape dims (graft tensors carry their shape).
func reshape(t *tf.Tensor, dims []int64) (*tf.Tensor, error) {
	return t, t.Reshape(dims)
}

// TestGPURequestFailsClearlyWithoutGPU: on a machine without a GPU (or a
// CPU-only libtensorflow) asking for one is an error that says what to do.
func TestGPURequestFailsClearlyWithoutGPU(t *testing.T) {
	devs, err := ListDevices()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if d.Type == "GPU" {
			t.Skip("this machine has a GPU")
		}
	}
	_, err = New(tf.NewGraph(), Options{Device: "gpu:1"})
	if err == nil || !strings.Contains(err.Error(), "no such GPU") || !strings.Contains(err.Error(), "--device cpu") {
		t.Errorf("error %v, want one naming the missing GPU and --device cpu", err)
	}
	if _, err := ParseDevice("tpu"); err == nil {
		t.Error("device tpu accepted")
	}
}
