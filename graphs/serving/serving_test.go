package serving

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
)

// TestServingSignatures: the three signatures share one set of weights;
// the deterministic one ignores the dropout step while the dropout one
// does not; the bytes one answers a PNG of the input's own size; a Lab
// model is refused.
func TestServingSignatures(t *testing.T) {
	cfg := pix2pix.DefaultConfig()
	cfg.NGF, cfg.NDF, cfg.Seed, cfg.Dropout = 4, 4, 1, true
	lab := cfg
	lab.InChannels, lab.OutChannels = 1, 2
	if _, err := BuildServing(op.NewScope(), lab); err == nil || !strings.Contains(err.Error(), "lab_colorization") {
		t.Errorf("Lab model: %v, want a refusal naming lab_colorization", err)
	}
	s := op.NewScope()
	v, err := BuildServing(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.Gen.Vars.All()); n != 88 {
		t.Errorf("%d variables, want the generator's 88 once", n)
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if _, err := sess.Run(nil, nil, []*tf.Operation{v.Gen.Init}); err != nil {
		t.Fatal(err)
	}
	img := make([][][][]float32, 1)
	img[0] = make([][][]float32, 256)
	for y := range img[0] {
		img[0][y] = make([][]float32, 256)
		for x := range img[0][y] {
			img[0][y][x] = []float32{float32(x) / 255, float32(y) / 255, 0.5}
		}
	}
	in, _ := tf.NewTensor(img)
	run := func(step int64, fetch tf.Output, feed tf.Output) []float32 {
		st, _ := tf.NewTensor(step)
		out, err := sess.Run(map[tf.Output]*tf.Tensor{feed: in, v.Gen.Step: st}, []tf.Output{fetch}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var flat []float32
		for _, row := range out[0].Value().([][][][]float32)[0] {
			for _, p := range row {
				flat = append(flat, p...)
			}
		}
		return flat
	}
	differ := func(a, b []float32) bool {
		for i := range a {
			if a[i] != b[i] {
				return true
			}
		}
		return false
	}
	if differ(run(1, v.DetOutputs, v.DetImages), run(2, v.DetOutputs, v.DetImages)) {
		t.Error("the deterministic signature depends on the dropout step")
	}
	if !differ(run(1, v.Outputs, v.Images), run(2, v.Outputs, v.Images)) {
		t.Error("the dropout signature ignores the dropout step")
	}
	var src bytes.Buffer
	png.Encode(&src, image.NewRGBA(image.Rect(0, 0, 300, 200)))
	b, _ := tf.NewTensor(src.String())
	out, err := sess.Run(map[tf.Output]*tf.Tensor{v.Image: b}, []tf.Output{v.Translated}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfgOut, err := png.DecodeConfig(strings.NewReader(out[0].Value().(string)))
	if err != nil || cfgOut.Width != 300 || cfgOut.Height != 200 {
		t.Errorf("translated a 300x200 PNG into %dx%d (%v), want 300x200", cfgOut.Width, cfgOut.Height, err)
	}
}
