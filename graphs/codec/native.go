package codec

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// BuildNativeDecoder adds infer --resize native's decoder: the image at
// its own size, mirrored out at the bottom and right up to the next
// multiples of stride (see ReflectPad), so that a fully convolutional
// generator can run on it. Size is the image's own [height, width];
// Lightness (Lab models) is unpadded, as the encoder crops the output
// back before colouring it.
func BuildNativeDecoder(s *op.Scope, lab bool, stride int64) Decoder {
	s = s.SubScope("decode_native")
	var d Decoder
	d.Contents = op.Placeholder(s.SubScope("contents"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	img, size := DecodeAny(s, d.Contents)
	d.Size = size
	x := ToFloat(s, img)
	if lab {
		d.Lightness = lightness(s, x)
		d.Input = ReflectPad(s, d.Lightness, stride)
		return d
	}
	d.Input = ReflectPad(s, ToModel(s, x), stride)
	return d
}

// ReflectPad extends a [height, width, c] image at the bottom and right
// to the next multiples of stride by mirroring it about its last row and
// column without repeating them (TensorFlow's MirrorPad REFLECT, which
// this equals when the padding is smaller than the side), continued
// periodically when the padding is larger; a side of one pixel is
// repeated.
func ReflectPad(s *op.Scope, x tf.Output, stride int64) tf.Output {
	s = s.SubScope("reflect_pad")
	shape := op.Shape(s, x, op.ShapeOutType(tf.Int32))
	for axis := int32(0); axis < 2; axis++ {
		as := s.SubScope("axis")
		i32 := func(name string, v int32) tf.Output { return op.Const(as.SubScope(name), v) }
		n := op.Squeeze(as, op.Slice(as, shape, op.Const(as.SubScope("begin"), []int32{axis}), op.Const(as.SubScope("size"), []int32{1})))
		st := i32("stride", int32(stride))
		up := op.AddV2(as.SubScope("round_up"), n, i32("stride_less_one", int32(stride-1)))
		padded := op.Mul(as.SubScope("padded"), op.FloorDiv(as, up, st), st)
		// Mirroring about 0 and n-1 repeats with period 2(n-1) (at least
		// 1): index j reads r = j mod period, or period - r past the last
		// row, whichever is smaller.
		last := op.Sub(as.SubScope("last"), n, i32("one", 1))
		period := op.Maximum(as, op.Mul(as.SubScope("period"), last, i32("two", 2)), i32("min_period", 1))
		r := op.FloorMod(as, op.Range(as, i32("zero", 0), padded, i32("delta", 1)), period)
		idx := op.Minimum(as, r, op.Sub(as.SubScope("mirrored"), period, r))
		x = op.GatherV2(as, x, idx, i32("gather_axis", axis))
	}
	return x
}

// BuildNativeEncoder adds infer --resize native's encoder: Output is a
// padded generator output of any size, cropped back to Size (the image's
// own) and encoded with no resizing.
func BuildNativeEncoder(s *op.Scope, outChannels int, lab bool, pngLevel int) Encoder {
	s = s.SubScope("encode_native")
	var e Encoder
	e.Output = op.Placeholder(s.SubScope("output"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, -1, int64(outChannels))))
	e.Size = op.Placeholder(s.SubScope("size"), tf.Int32, op.PlaceholderShape(tf.MakeShape(2)))
	size := op.ConcatV2(s, []tf.Output{e.Size, nn.Const(s.SubScope("all_channels"), []int32{-1})}, nn.Const(s.SubScope("axis"), int32(0)))
	out := op.Slice(s.SubScope("crop"), e.Output, nn.Const(s.SubScope("origin"), []int32{0, 0, 0}), size)
	var rgb tf.Output
	if lab {
		e.Lightness = op.Placeholder(s.SubScope("lightness"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, -1, 1)))
		rgb = LabToRGB(s, DeprocessLab(s, e.Lightness, out))
	} else {
		rgb = ToUnit(s, out)
	}
	img := ToUint8(s, rgb, true)
	e.PNG = op.EncodePng(s, img, op.EncodePngCompression(int64(pngLevel)))
	e.JPEG = op.EncodeJpeg(s, img, op.EncodeJpegQuality(95))
	return e
}
