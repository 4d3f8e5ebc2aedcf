package codec

import (
	"testing"

	"github.com/wamuir/graft/tensorflow/op"
)

// TestConversionsRoundTrip checks the value ranges every graph shares:
// uint8 -> [0, 1] -> [-1, 1] -> [0, 1] -> uint8 gives back every value,
// [-1, 1] ends at -1 and 1, and saturating ToUint8 clips out-of-range
// values where the plain one (the original's export) wraps them.
func TestConversionsRoundTrip(t *testing.T) {
	all := make([]uint8, 256)
	for i := range all {
		all[i] = uint8(i)
	}
	s := op.NewScope()
	unit := ToFloat(s, op.Const(s.SubScope("pixels"), all))
	model := ToModel(s, unit)
	back := ToUint8(s, ToUnit(s, model), true)
	over := op.Const(s.SubScope("over"), []float32{-0.5, 1.5})
	clipped := ToUint8(s.SubScope("clipped"), over, true)
	out := runGraph(t, s, model, back, clipped)
	m := out[0].Value().([]float32)
	if m[0] != -1 || m[255] != 1 {
		t.Errorf("uint8 0 and 255 map to %g and %g, want -1 and 1", m[0], m[255])
	}
	for i, v := range out[1].Value().([]uint8) {
		if v != uint8(i) {
			t.Errorf("uint8 %d comes back as %d", i, v)
		}
	}
	if c := out[2].Value().([]uint8); c[0] != 0 || c[1] != 255 {
		t.Errorf("saturating ToUint8(-0.5, 1.5) = %v, want [0 255]", c)
	}
}
