package codec

import (
	"math"
	"testing"
)

// TestLabConversion checks the Lab conversion on colours whose CIE Lab
// values (sRGB, D65) are known, and that Lab -> RGB inverts it.
func TestLabConversion(t *testing.T) {
	cases := []struct {
		rgb [3]float32
		lab [3]float64
	}{
		{[3]float32{1, 1, 1}, [3]float64{100, 0, 0}},
		{[3]float32{0, 0, 0}, [3]float64{0, 0, 0}},
		{[3]float32{1, 0, 0}, [3]float64{53.24, 80.09, 67.20}},
		{[3]float32{0, 1, 0}, [3]float64{87.73, -86.18, 83.18}},
		{[3]float32{0, 0, 1}, [3]float64{32.30, 79.19, -107.86}},
		{[3]float32{0.5, 0.5, 0.5}, [3]float64{53.39, 0, 0}},
	}
	s := newScope()
	pix := make([][]float32, len(cases))
	for i, c := range cases {
		pix[i] = c.rgb[:]
	}
	x := constant(s, pix)
	lab := RGBToLab(s, x)
	back := LabToRGB(s, lab)
	out := runGraph(t, s, lab, back)
	l, b := out[0].Value().([][]float32), out[1].Value().([][]float32)
	for i, c := range cases {
		for k := 0; k < 3; k++ {
			if d := math.Abs(float64(l[i][k]) - c.lab[k]); d > 0.05 {
				t.Errorf("RGB %v: Lab %v, want %v", c.rgb, l[i], c.lab)
				break
			}
			if d := math.Abs(float64(b[i][k] - c.rgb[k])); d > 2e-3 {
				t.Errorf("RGB %v -> Lab -> RGB %v", c.rgb, b[i])
				break
			}
		}
	}
}
