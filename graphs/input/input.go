// Package input builds the in-graph image pipeline of the original: decode
// a file's bytes, convert to float in [0, 1], split the A|B pair (or convert
// to Lab for colorization), order by direction, then the random transform
// shared by input and target (left-right flip, AREA resize to scale_size,
// crop to crop_size, 256 by default). The random choices come in as values, so the caller decides
// them from the seed; everything numeric is TensorFlow's own kernels, so
// pixels match the original's. The value and colour conversions are
// graphs/codec's.
package input

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/codec"
	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
)

// Config is the pipeline's options, under the original's names.
type Config struct {
	// LabColorization: the image is a single colour picture; A is its
	// lightness (1 channel), B its colour (a, b: 2 channels).
	LabColorization bool
	// WhichDirection is "AtoB" (inputs A, targets B) or "BtoA".
	WhichDirection string
	// ScaleSize is the side images are resized to before the crop.
	ScaleSize int
	// CropSize is the crop's side, the model's image side (0: 256).
	CropSize int
	// PNG selects decode_png; otherwise decode_jpeg (the original picks
	// by which files the input directory holds).
	PNG bool
}

// Validate rejects options the original rejects.
func (c Config) Validate() error {
	if c.WhichDirection != "AtoB" && c.WhichDirection != "BtoA" {
		return fmt.Errorf("which_direction %q: want AtoB or BtoA", c.WhichDirection)
	}
	if c.ScaleSize < c.Crop() {
		return fmt.Errorf("scale_size %d is less than the crop size %d: use --scale_size %d or more", c.ScaleSize, c.Crop(), c.Crop())
	}
	return nil
}

// Crop is the crop's side.
func (c Config) Crop() int {
	if c.CropSize == 0 {
		return pix2pix.DefaultCropSize
	}
	return c.CropSize
}

// Channels returns the channel counts of inputs and targets.
func (c Config) Channels() (in, out int) {
	a, b := 3, 3
	if c.LabColorization {
		a, b = 1, 2
	}
	if c.WhichDirection == "BtoA" {
		return b, a
	}
	return a, b
}

// Decoder turns a file's bytes into its pixels.
type Decoder struct {
	// Contents is the string scalar to feed with the file's bytes.
	Contents tf.Output
	// Image is the decoded [height, width, channels] uint8 image, in as
	// many channels as the file has: the caller checks for 3.
	Image tf.Output
}

// BuildDecoder adds a decoder: decode_png or decode_jpeg with TensorFlow's
// defaults, as the original.
func BuildDecoder(s *op.Scope, png bool) Decoder {
	s = s.SubScope("decode")
	c := op.Placeholder(s.SubScope("contents"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	var img tf.Output
	if png {
		img = op.DecodePng(s, c)
	} else {
		img = op.DecodeJpeg(s, c)
	}
	return Decoder{Contents: c, Image: img}
}

// Transform is the per-example pipeline after decoding.
type Transform struct {
	// Image is the [height, width, 3] uint8 placeholder to feed.
	Image tf.Output
	// Flip (bool scalar) mirrors both halves left-right; Offset (int32
	// [2]: y, x) is the crop's corner after scaling.
	Flip, Offset tf.Output
	// Inputs and Targets are [256, 256, channels] in [-1, 1].
	Inputs, Targets tf.Output
}

// BuildTransform adds the per-example pipeline for cfg.
func BuildTransform(s *op.Scope, cfg Config) (Transform, error) {
	if err := cfg.Validate(); err != nil {
		return Transform{}, err
	}
	s = s.SubScope("load_images")
	var t Transform
	t.Image = op.Placeholder(s.SubScope("image"), tf.Uint8, op.PlaceholderShape(tf.MakeShape(-1, -1, 3)))
	t.Flip = op.Placeholder(s.SubScope("flip"), tf.Bool, op.PlaceholderShape(tf.ScalarShape()))
	t.Offset = op.Placeholder(s.SubScope("offset"), tf.Int32, op.PlaceholderShape(tf.MakeShape(2)))

	raw := codec.ToFloat(s, t.Image)
	var a, b tf.Output
	if cfg.LabColorization {
		a, b = codec.LabToModel(s, codec.RGBToLab(s, raw))
	} else {
		// A is the left half, B the right: cut at width // 2.
		hs := s.SubScope("split")
		w := op.Slice(hs, op.Shape(hs, raw, op.ShapeOutType(tf.Int32)), nn.Const(hs, []int32{1}), nn.Const(hs, []int32{1}))
		half := op.FloorDiv(hs, w, nn.Const(hs, []int32{2}))
		zero := nn.Const(hs, []int32{0})
		cat := func(parts ...tf.Output) tf.Output {
			cs := hs.SubScope("begin")
			return op.ConcatV2(cs, parts, nn.Const(cs, int32(0)))
		}
		left := op.Slice(hs.SubScope("A"), raw, cat(zero, zero, zero), cat(nn.Const(hs, []int32{-1}), half, nn.Const(hs, []int32{-1})))
		right := op.Slice(hs.SubScope("B"), raw, cat(zero, half, zero), nn.Const(hs, []int32{-1, -1, -1}))
		a, b = codec.ToModel(hs.SubScope("A"), left), codec.ToModel(hs.SubScope("B"), right)
	}
	inputs, targets := a, b
	if cfg.WhichDirection == "BtoA" {
		inputs, targets = b, a
	}
	t.Inputs = transform(s.SubScope("input_images"), cfg, inputs, t.Flip, t.Offset)
	t.Targets = transform(s.SubScope("target_images"), cfg, targets, t.Flip, t.Offset)
	return t, s.Err()
}

// transform: flip, resize to scale_size x scale_size with AREA
// interpolation (the aspect ratio is not kept), crop 256 x 256 at offset.
func transform(s *op.Scope, cfg Config, img, flip, offset tf.Output) tf.Output {
	mirrored := op.ReverseV2(s.SubScope("flip"), img, nn.Const(s, []int32{1}))
	img = op.Select(s, flip, mirrored, img)
	size := int32(cfg.ScaleSize)
	batch := op.ExpandDims(s, img, nn.Const(s, int32(0)))
	img = op.Squeeze(s, op.ResizeArea(s, batch, nn.Const(s, []int32{size, size})), op.SqueezeAxis([]int64{0}))
	if cfg.ScaleSize > cfg.Crop() {
		cs := s.SubScope("crop")
		begin := op.ConcatV2(cs, []tf.Output{offset, nn.Const(cs, []int32{0})}, nn.Const(cs, int32(0)))
		img = op.Slice(cs, img, begin, nn.Const(cs, []int32{int32(cfg.Crop()), int32(cfg.Crop()), -1}))
	}
	return img
}
