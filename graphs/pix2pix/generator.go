package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// widthMult is encoder_k's width in units of ngf: 1, 2, 4, then capped at
// 8, as the original's encoder_4..8.
func widthMult(k int) int64 {
	if k >= 4 {
		return 8
	}
	return int64(1) << (k - 1)
}

// generator is the U-Net: Levels (8 at 256) down blocks to 1x1, as many
// up blocks back, each decoder_k fed with the previous layer concatenated
// with encoder_k (the skip connections). inputs and the result are
// [batch, size, size, channels] in [-1, 1].
func (b *builder) generator(s *op.Scope, inputs tf.Output) tf.Output {
	ngf := int64(b.cfg.NGF)
	n := b.cfg.Levels()
	s = s.SubScope("generator")
	var layers []tf.Output

	// encoder_1: [batch, 256, 256, in] => [batch, 128, 128, ngf]; no
	// activation or norm in front of it.
	prev := s.SubScope("encoder_1")
	layers = append(layers, b.genConv(prev, "generator/encoder_1", inputs, ngf))

	// encoder_2..n halve the size down to 1x1.
	for k := 2; k <= n; k++ {
		name := fmt.Sprintf("encoder_%d", k)
		ls := s.SubScope(name)
		var x tf.Output
		if b.cfg.FastForms {
			// encoder_(k-1)'s skip input becomes its leaky ReLU: its
			// decoder reads it only through a ReLU, and relu(lrelu(x)) is
			// relu(x) exactly. With one reader, TensorFlow fuses the
			// activation into the convolution before it, and names the
			// fused op after it: so it is built in encoder_(k-1)'s scope,
			// where traces then count that convolution.
			x = b.encoderActivation(prev, layers[len(layers)-1])
			layers[len(layers)-1] = x
		} else {
			x = b.encoderActivation(ls, layers[len(layers)-1])
		}
		prev = ls
		x = b.genConv(ls, "generator/"+name, x, ngf*widthMult(k))
		x, _ = b.norm(ls, b.cfg.GenNorm, "generator/"+name, x)
		layers = append(layers, x)
	}

	// decoder_n..2 double it back, decoder_k as wide as encoder_(k-1);
	// the first three drop out half their units. decoder_k takes
	// encoder_k as its skip input.
	for k := n; k >= 2; k-- {
		name := fmt.Sprintf("decoder_%d", k)
		ls := s.SubScope(name)
		x := layers[len(layers)-1]
		if k < n {
			x = concat(ls, x, layers[k-1])
		}
		x = op.Relu(ls.SubScope("Relu"), x)
		x = b.genDeconv(ls, "generator/"+name, x, ngf*widthMult(k-1))
		x, _ = b.norm(ls, b.cfg.GenNorm, "generator/"+name, x)
		if k > n-3 && b.cfg.Dropout {
			x = b.dropout(ls, x, dropoutRate)
		}
		layers = append(layers, x)
	}

	// decoder_1: [batch, 128, 128, 2*ngf] => [batch, 256, 256, out], tanh.
	ls := s.SubScope("decoder_1")
	x := concat(ls, layers[len(layers)-1], layers[0])
	x = op.Relu(ls.SubScope("Relu"), x)
	x = b.genDeconv(ls, "generator/decoder_1", x, int64(b.cfg.OutChannels))
	return op.Tanh(ls.SubScope("Tanh"), x)
}

// concat joins a and b on the channel axis.
func concat(s *op.Scope, a, b tf.Output) tf.Output {
	s = s.SubScope("concat")
	return op.ConcatV2(s, []tf.Output{a, b}, op.Const(s.SubScope("axis"), int32(3)))
}
