package input

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// TestTransformSplitsFlipsAndCrops: a 512x256 pair whose left half is
// black and right half white becomes inputs -1 and targets +1 (AtoB, and
// swapped BtoA), 256x256x3, whatever the flip; scale_size below the crop
// is refused with the remedy.
// (Resizing moves values by float rounding: within 1e-4.)
func TestTransformSplitsFlipsAndCrops(t *testing.T) {
	if _, err := BuildTransform(op.NewScope(), Config{WhichDirection: "AtoB", ScaleSize: 255}); err == nil || !strings.Contains(err.Error(), "--scale_size 256") {
		t.Errorf("scale_size 255: %v, want an error giving --scale_size 256", err)
	}
	pair := make([][][]uint8, 256)
	for y := range pair {
		pair[y] = make([][]uint8, 512)
		for x := range pair[y] {
			v := uint8(0)
			if x >= 256 {
				v = 255
			}
			pair[y][x] = []uint8{v, v, v}
		}
	}
	img, err := tf.NewTensor(pair)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir      string
		flip     bool
		in, targ float32
	}{{"AtoB", false, -1, 1}, {"AtoB", true, -1, 1}, {"BtoA", false, 1, -1}} {
		s := op.NewScope()
		tr, err := BuildTransform(s, Config{WhichDirection: c.dir, ScaleSize: 286, PNG: true})
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.Finalize()
		if err != nil {
			t.Fatal(err)
		}
		sess, err := tf.NewSession(g, nil)
		if err != nil {
			t.Fatal(err)
		}
		flip, _ := tf.NewTensor(c.flip)
		off, _ := tf.NewTensor([]int32{15, 30})
		out, err := sess.Run(map[tf.Output]*tf.Tensor{tr.Image: img, tr.Flip: flip, tr.Offset: off}, []tf.Output{tr.Inputs, tr.Targets}, nil)
		sess.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []float32{c.in, c.targ} {
			v := out[i].Value().([][][]float32)
			if len(v) != 256 || len(v[0]) != 256 || len(v[0][0]) != 3 {
				t.Fatalf("%s: shape %v, want [256 256 3]", c.dir, out[i].Shape())
			}
			for _, p := range []float32{v[0][0][0], v[128][128][1], v[255][255][2]} {
				// AREA resizing sums 286/256 of a pixel: rounding only.
				if d := p - want; d > 1e-4 || d < -1e-4 {
					t.Errorf("%s flip %v: output %d holds %v, want %v", c.dir, c.flip, i, p, want)
				}
			}
		}
	}
}
