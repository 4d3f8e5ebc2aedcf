package codec

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// The model's value ranges: images are decoded to floats in [0, 1]
// (convert_image_dtype), the generator and discriminator take and give
// [-1, 1]. Every graph that crosses between them does it here, with the
// original's ops in the original's order, so the numbers are the same
// everywhere.

// ToFloat converts a uint8 image to float32 in [0, 1] as
// convert_image_dtype does: a multiply by 1/255.
func ToFloat(s *op.Scope, img tf.Output) tf.Output {
	return op.Mul(s.SubScope("to_float"), op.Cast(s, img, tf.Float), nn.Float(s, 1.0/255))
}

// ToModel maps [0, 1] to the model's [-1, 1]: x*2 - 1.
func ToModel(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("preprocess")
	return op.Sub(s, op.Mul(s, x, nn.Float(s, 2)), nn.Float(s, 1))
}

// ToUnit maps the model's [-1, 1] back to [0, 1]: (x + 1) / 2.
func ToUnit(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("deprocess")
	return op.Div(s, op.AddV2(s, x, nn.Float(s, 1)), nn.Float(s, 2))
}

// ToUint8 converts [0, 1] floats to uint8 as convert_image_dtype does:
// x*255.5, truncated; with saturate the scaled values are clipped to
// [0, 255] first.
func ToUint8(s *op.Scope, x tf.Output, saturate bool) tf.Output {
	s = s.SubScope("to_uint8")
	x = op.Mul(s, x, nn.Float(s, 255.5))
	if saturate {
		x = op.ClipByValue(s, x, nn.Float(s, 0), nn.Float(s, 255))
	}
	return op.Cast(s, x, tf.Uint8)
}

// DecodeAny decodes PNG or JPEG bytes (a string scalar) to a [height,
// width, 3] uint8 image (alpha dropped, grey expanded, the first frame of
// an animation) and its [height, width] (int32).
func DecodeAny(s *op.Scope, contents tf.Output) (img, size tf.Output) {
	img = op.DecodeImage(s, contents, op.DecodeImageChannels(3), op.DecodeImageExpandAnimations(false))
	size = op.Slice(s.SubScope("size"), op.Shape(s, img, op.ShapeOutType(tf.Int32)), nn.Const(s, []int32{0}), nn.Const(s, []int32{2}))
	return img, size
}

// ResizeToModel scales a [height, width, c] float image to one batch of
// the model's size, [1, 256, 256, c], with AREA interpolation, as the
// training pipeline scales its images.
func ResizeToModel(s *op.Scope, x tf.Output, size int64) tf.Output {
	x = op.ExpandDims(s, x, nn.Const(s, int32(0)))
	return op.ResizeArea(s, x, nn.Const(s, []int32{int32(size), int32(size)}))
}

// ResizeToUint8 scales a batch of one [0, 1] image ([1, 256, 256, c]) to
// size ([height, width], bicubic) and converts it to a [height, width, c]
// uint8 image, saturated.
func ResizeToUint8(s *op.Scope, batch, size tf.Output) tf.Output {
	batch = op.ResizeBicubic(s, batch, size)
	return op.Squeeze(s, ToUint8(s, batch, true), op.SqueezeAxis([]int64{0}))
}
