package display

import (
	"bytes"
	"image/png"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// TestBuildShowsImages: model values in [-1, 1] become uint8 as the
// original's convert_image_dtype (x*255.5 clipped, truncated: -1 -> 0,
// 0 -> 127, 1 -> 255), the aspect ratio widens the images (bicubic), each
// image's PNG decodes to the same pixels, and every op is on the host.
func TestBuildShowsImages(t *testing.T) {
	s := op.NewScope()
	x := make([][][][]float32, 2)
	for b := range x {
		x[b] = make([][][]float32, 256)
		for y := range x[b] {
			x[b][y] = make([][]float32, 256)
			for i := range x[b][y] {
				x[b][y][i] = []float32{-1, 0, 1}
			}
		}
	}
	v := op.Const(s.SubScope("v"), x)
	square := Build(s.SubScope("square"), Config{WhichDirection: "AtoB", AspectRatio: 1, Batch: 2}, v, v, v)
	wide := Build(s.SubScope("wide"), Config{WhichDirection: "AtoB", AspectRatio: 1.5, Batch: 2}, v, v, v)
	g, err := s.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range g.Operations() {
		if o.Name() != "v/Const" && o.Device() != nn.HostDevice {
			t.Errorf("%s (%s) is on %q, want %s", o.Name(), o.Type(), o.Device(), nn.HostDevice)
		}
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(nil, []tf.Output{square.Outputs, square.OutputPNGs[1], wide.Outputs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	px := out[0].Value().([][][][]uint8)[1][100][200]
	if px[0] != 0 || px[1] != 127 || px[2] != 255 {
		t.Errorf("-1, 0, 1 shown as %v, want [0 127 255]", px)
	}
	img, err := png.Decode(bytes.NewReader([]byte(out[1].Value().(string))))
	if err != nil {
		t.Fatal(err)
	}
	r, g2, b, _ := img.At(200, 100).RGBA()
	if r>>8 != 0 || g2>>8 != 127 || b>>8 != 255 {
		t.Errorf("the PNG holds %d %d %d, want 0 127 255", r>>8, g2>>8, b>>8)
	}
	if sh := out[2].Shape(); sh[1] != 256 || sh[2] != 384 {
		t.Errorf("aspect ratio 1.5: shape %v, want [2 256 384 3]", sh)
	}
}
