// Package serving builds the standalone inference graphs a trained
// generator is exported in: the original's export graph (web-safe base64
// PNG in, base64 PNG or JPEG out, for one image) and the graph of a
// SavedModel with an encoded-image signature and a float-tensor one.
package serving

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/codec"
	"pix2pix/graphs/pix2pix"
)

// Original is the original's export graph.
type Original struct {
	// Input and Key are string[1] placeholders: a web-safe base64 PNG and
	// an opaque key.
	Input, Key tf.Output
	// Output is string[1], the web-safe base64 encoded result; KeyOut
	// passes Key through.
	Output, KeyOut tf.Output
	Gen            *pix2pix.Generator
}

// BuildOriginal adds the original's export graph: decode the base64 PNG
// (alpha dropped, grey made RGB), a 256x256x3 float image, the generator,
// back to uint8 (no saturation, as there), encode PNG (or JPEG at quality
// 80), base64 out.
func BuildOriginal(s *op.Scope, cfg pix2pix.Config, jpeg bool) (*Original, error) {
	if cfg.InChannels != 3 || cfg.OutChannels != 3 {
		return nil, fmt.Errorf("export is not supported for lab_colorization")
	}
	e := &Original{}
	e.Input = op.Placeholder(s.SubScope("input"), tf.String, op.PlaceholderShape(tf.MakeShape(1)))
	e.Key = op.Placeholder(s.SubScope("key"), tf.String, op.PlaceholderShape(tf.MakeShape(1)))
	ds := s.SubScope("decode")
	b64 := op.Reshape(ds, e.Input, op.Const(ds.SubScope("scalar"), []int32{}))
	img := op.DecodePng(ds, op.DecodeBase64(ds, b64), op.DecodePngChannels(3))
	x := codec.ToFloat(ds, img)
	// The generator takes exactly 256x256: a clear error otherwise.
	x = op.Reshape(ds.SubScope("batch"), x, op.Const(ds.SubScope("shape"), []int32{1, int32(cfg.Size()), int32(cfg.Size()), 3}))
	x = codec.ToModel(ds, x)
	gen, err := pix2pix.BuildGenerator(s, cfg, x, pix2pix.GeneratorOptions{})
	if err != nil {
		return nil, err
	}
	e.Gen = gen
	es := s.SubScope("encode")
	y := codec.ToUnit(es, gen.Outputs)
	u8 := op.Reshape(es.SubScope("image"), codec.ToUint8(es, y, false), op.Const(es.SubScope("shape"), []int32{int32(cfg.Size()), int32(cfg.Size()), 3}))
	var data tf.Output
	if jpeg {
		data = op.EncodeJpeg(es, u8, op.EncodeJpegQuality(80))
	} else {
		data = op.EncodePng(es, u8)
	}
	e.Output = op.Reshape(es.SubScope("output"), op.EncodeBase64(es, data), op.Const(es.SubScope("one_elem"), []int32{1}))
	e.KeyOut = op.Identity(s.SubScope("key_out"), e.Key)
	return e, s.Err()
}

// Serving is the SavedModel graph: two signatures on one set of weights.
type Serving struct {
	// Image (string scalar: PNG or JPEG bytes, any size) -> Translated
	// (PNG bytes of the input's size).
	Image, Translated tf.Output
	// Images ([batch, 256, 256, 3] float in [0, 1]) -> Outputs (same),
	// with dropout if the config has it.
	Images, Outputs tf.Output
	// DetImages -> DetOutputs is the same without dropout: deterministic,
	// what converters (OpenVINO, tf2onnx) and deployments want. Without
	// dropout in the config they are Images and Outputs.
	DetImages, DetOutputs tf.Output
	Gen                   *pix2pix.Generator
}

// BuildServing adds the SavedModel graph. Batch norm uses each image's
// own statistics, so outputs do not depend on batching.
func BuildServing(s *op.Scope, cfg pix2pix.Config) (*Serving, error) {
	if cfg.InChannels != 3 || cfg.OutChannels != 3 {
		return nil, fmt.Errorf("export is not supported for lab_colorization")
	}
	v := &Serving{}
	fs := s.SubScope("tensors")
	v.Images = op.Placeholder(fs.SubScope("images"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, cfg.Size(), cfg.Size(), 3)))
	gen, err := pix2pix.BuildGenerator(s, cfg, codec.ToModel(fs, v.Images), pix2pix.GeneratorOptions{PerImageNorm: true})
	if err != nil {
		return nil, err
	}
	v.Gen = gen
	v.Outputs = codec.ToUnit(fs, gen.Outputs)
	v.DetImages, v.DetOutputs = v.Images, v.Outputs
	if cfg.Dropout {
		det := cfg
		det.Dropout = false
		if v.DetImages, v.DetOutputs, err = floatSignature(s.SubScope("deterministic"), det, gen); err != nil {
			return nil, err
		}
	}

	bs := s.SubScope("bytes")
	v.Image = op.Placeholder(bs.SubScope("image"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	img, size := codec.DecodeAny(bs, v.Image)
	x := codec.ToModel(bs, codec.ResizeToModel(bs, codec.ToFloat(bs, img), cfg.Size()))
	gen2, err := pix2pix.BuildGenerator(s, cfg, x, pix2pix.GeneratorOptions{PerImageNorm: true, Store: gen.Vars, Step: gen.Step})
	if err != nil {
		return nil, err
	}
	u8 := codec.ResizeToUint8(bs, codec.ToUnit(bs, gen2.Outputs), size)
	v.Translated = op.EncodePng(bs, u8)
	return v, s.Err()
}

// floatSignature adds another float [batch, 256, 256, 3] in [0, 1]
// generator on gen's variables, under its own scope.
func floatSignature(fs *op.Scope, cfg pix2pix.Config, gen *pix2pix.Generator) (in, out tf.Output, err error) {
	in = op.Placeholder(fs.SubScope("images"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, cfg.Size(), cfg.Size(), 3)))
	pre := op.Sub(fs.SubScope("preprocess"), op.Mul(fs.SubScope("x2"), in, op.Const(fs.SubScope("two"), float32(2))), op.Const(fs.SubScope("one"), float32(1)))
	g, err := pix2pix.BuildGenerator(fs, cfg, pre, pix2pix.GeneratorOptions{PerImageNorm: true, Store: gen.Vars, Step: gen.Step})
	if err != nil {
		return in, out, err
	}
	out = op.Div(fs.SubScope("deprocess"), op.AddV2(fs, g.Outputs, op.Const(fs.SubScope("one_b"), float32(1))), op.Const(fs.SubScope("two_b"), float32(2)))
	return in, out, fs.Err()
}
