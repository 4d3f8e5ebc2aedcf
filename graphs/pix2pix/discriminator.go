package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// dLayer records one discriminator layer's forward tensors, for the
// hand-written backward pass the generator's gradient takes through it.
type dLayer struct {
	in     tf.Output // before padding
	padded tf.Output
	kernel *nn.Variable
	stride int64
	bn     *normRecord // nil on layer_1 and layer_5, and without norm
	act    tf.Output   // leaky ReLU input (layers 1-4) or sigmoid output (layer 5)
	// dense marks the scalar output's linear layer (--discrim-output
	// scalar): kernel is then its matrix, in its flattened input.
	dense bool
}

// discriminator is the 70x70 PatchGAN: concat(inputs, image) through three
// stride-2 and two stride-1 4x4 convolutions, each after a 1-pixel zero pad,
// to [batch, 30, 30, 1] probabilities (fully convolutional: 62x62 at 512).
// Both copies (real and fake) use the variables under "discriminator/".
// It returns the probabilities, the logits before the sigmoid, and the
// tape of its layers.
func (b *builder) discriminator(s *op.Scope, inputs, image tf.Output) (tf.Output, tf.Output, []dLayer) {
	ndf := int64(b.cfg.NDF)
	s = s.SubScope("discriminator")
	var tape []dLayer

	x := concat(s, inputs, image)
	// layer_1: [batch, 256, 256, in+out] => [batch, 128, 128, ndf]
	ls := s.SubScope("layer_1")
	y, l := b.discrimConv(ls, "discriminator/layer_1", x, ndf, 2)
	l.act = y
	tape = append(tape, l)
	x = lrelu(ls, y)

	// layer_2..4: ndf*2 (128 => 64), ndf*4 (64 => 32), ndf*8 stride 1 (32 => 31)
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("layer_%d", i+2)
		ls := s.SubScope(name)
		mult := int64(1) << (i + 1)
		if mult > 8 {
			mult = 8
		}
		stride := int64(2)
		if i == 2 {
			stride = 1
		}
		y, l := b.discrimConv(ls, "discriminator/"+name, x, ndf*mult, stride)
		y, l.bn = b.norm(ls, b.cfg.DiscrimNorm, "discriminator/"+name, y)
		l.act = y
		tape = append(tape, l)
		x = lrelu(ls, y)
	}

	// layer_5: [batch, 31, 31, ndf*8] => [batch, 30, 30, 1], sigmoid; or
	// flattened, one linear unit, [batch, 1].
	ls = s.SubScope("layer_5")
	if b.cfg.DiscrimOutput == OutputScalar {
		y, l = b.discrimDense(ls, "discriminator/layer_5", x)
	} else {
		y, l = b.discrimConv(ls, "discriminator/layer_5", x, 1, 1)
	}
	logits := y
	y = op.Sigmoid(ls.SubScope("Sigmoid"), y)
	l.act = y
	tape = append(tape, l)
	return y, logits, tape
}

// discrimDense flattens x and applies one linear unit with bias, as
// yenchenlin's discriminator ends.
func (b *builder) discrimDense(s *op.Scope, name string, x tf.Output) (tf.Output, dLayer) {
	sh := x.Shape()
	n := sh.Size(1) * sh.Size(2) * sh.Size(3)
	w, kernel := b.param(s, name+"/dense/kernel", []int64{n, 1}, b.weightInit(), true)
	bias := b.variable(s, name+"/dense/bias", []int64{1}, zerosInit, true)
	flat := op.Reshape(s.SubScope("flatten"), x, nn.Const(s, []int32{-1, int32(n)}))
	y := op.BiasAdd(s.SubScope("BiasAdd"), op.MatMul(s, flat, w), bias)
	return y, dLayer{in: x, kernel: kernel, dense: true}
}

// discrimConv zero-pads one pixel on each spatial side, then convolves 4x4
// VALID with bias.
func (b *builder) discrimConv(s *op.Scope, name string, x tf.Output, out, stride int64) (tf.Output, dLayer) {
	in := channels(x)
	p := name + "/conv2d/"
	k, kernel := b.param(s, p+"kernel", []int64{b.kernel(), b.kernel(), in, out}, b.weightInit(), true)
	bias := b.variable(s, p+"bias", []int64{out}, zerosInit, true)
	padded := op.Pad(s.SubScope("Pad"), x, op.Const(s.SubScope("paddings"), [][]int32{{0, 0}, {1, 1}, {1, 1}, {0, 0}}))
	y := op.Conv2D(s.SubScope("Conv2D"), padded, k, []int64{1, stride, stride, 1}, "VALID")
	y = op.BiasAdd(s.SubScope("BiasAdd"), y, bias)
	return y, dLayer{in: x, padded: padded, kernel: kernel, stride: stride}
}

// discrimBackward propagates dPredict, the gradient at a discriminator
// copy's output, back to its input image (the channels after inputs'),
// reading the weights through read. The forward activations are those of
// the tape. It emits the ops TensorFlow's own gradients would, so the
// numbers match; writing it by hand is what lets the weights be read at a
// different moment than the forward pass read them (see DiscrimReading).
// With fromLogits, dPredict is the gradient at the logits (the losses
// other than eps are functions of the logits). Instance norm's gradient
// is TensorFlow's, added through gs: a scope without control
// dependencies, which gradients do not take (it reads no weights; its
// inputs order it).
func discrimBackward(s, gs *op.Scope, tape []dLayer, dPredict tf.Output, read func(*nn.Variable) tf.Output, inChannels int64, fromLogits bool) tf.Output {
	s = s.SubScope("discriminator_backward")
	d := dPredict
	for i := len(tape) - 1; i >= 0; i-- {
		l := tape[i]
		ls := s.SubScope(fmt.Sprintf("layer_%d", i+1))
		if i == len(tape)-1 {
			if !fromLogits {
				d = op.SigmoidGrad(ls, l.act, d)
			}
		} else {
			// d/dx of lrelu's lin*x + abs*|x| is lin + abs*sign(x).
			a := op.Mul(ls.SubScope("linear"), d, nn.Float(ls, lreluLinear))
			b := op.Mul(ls.SubScope("absolute"), op.Mul(ls.SubScope("abs_scale"), d, nn.Float(ls, lreluAbsolute)), op.Sign(ls, l.act))
			d = op.AddN(ls, []tf.Output{a, b})
			if l.bn != nil && l.bn.instance {
				if g := op.Gradients(gs.SubScope(fmt.Sprintf("discriminator_backward_layer_%d_instance_norm", i+1)), []tf.Output{l.bn.y}, []tf.Output{l.bn.x}, d); len(g) == 1 {
					d = g[0]
				}
			} else if l.bn != nil {
				d, _, _, _, _ = op.FusedBatchNormGradV3(ls.SubScope("bn"), d, l.bn.x, read(l.bn.gamma),
					l.bn.reserve[0], l.bn.reserve[1], l.bn.reserve[2],
					op.FusedBatchNormGradV3Epsilon(bnEpsilon), op.FusedBatchNormGradV3IsTraining(true))
			}
		}
		if l.dense {
			d = op.MatMul(ls.SubScope("dense"), d, read(l.kernel), op.MatMulTransposeB(true))
			d = op.Reshape(ls.SubScope("unflatten"), d, op.Shape(ls.SubScope("in"), l.in, op.ShapeOutType(tf.Int32)))
			continue
		}
		// BiasAdd passes the gradient through; the convolution and pad
		// send it back to the unpadded input.
		d = op.Conv2DBackpropInput(ls.SubScope("conv"), op.Shape(ls, l.padded, op.ShapeOutType(tf.Int32)), read(l.kernel), d,
			[]int64{1, l.stride, l.stride, 1}, "VALID")
		d = op.Slice(ls.SubScope("unpad"), d, op.Const(ls.SubScope("begin"), []int32{0, 1, 1, 0}),
			op.Shape(ls.SubScope("in"), l.in, op.ShapeOutType(tf.Int32)))
	}
	// The image's share of concat(inputs, image).
	return op.Slice(s.SubScope("image"), d, op.Const(s.SubScope("begin"), []int32{0, 0, 0, int32(inChannels)}),
		op.Const(s.SubScope("size"), []int32{-1, -1, -1, -1}))
}
