// Package infer builds the graphs of batch inference on single images
// (no B half): a decoder that turns any PNG or JPEG into the generator's
// 256x256 input, and an encoder that turns the generator's output back into
// an image file of the input's size (or 256x256).
package infer

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/display"
	"pix2pix/graphs/input"
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
func BuildDecoder(s *op.Scope, lab, unit bool) Decoder {
	s = s.SubScope("decode")
	var d Decoder
	d.Contents = op.Placeholder(s.SubScope("contents"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	img := op.DecodeImage(s, d.Contents, op.DecodeImageChannels(3), op.DecodeImageExpandAnimations(false))
	d.Size = op.Slice(s.SubScope("size"), op.Shape(s, img, op.ShapeOutType(tf.Int32)), c(s, []int32{0}), c(s, []int32{2}))
	x := op.Mul(s.SubScope("to_float"), op.Cast(s, img, tf.Float), c(s, float32(1.0/255)))
	x = op.ExpandDims(s, x, c(s, int32(0)))
	x = op.ResizeArea(s, x, c(s, []int32{input.CropSize, input.CropSize}))
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
	d.Input = op.Sub(s.SubScope("preprocess"), op.Mul(s.SubScope("scale"), x, c(s, float32(2))), c(s, float32(1)))
	return d
}

// lightness is L/50 - 1 of an RGB image in [0, 1], [h, w, 1].
func lightness(s *op.Scope, rgb tf.Output) tf.Output {
	lab := input.RGBToLab(s, rgb)
	l := op.Slice(s.SubScope("L"), lab, c(s, []int32{0, 0, 0}), c(s, []int32{-1, -1, 1}))
	return op.Sub(s.SubScope("scale_L"), op.Div(s, l, c(s, float32(50))), c(s, float32(1)))
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
func BuildEncoder(s *op.Scope, outChannels int, lab, unit bool) Encoder {
	s = s.SubScope("encode")
	var e Encoder
	e.Output = op.Placeholder(s.SubScope("output"), tf.Float, op.PlaceholderShape(tf.MakeShape(input.CropSize, input.CropSize, int64(outChannels))))
	e.Size = op.Placeholder(s.SubScope("size"), tf.Int32, op.PlaceholderShape(tf.MakeShape(2)))
	var rgb tf.Output
	if lab {
		e.Lightness = op.Placeholder(s.SubScope("lightness"), tf.Float, op.PlaceholderShape(tf.MakeShape(input.CropSize, input.CropSize, 1)))
		rgb = input.LabToRGB(s, input.DeprocessLab(s, e.Lightness, e.Output))
	} else if unit {
		rgb = e.Output
	} else {
		rgb = op.Div(s.SubScope("deprocess"), op.AddV2(s, e.Output, c(s, float32(1))), c(s, float32(2)))
	}
	batch := op.ExpandDims(s, rgb, c(s, int32(0)))
	batch = op.ResizeBicubic(s, batch, e.Size)
	img := op.Squeeze(s, display.ToUint8(s, batch, true), op.SqueezeAxis([]int64{0}))
	e.PNG = op.EncodePng(s, img)
	e.JPEG = op.EncodeJpeg(s, img, op.EncodeJpegQuality(95))
	return e
}

func c(s *op.Scope, v interface{}) tf.Output { return op.Const(s.SubScope("Const"), v) }
