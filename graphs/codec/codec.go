// Package codec builds every conversion between image files and the
// model's tensors: uint8 to [0, 1] floats and [0, 1] to the model's
// [-1, 1] and back (convert.go), RGB to CIE Lab and back (lab.go), and
// the graphs batch inference runs on single images (no B half): a decoder
// that turns any PNG or JPEG into the generator's 256x256 input, and an
// encoder that turns the generator's output back into an image file of
// the input's size (or 256x256). The training pipeline, the display
// images and the exported graphs use the same functions.
package codec

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Decoder maps a file's bytes to the generator's input.
type Decoder struct {
	// Contents is the file's bytes (string scalar).
	Contents tf.Output
	// Input is [256, 256, channels] in [-1, 1]: RGB (alpha dropped, grey
	// expanded), or for Lab colorization the lightness channel.
	Input tf.Output
	// Size is the decoded image's [height, width] (int32).
	Size tf.Output
	// Lightness is the image's L channel in the model's range, [256, 256,
	// 1] (Lab models only: the encoder shows the colour on it).
	Lightness tf.Output
}

// BuildDecoder adds a decoder. Images are scaled to 256x256 with AREA
// interpolation, as the training pipeline scales them. With unit, Input
// stays in [0, 1] (for a SavedModel's float signature).
func BuildDecoder(s *op.Scope, lab, unit bool, side int64) Decoder {
	s = s.SubScope("decode")
	var d Decoder
	d.Contents = op.Placeholder(s.SubScope("contents"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	img, size := DecodeAny(s, d.Contents)
	d.Size = size
	x := ResizeToModel(s, ToFloat(s, img), side)
	x = op.Squeeze(s, x, op.SqueezeAxis([]int64{0}))
	if lab {
		l := lightness(s, x)
		d.Input, d.Lightness = l, l
		return d
	}
	if unit {
		d.Input = x
		return d
	}
	d.Input = ToModel(s, x)
	return d
}

// lightness is L/50 - 1 of an RGB image in [0, 1], [h, w, 1].
func lightness(s *op.Scope, rgb tf.Output) tf.Output {
	lab := RGBToLab(s, rgb)
	l := op.Slice(s.SubScope("L"), lab, nn.Const(s, []int32{0, 0, 0}), nn.Const(s, []int32{-1, -1, 1}))
	return LightnessToModel(s.SubScope("scale_L"), l)
}

// PNGDefaultLevel asks EncodePng for zlib's default compression (level
// 6): what TensorFlow's encode_png, and so the original's test mode, use.
const PNGDefaultLevel = -1

// CheckPNGLevel refuses a level EncodePng does not take: PNGDefaultLevel,
// 0 (rows stored uncompressed, the fastest to write) or zlib's 1-9. The
// pixels are the same at every level; README.md ("pix2pix infer") has
// what level 0 saves and costs.
func CheckPNGLevel(level int) error {
	if level < -1 || level > 9 {
		return fmt.Errorf("PNG compression must be -1 (zlib's default) or a zlib level 0-9, got %d", level)
	}
	return nil
}

// Encoder maps one generator output back to an image file.
type Encoder struct {
	// Output is one generator output, [256, 256, channels].
	Output tf.Output
	// Lightness is the input's L channel (Lab models), [256, 256, 1].
	Lightness tf.Output
	// Size is the [height, width] to resize to (int32).
	Size tf.Output
	// PNG and JPEG are the encoded image (JPEG at quality 95).
	PNG, JPEG tf.Output
}

// BuildEncoder adds an encoder for outputs of outChannels channels, in
// [-1, 1] (the generator's range) or with unit in [0, 1].
// The outputs are size x size (-1: any side, for infer --resize native).
// pngLevel is the PNG's zlib level (see PNGDefaultLevel).
func BuildEncoder(s *op.Scope, outChannels int, lab, unit bool, size int64, pngLevel int) Encoder {
	s = s.SubScope("encode")
	var e Encoder
	e.Output = op.Placeholder(s.SubScope("output"), tf.Float, op.PlaceholderShape(tf.MakeShape(size, size, int64(outChannels))))
	e.Size = op.Placeholder(s.SubScope("size"), tf.Int32, op.PlaceholderShape(tf.MakeShape(2)))
	var rgb tf.Output
	if lab {
		e.Lightness = op.Placeholder(s.SubScope("lightness"), tf.Float, op.PlaceholderShape(tf.MakeShape(size, size, 1)))
		rgb = LabToRGB(s, DeprocessLab(s, e.Lightness, e.Output))
	} else if unit {
		rgb = e.Output
	} else {
		rgb = ToUnit(s, e.Output)
	}
	img := ResizeToUint8(s, op.ExpandDims(s, rgb, nn.Const(s, int32(0))), e.Size)
	e.PNG = op.EncodePng(s, img, op.EncodePngCompression(int64(pngLevel)))
	e.JPEG = op.EncodeJpeg(s, img, op.EncodeJpegQuality(95))
	return e
}
