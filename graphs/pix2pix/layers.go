package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// builder carries what every layer needs: the variable store, the one
// forward read of each variable (shared by the two discriminator copies, so
// that each variable's gradient sums both uses), and the step counter that
// seeds dropout.
type builder struct {
	cfg   Config
	store *nn.Store
	reads map[*nn.Variable]tf.Output
	// step is global_step read at the start of the step: the dropout masks'
	// seed, so that a resumed run replays an uninterrupted one.
	step tf.Output
	// dropoutLayers counts dropout ops, to give each its own stream.
	dropoutLayers int64
	// perImage normalises each image over its own pixels (inference).
	perImage bool
	// maxBatch is GeneratorOptions.MaxBatch.
	maxBatch int
	// cache, if set, keeps derived weights (sub-pixel kernels) in
	// variables filled by the ops in prepare, instead of deriving them in
	// every run.
	cache   *nn.Store
	prepare []*tf.Operation
	// derivedOnly are the variables read only to derive cached weights
	// (see Generator.Release).
	derivedOnly []*nn.Variable
	// moving makes batch norm use the moving averages (TestBN moving);
	// updateMoving collects the ops updating them into bnUpdates.
	moving, updateMoving bool
	bnUpdates            []*tf.Operation
}

// phaseKernels returns the sub-pixel phase kernels of the transposed
// kernel k (the read of src, variable name), cached in variables when
// b.cache is set; src is then read only to fill them (b.derivedOnly).
func (b *builder) phaseKernels(s *op.Scope, name string, src *nn.Variable, k tf.Output, in, out int64) [4]tf.Output {
	derived := subpixelKernels(s, k)
	if b.cache == nil {
		return derived
	}
	b.derivedOnly = append(b.derivedOnly, src)
	var cached [4]tf.Output
	for i := range derived {
		v := b.cache.Get(fmt.Sprintf("%s/subpixel_%d", name, i), tf.Float, []int64{2, 2, in, out}, zerosInit, false)
		b.prepare = append(b.prepare, op.AssignVariableOp(s.SubScope("cache"), v.Handle, derived[i]))
		cached[i] = v.Read(s)
	}
	return cached
}

// fusedKernel is phaseKernels for subpixelFused: the one [3, 3, in,
// 4*out] kernel, cached likewise.
func (b *builder) fusedKernel(s *op.Scope, name string, src *nn.Variable, k tf.Output, in, out int64) tf.Output {
	derived := subpixelFusedKernel(s, k)
	if b.cache == nil {
		return derived
	}
	b.derivedOnly = append(b.derivedOnly, src)
	v := b.cache.Get(name+"/subpixel_fused", tf.Float, []int64{3, 3, in, 4 * out}, zerosInit, false)
	b.prepare = append(b.prepare, op.AssignVariableOp(s.SubScope("cache"), v.Handle, derived))
	return v.Read(s)
}

var (
	zerosInit = nn.Fill(0)
	onesInit  = nn.Fill(1)
)

// weightInit is the kernels' initialiser: N(0, 0.02), not truncated, in
// the original; --init and --init-std choose another.
func (b *builder) weightInit() nn.Initializer { return b.initAround(0) }

// gammaInit is the batch-norm scale's: N(1, 0.02) in the original.
func (b *builder) gammaInit() nn.Initializer { return b.initAround(1) }

func (b *builder) initAround(mean float32) nn.Initializer {
	std := float32(b.cfg.InitStd)
	if b.cfg.Init == InitTruncated {
		return nn.TruncatedNormal(mean, std)
	}
	return nn.Normal(mean, std)
}

// kernel is the convolutions' side (4 in the original).
func (b *builder) kernel() int64 { return int64(b.cfg.KernelSize) }

// variable returns the forward read of the variable called name, creating
// the variable on first use.
func (b *builder) variable(s *op.Scope, name string, shape []int64, init nn.Initializer, trainable bool) tf.Output {
	r, _ := b.param(s, name, shape, init, trainable)
	return r
}

// param is variable that also returns the variable itself, for the layers
// whose hand-written backward pass reads it again (see discrimBackward).
func (b *builder) param(s *op.Scope, name string, shape []int64, init nn.Initializer, trainable bool) (tf.Output, *nn.Variable) {
	v := b.store.Get(name, tf.Float, shape, init, trainable)
	if r, ok := b.reads[v]; ok {
		return r, v
	}
	r := v.Read(s)
	b.reads[v] = r
	return r, v
}

// channels is the static channel count of x, [batch, height, width, channels].
func channels(x tf.Output) int64 {
	return x.Shape().Size(3)
}

// genConv is the generator's down block: a 4x4 (--kernel-size), stride-2, SAME convolution
// with bias; with separable_conv, a separable convolution (depthwise 4x4,
// then pointwise 1x1) instead.
func (b *builder) genConv(s *op.Scope, name string, x tf.Output, out int64) tf.Output {
	in := channels(x)
	if b.cfg.SeparableConv {
		return b.separableConv(s, name, x, out, 2)
	}
	p := name + "/conv2d/"
	k := b.variable(s, p+"kernel", []int64{b.kernel(), b.kernel(), in, out}, b.weightInit(), true)
	bias := b.variable(s, p+"bias", []int64{out}, zerosInit, true)
	y := op.Conv2D(s.SubScope("Conv2D"), x, k, []int64{1, 2, 2, 1}, "SAME")
	return op.BiasAdd(s.SubScope("BiasAdd"), y, bias)
}

// separableConv is tf.layers.separable_conv2d with a 4x4 depthwise kernel
// (depth multiplier 1), SAME padding, then a 1x1 pointwise kernel and bias.
func (b *builder) separableConv(s *op.Scope, name string, x tf.Output, out, stride int64) tf.Output {
	in := channels(x)
	p := name + "/separable_conv2d/"
	dk := b.variable(s, p+"depthwise_kernel", []int64{b.kernel(), b.kernel(), in, 1}, b.weightInit(), true)
	pk := b.variable(s, p+"pointwise_kernel", []int64{1, 1, in, out}, b.weightInit(), true)
	bias := b.variable(s, p+"bias", []int64{out}, zerosInit, true)
	y := op.DepthwiseConv2dNative(s.SubScope("depthwise"), x, dk, []int64{1, stride, stride, 1}, "SAME")
	y = op.Conv2D(s.SubScope("pointwise"), y, pk, []int64{1, 1, 1, 1}, "VALID")
	return op.BiasAdd(s.SubScope("BiasAdd"), y, bias)
}

// genDeconv is the generator's up block: a 4x4, stride-2, SAME transposed
// convolution with bias; with separable_conv, nearest-neighbour 2x
// upsampling then a stride-1 separable convolution.
func (b *builder) genDeconv(s *op.Scope, name string, x tf.Output, out int64) tf.Output {
	if b.cfg.SeparableConv {
		up := op.ResizeNearestNeighbor(s.SubScope("resize"), x, hwShape(s, "size", x, true, nil, nil))
		return b.separableConv(s, name, up, out, 1)
	}
	in := channels(x)
	p := name + "/conv2d_transpose/"
	// The transposed kernel is [height, width, output, input].
	k, kv := b.param(s, p+"kernel", []int64{b.kernel(), b.kernel(), out, in}, b.weightInit(), true)
	bias := b.variable(s, p+"bias", []int64{out}, zerosInit, true)
	// The sub-pixel form is derived for 4x4 kernels; 5x5 ones run as the
	// original's op.
	if b.cfg.FastForms && b.kernel() == 4 && out <= fusedPhaseMaxOut {
		return subpixelFused(s, x, b.fusedKernel(s, p+"kernel", kv, k, in, out), bias)
	}
	if b.cfg.FastForms && b.kernel() == 4 {
		return subpixelDeconv(s, x, b.phaseKernels(s, p+"kernel", kv, k, in, out), bias)
	}
	// The output shape keeps the batch dimension dynamic, as tf.layers does.
	ss := s.SubScope("output_shape")
	batch := op.Slice(ss, op.Shape(ss, x), op.Const(ss.SubScope("begin"), []int32{0}), op.Const(ss.SubScope("size"), []int32{1}))
	shape := op.ConcatV2(ss, []tf.Output{batch, hwShape(ss, "hwc", x, true, nil, []int32{int32(out)})}, op.Const(ss.SubScope("axis"), int32(0)))
	y := op.Conv2DBackpropInput(s.SubScope("conv2d_transpose"), shape, k, x, []int64{1, 2, 2, 1}, "SAME")
	return op.BiasAdd(s.SubScope("BiasAdd"), y, bias)
}

// lreluSlope is the original's leaky-ReLU slope for negative inputs, in
// every encoder and discriminator layer.
const lreluSlope = 0.2

// lreluLinear and lreluAbsolute are the two coefficients of the
// original's leaky ReLU, lreluLinear*x + lreluAbsolute*|x| (0.6 and 0.4):
// the forward pass and the discriminator's hand-written backward pass
// both take them from here.
const (
	lreluLinear   = 0.5 * (1 + lreluSlope)
	lreluAbsolute = 0.5 * (1 - lreluSlope)
)

// lrelu is the original's leaky ReLU, 0.5(1+a)x + 0.5(1-a)|x| with a =
// lreluSlope, which equals max(x, ax) and is computed the same way so that
// numbers match.
func lrelu(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("lrelu")
	x = op.Identity(s, x)
	lin := op.Mul(s.SubScope("linear"), nn.Float(s, lreluLinear), x)
	abs := op.Mul(s.SubScope("absolute"), nn.Float(s, lreluAbsolute), op.Abs(s, x))
	return op.AddV2(s, lin, abs)
}

// encoderActivation is the leaky ReLU in front of encoder_2..n: the
// original's form, or with FastForms one LeakyRelu op (max(x, 0.2x), the
// same function, one pass over the tensor instead of four). With
// FastForms the activation is also the skip input (see generator): were
// the conv's output read by a skip connection too, TensorFlow 2.18's
// remapper would fuse Conv2D+BiasAdd+LeakyRelu without seeing that second
// reader and fail ("remapper failed ... fanout
// 'generator/decoder_1/concat/ConcatV2' exist for missing node").
func (b *builder) encoderActivation(s *op.Scope, x tf.Output) tf.Output {
	if b.cfg.FastForms {
		return op.LeakyRelu(s.SubScope("lrelu"), x, op.LeakyReluAlpha(lreluSlope))
	}
	return lrelu(s, x)
}

// dropout keeps each element with probability 1-rate and scales kept ones
// by 1/(1-rate), as tf.nn.dropout. The mask comes from a stateless generator
// keyed by (seed, layer, global_step).
func (b *builder) dropout(s *op.Scope, x tf.Output, rate float64) tf.Output {
	s = s.SubScope("dropout")
	b.dropoutLayers++
	key := op.Const(s.SubScope("key"), []int64{b.cfg.Seed*4096 + b.dropoutLayers})
	seed := op.ConcatV2(s.SubScope("seed"), []tf.Output{key, op.Reshape(s, b.step, op.Const(s.SubScope("one"), []int32{1}))},
		op.Const(s.SubScope("axis"), int32(0)))
	u := op.StatelessRandomUniform(s, op.Shape(s, x), seed, op.StatelessRandomUniformDtype(tf.Float))
	keep := op.Cast(s, op.GreaterEqual(s, u, nn.Float(s, rate)), tf.Float)
	return op.Mul(s.SubScope("apply"), op.Mul(s.SubScope("scale"), x, nn.Float(s, 1/(1-rate))), keep)
}
