package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// generator is the U-Net: eight down blocks to 1x1, eight up blocks back to
// 256x256, each decoder_k fed with the previous layer concatenated with
// encoder_k (the skip connections). inputs and the result are
// [batch, 256, 256, channels] in [-1, 1].
func (b *builder) generator(s *op.Scope, inputs tf.Output) tf.Output {
	ngf := int64(b.cfg.NGF)
	s = s.SubScope("generator")
	var layers []tf.Output

	// encoder_1: [batch, 256, 256, in] => [batch, 128, 128, ngf]; no
	// activation or norm in front of it.
	layers = append(layers, b.genConv(s.SubScope("encoder_1"), "generator/encoder_1", inputs, ngf))

	// encoder_2..8 halve the size down to 1x1.
	for i, mult := range []int64{2, 4, 8, 8, 8, 8, 8} {
		name := fmt.Sprintf("encoder_%d", i+2)
		ls := s.SubScope(name)
		x := lrelu(ls, layers[len(layers)-1])
		x = b.genConv(ls, "generator/"+name, x, ngf*mult)
		x, _ = b.batchnorm(ls, "generator/"+name, x)
		layers = append(layers, x)
	}

	// decoder_8..2 double it back; the first three drop out half their
	// units. decoder_k takes encoder_k as its skip input.
	decoders := []struct {
		mult    int64
		dropout bool
	}{{8, true}, {8, true}, {8, true}, {8, false}, {4, false}, {2, false}, {1, false}}
	nEnc := len(layers)
	for i, d := range decoders {
		skip := nEnc - i - 1 // decoder_(skip+1) pairs with layers[skip]
		name := fmt.Sprintf("decoder_%d", skip+1)
		ls := s.SubScope(name)
		x := layers[len(layers)-1]
		if i > 0 {
			x = concat(ls, x, layers[skip])
		}
		x = op.Relu(ls.SubScope("Relu"), x)
		x = b.genDeconv(ls, "generator/"+name, x, ngf*d.mult)
		x, _ = b.batchnorm(ls, "generator/"+name, x)
		if d.dropout && b.cfg.Dropout {
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
