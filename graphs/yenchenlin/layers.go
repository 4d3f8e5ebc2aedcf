package yenchenlin

import (
	"path"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// builder carries the variable store, the one forward read of each
// variable (shared by the two discriminator copies, so that a gradient
// sums both uses), and the dropout key.
type builder struct {
	cfg   Config
	store *nn.Store
	reads map[*nn.Variable]tf.Output
	// key is an int64 scalar fed per run: with the seed and the layer it
	// keys the stateless dropout masks, so runs replay exactly.
	key    tf.Output
	layers int64
	// noUpdates leaves out the moving-average updates (inference: they
	// are never read, and a served model should not write to itself).
	noUpdates bool
	// perImage takes batch norm's statistics over each image alone
	// (inference; only with noUpdates).
	perImage bool
}

// truncatedNormal is tf.truncated_normal_initializer(stddev): a sample of
// the standard normal redrawn beyond two standard deviations, scaled.
func truncatedNormal(stddev float32) nn.Initializer {
	return func(s *op.Scope, shape []int64, dtype tf.DataType, seed int64) tf.Output {
		z := op.TruncatedNormal(s, op.Const(s.SubScope("shape"), shape), dtype,
			op.TruncatedNormalSeed(seed), op.TruncatedNormalSeed2(seed>>7+1))
		return op.AddV2(s, op.Mul(s, z, nn.Scalar(s, dtype, stddev)), nn.Scalar(s, dtype, float32(0)))
	}
}

var (
	convInit   = truncatedNormal(weightStd)
	normalInit = nn.Normal(0, weightStd)
	zerosInit  = nn.Fill(0)
	onesInit   = nn.Fill(1)
)

// variable returns the forward read of the variable called name, creating
// it on first use.
func (b *builder) variable(s *op.Scope, name string, shape []int64, init nn.Initializer, trainable bool) tf.Output {
	v := b.store.Get(name, tf.Float, shape, init, trainable)
	if r, ok := b.reads[v]; ok {
		return r
	}
	r := v.Read(s)
	b.reads[v] = r
	return r
}

func channels(x tf.Output) int64 { return x.Shape().Size(3) }

// conv is ops.py's conv2d: 5x5, SAME, weights `w` truncated normal, bias
// `biases` 0, under scope name.
func (b *builder) conv(s *op.Scope, name string, x tf.Output, out, stride int64) tf.Output {
	s = s.SubScope(path.Base(name))
	w := b.variable(s, name+"/w", []int64{kernel, kernel, channels(x), out}, convInit, true)
	bias := b.variable(s, name+"/biases", []int64{out}, zerosInit, true)
	y := op.Conv2D(s, x, w, []int64{1, stride, stride, 1}, "SAME")
	return op.BiasAdd(s, y, bias)
}

// deconv is ops.py's deconv2d: 5x5, stride 2, SAME transposed convolution
// to out channels at twice the size, weights `w` [5, 5, out, in] plain
// normal, bias `biases` 0. The batch dimension stays dynamic.
func (b *builder) deconv(s *op.Scope, name string, x tf.Output, out int64) tf.Output {
	s = s.SubScope(path.Base(name))
	h, wd := x.Shape().Size(1), x.Shape().Size(2)
	w := b.variable(s, name+"/w", []int64{kernel, kernel, out, channels(x)}, normalInit, true)
	ss := s.SubScope("output_shape")
	batch := op.Slice(ss, op.Shape(ss, x), op.Const(ss.SubScope("begin"), []int32{0}), op.Const(ss.SubScope("size"), []int32{1}))
	shape := op.ConcatV2(ss, []tf.Output{batch, op.Const(ss.SubScope("hwc"), []int32{int32(2 * h), int32(2 * wd), int32(out)})}, op.Const(ss.SubScope("axis"), int32(0)))
	y := op.Conv2DBackpropInput(s, shape, w, x, []int64{1, 2, 2, 1}, "SAME")
	bias := b.variable(s, name+"/biases", []int64{out}, zerosInit, true)
	return op.BiasAdd(s, y, bias)
}

// batchnorm is tf.contrib.layers.batch_norm(decay=0.9, epsilon=1e-5,
// scale=True, updates_collections=None) in training mode: the batch's
// mean and (biased) variance normalise x, and the moving averages are
// moved towards them before the output is produced, on every run that
// computes it. The moving averages are never read. Variables beta 0,
// gamma 1, moving_mean 0, moving_variance 1 under scope name.
func (b *builder) batchnorm(s *op.Scope, name string, x tf.Output) tf.Output {
	s = s.SubScope(path.Base(name))
	c := channels(x)
	beta := b.variable(s, name+"/beta", []int64{c}, zerosInit, true)
	gamma := b.variable(s, name+"/gamma", []int64{c}, onesInit, true)
	mm := b.store.Get(name+"/moving_mean", tf.Float, []int64{c}, zerosInit, false)
	mv := b.store.Get(name+"/moving_variance", tf.Float, []int64{c}, onesInit, false)
	ms := s.SubScope("moments")
	dims := []int32{0, 1, 2}
	if b.perImage {
		dims = []int32{1, 2} // [batch, 1, 1, c]: broadcast below as is
	}
	axes := op.Const(ms.SubScope("axes"), dims)
	mean := op.Mean(ms.SubScope("mean"), x, axes, op.MeanKeepDims(true))
	sq := op.SquaredDifference(ms, x, op.StopGradient(ms, mean))
	variance := op.Mean(ms.SubScope("variance"), sq, axes, op.MeanKeepDims(true))
	squeeze := func(name string, t tf.Output) tf.Output {
		return op.Squeeze(ms.SubScope(name), t, op.SqueezeAxis([]int64{0, 1, 2}))
	}
	if !b.perImage {
		mean, variance = squeeze("Squeeze", mean), squeeze("Squeeze_1", variance)
	}
	if !b.noUpdates {
		move := func(v *nn.Variable, value tf.Output) *tf.Operation {
			us := s.SubScope("update")
			delta := op.Mul(us, op.Sub(us, v.Read(us), value), nn.Float(us, 1-bnDecay))
			return op.AssignSubVariableOp(us, v.Handle, delta)
		}
		after := s.WithControlDependencies(move(mm, mean), move(mv, variance))
		mean, variance = op.Identity(after.SubScope("mean"), mean), op.Identity(after.SubScope("variance"), variance)
	}
	// tf.nn.batch_normalization: x * (gamma / sqrt(var + eps)) + (beta - mean * that).
	ns := s.SubScope("batchnorm")
	inv := op.Mul(ns.SubScope("inv"), op.Rsqrt(ns, op.AddV2(ns, variance, nn.Float(ns, bnEpsilon))), gamma)
	shift := op.Sub(ns, beta, op.Mul(ns.SubScope("mean"), mean, inv))
	return op.AddV2(ns.SubScope("out"), op.Mul(ns.SubScope("x"), x, inv), shift)
}

// lrelu is ops.py's max(x, 0.2x).
func lrelu(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("lrelu")
	return op.Maximum(s, x, op.Mul(s, nn.Float(s, lreluSlope), x))
}

// dropout keeps each element with probability 1-dropRate, scaling kept
// ones by 1/(1-dropRate), as tf.nn.dropout; the mask comes from a
// stateless generator keyed by (seed, layer, key).
func (b *builder) dropout(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("dropout")
	b.layers++
	k := op.Const(s.SubScope("layer"), []int64{b.cfg.Seed*4096 + b.layers})
	seed := op.ConcatV2(s.SubScope("seed"), []tf.Output{k, op.Reshape(s, b.key, op.Const(s.SubScope("one"), []int32{1}))},
		op.Const(s.SubScope("axis"), int32(0)))
	u := op.StatelessRandomUniform(s, op.Shape(s, x), seed, op.StatelessRandomUniformDtype(tf.Float))
	keep := op.Cast(s, op.GreaterEqual(s, u, nn.Float(s, dropRate)), tf.Float)
	return op.Mul(s.SubScope("apply"), op.Mul(s.SubScope("scale"), x, nn.Float(s, 1/(1-dropRate))), keep)
}
