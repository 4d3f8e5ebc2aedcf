package yenchenlin

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// generator is model.py's U-Net on image ([batch, 256, 256, 3]): encoder
// e1 = conv (no norm), e2..e8 = bn(conv(lrelu)); decoder d1..d7 =
// bn(deconv(relu)) (dropout after the norm on d1-d3) concatenated with
// e7..e1; d8 = deconv(relu) to 3 channels, tanh. Scopes g_e<k>_conv,
// g_bn_e<k>, g_d<k>, g_bn_d<k> under generator/.
func (b *builder) generator(s *op.Scope, image tf.Output) tf.Output {
	s = s.SubScope("generator")
	g := int64(b.cfg.NGF)
	widths := []int64{g, g * 2, g * 4, g * 8, g * 8, g * 8, g * 8, g * 8}
	e := []tf.Output{b.conv(s, "generator/g_e1_conv", image, widths[0], 2)}
	for k := 2; k <= 8; k++ {
		c := b.conv(s, fmt.Sprintf("generator/g_e%d_conv", k), lrelu(s, e[k-2]), widths[k-1], 2)
		e = append(e, b.batchnorm(s, fmt.Sprintf("generator/g_bn_e%d", k), c))
	}
	x := e[7]
	for k := 1; k <= 7; k++ {
		up := b.deconv(s, fmt.Sprintf("generator/g_d%d", k), op.Relu(s.SubScope("relu"), x), widths[7-k])
		d := b.batchnorm(s, fmt.Sprintf("generator/g_bn_d%d", k), up)
		if k <= 3 && b.cfg.Dropout {
			d = b.dropout(s, d)
		}
		cs := s.SubScope("concat")
		x = op.ConcatV2(cs, []tf.Output{d, e[7-k]}, op.Const(cs.SubScope("axis"), int32(3)))
	}
	return op.Tanh(s, b.deconv(s, "generator/g_d8", op.Relu(s.SubScope("relu"), x), 3))
}

// discriminator is model.py's: h0 = lrelu(conv(ndf)), h1..h2 =
// lrelu(bn(conv)) at ndf*2, ndf*4, h3 = lrelu(bn(conv(ndf*8, stride 1))),
// then the flattened h3 through one linear unit (d_h3_lin: Matrix normal,
// bias 0). It returns the sigmoid and the logit, [batch, 1]. Both copies
// (real and fake pairs) share the variables and their reads.
func (b *builder) discriminator(s *op.Scope, ab tf.Output) (prob, logits tf.Output) {
	f := int64(b.cfg.NDF)
	h := lrelu(s, b.conv(s, "discriminator/d_h0_conv", ab, f, 2))
	h = lrelu(s, b.batchnorm(s, "discriminator/d_bn1", b.conv(s, "discriminator/d_h1_conv", h, f*2, 2)))
	h = lrelu(s, b.batchnorm(s, "discriminator/d_bn2", b.conv(s, "discriminator/d_h2_conv", h, f*4, 2)))
	h = lrelu(s, b.batchnorm(s, "discriminator/d_bn3", b.conv(s, "discriminator/d_h3_conv", h, f*8, 1)))
	sh := h.Shape()
	n := sh.Size(1) * sh.Size(2) * sh.Size(3)
	ls := s.SubScope("d_h3_lin")
	flat := op.Reshape(ls, h, op.Const(ls.SubScope("shape"), []int64{-1, n}))
	m := b.variable(ls, "discriminator/d_h3_lin/Matrix", []int64{n, 1}, normalInit, true)
	bias := b.variable(ls, "discriminator/d_h3_lin/bias", []int64{1}, zerosInit, true)
	logits = op.AddV2(ls, op.MatMul(ls, flat, m), bias)
	return op.Sigmoid(s, logits), logits
}
