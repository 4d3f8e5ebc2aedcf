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
	bn     *bnRecord // nil on layer_1 and layer_5
	act    tf.Output // leaky ReLU input (layers 1-4) or sigmoid output (layer 5)
}

// discriminator is the 70x70 PatchGAN: concat(inputs, image) through three
// stride-2 and two stride-1 4x4 convolutions, each after a 1-pixel zero pad,
// to [batch, 30, 30, 1] probabilities. Both copies (real and fake) use the
// variables under "discriminator/".
func (b *builder) discriminator(s *op.Scope, inputs, image tf.Output) (tf.Output, []dLayer) {
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
		y, l.bn = b.batchnorm(ls, "discriminator/"+name, y)
		l.act = y
		tape = append(tape, l)
		x = lrelu(ls, y)
	}

	// layer_5: [batch, 31, 31, ndf*8] => [batch, 30, 30, 1], sigmoid.
	ls = s.SubScope("layer_5")
	y, l = b.discrimConv(ls, "discriminator/layer_5", x, 1, 1)
	y = op.Sigmoid(ls.SubScope("Sigmoid"), y)
	l.act = y
	tape = append(tape, l)
	return y, tape
}

// discrimConv zero-pads one pixel on each spatial side, then convolves 4x4
// VALID with bias.
func (b *builder) discrimConv(s *op.Scope, name string, x tf.Output, out, stride int64) (tf.Output, dLayer) {
	in := channels(x)
	p := name + "/conv2d/"
	k, kernel := b.param(s, p+"kernel", []int64{4, 4, in, out}, weightInit, true)
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
func discrimBackward(s *op.Scope, tape []dLayer, dPredict tf.Output, read func(*nn.Variable) tf.Output, inChannels int64) tf.Output {
	s = s.SubScope("discriminator_backward")
	d := dPredict
	for i := len(tape) - 1; i >= 0; i-- {
		l := tape[i]
		ls := s.SubScope(fmt.Sprintf("layer_%d", i+1))
		if i == len(tape)-1 {
			d = op.SigmoidGrad(ls, l.act, d)
		} else {
			// d/dx of lrelu's lin*x + abs*|x| is lin + abs*sign(x).
			a := op.Mul(ls.SubScope("linear"), d, nn.Float(ls, lreluLinear))
			b := op.Mul(ls.SubScope("absolute"), op.Mul(ls.SubScope("abs_scale"), d, nn.Float(ls, lreluAbsolute)), op.Sign(ls, l.act))
			d = op.AddN(ls, []tf.Output{a, b})
			if l.bn != nil {
				d, _, _, _, _ = op.FusedBatchNormGradV3(ls.SubScope("bn"), d, l.bn.x, read(l.bn.gamma),
					l.bn.reserve[0], l.bn.reserve[1], l.bn.reserve[2],
					op.FusedBatchNormGradV3Epsilon(bnEpsilon), op.FusedBatchNormGradV3IsTraining(true))
			}
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
