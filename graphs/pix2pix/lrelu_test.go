package pix2pix

import (
	"math"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// TestLreluIsMaxOfSlope checks the leaky ReLU the forward pass and the
// discriminator's hand-written backward pass share: lreluLinear*x +
// lreluAbsolute*|x| is max(x, lreluSlope*x), and the backward pass's
// derivative lreluLinear + lreluAbsolute*sign(x) is 1 above zero and the
// slope below.
func TestLreluIsMaxOfSlope(t *testing.T) {
	xs := []float32{-3, -0.5, -1e-3, 0, 1e-3, 0.5, 3}
	s := op.NewScope()
	y := lrelu(s, op.Const(s.SubScope("x"), xs))
	g, err := s.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(nil, []tf.Output{y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out[0].Value().([]float32) {
		x := float64(xs[i])
		if want := math.Max(x, lreluSlope*x); math.Abs(float64(v)-want) > 1e-7 {
			t.Errorf("lrelu(%g) = %g, want %g", x, v, want)
		}
	}
	if up, down := lreluLinear+lreluAbsolute, lreluLinear-lreluAbsolute; math.Abs(up-1) > 1e-15 || math.Abs(down-lreluSlope) > 1e-15 {
		t.Errorf("derivative: %g above zero, %g below; want 1 and %g", up, down, lreluSlope)
	}
}
