// Package display builds the ops that turn the model's tensors into
// pictures, as the original shows them: back from [-1, 1] to [0, 1] (and
// from Lab to RGB for colorization), optionally rescaled to the output
// aspect ratio with bicubic interpolation, converted to uint8, and encoded
// as PNG for the images/ directory.
package display

import (
	"math"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/codec"
	"pix2pix/graphs/nn"
)

// Config says how to show images.
type Config struct {
	LabColorization bool
	WhichDirection  string
	// AspectRatio (width / height) rescales the written images to
	// 256 x round(256*AspectRatio); 1 leaves them as they are.
	AspectRatio float64
	// Batch is the static batch size (the PNG encoder handles images one
	// by one).
	Batch int
}

// Images are the displayable images, [batch, height, width, channels]
// uint8, and their PNG encodings (one string per image).
type Images struct {
	Inputs, Targets, Outputs          tf.Output
	InputPNGs, TargetPNGs, OutputPNGs []tf.Output
}

// Build converts inputs, targets and outputs of the model. Everything it
// adds is pinned to the host: PNG encoding has no GPU kernel, and these
// ops run only when images are shown.
func Build(s *op.Scope, c Config, inputs, targets, outputs tf.Output) Images {
	s = s.WithDevice(nn.HostDevice)
	var in, tg, out tf.Output
	switch {
	case c.LabColorization && c.WhichDirection == "AtoB":
		// inputs are lightness; targets and outputs are colour shown on
		// the input's lightness.
		tg = augment(s.SubScope("targets"), targets, inputs)
		out = augment(s.SubScope("outputs"), outputs, inputs)
		in = codec.ToUnit(s.SubScope("inputs"), inputs)
	case c.LabColorization:
		in = augment(s.SubScope("inputs"), inputs, targets)
		tg = codec.ToUnit(s.SubScope("targets"), targets)
		out = codec.ToUnit(s.SubScope("outputs"), outputs)
	default:
		in = codec.ToUnit(s.SubScope("inputs"), inputs)
		tg = codec.ToUnit(s.SubScope("targets"), targets)
		out = codec.ToUnit(s.SubScope("outputs"), outputs)
	}
	im := Images{
		Inputs:  convert(s.SubScope("convert_inputs"), c, in),
		Targets: convert(s.SubScope("convert_targets"), c, tg),
		Outputs: convert(s.SubScope("convert_outputs"), c, out),
	}
	es := s.SubScope("encode_images")
	im.InputPNGs = encode(es.SubScope("input_pngs"), im.Inputs, c.Batch)
	im.TargetPNGs = encode(es.SubScope("target_pngs"), im.Targets, c.Batch)
	im.OutputPNGs = encode(es.SubScope("output_pngs"), im.Outputs, c.Batch)
	return im
}

// augment shows colour channels ab ([..., 2]) on lightness l ([..., 1])
// as RGB.
func augment(s *op.Scope, ab, l tf.Output) tf.Output {
	s = s.SubScope("augment")
	return codec.LabToRGB(s, codec.DeprocessLab(s, l, ab))
}

// convert resizes to the aspect ratio if asked (bicubic) and converts to
// uint8 with saturation, as convert_image_dtype: x*255.5 clipped, then
// truncated.
func convert(s *op.Scope, c Config, x tf.Output) tf.Output {
	if c.AspectRatio != 0 && c.AspectRatio != 1 {
		h := x.Shape().Size(1) // the model's side
		w := int32(math.RoundToEven(float64(h) * c.AspectRatio))
		x = op.ResizeBicubic(s, x, op.Const(s.SubScope("size"), []int32{int32(h), w}))
	}
	return codec.ToUint8(s, x, true)
}

// encode PNG-encodes each image of a [batch, h, w, c] uint8 tensor.
func encode(s *op.Scope, images tf.Output, batch int) []tf.Output {
	parts := op.Unpack(s, images, int64(batch))
	out := make([]tf.Output, batch)
	for i, p := range parts {
		out[i] = op.EncodePng(s.SubScope("png"), p)
	}
	return out
}
