package trained

import (
	"fmt"
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
)

// yenFigures measure the state after an iteration against the reference's.
type yenFigures struct {
	outside, total  int64
	worstWeight     float64
	worstMoment     float64
	worstMomentName string
	powers          string
}

// noiseGradient reports whether name is the bias of a convolution that
// batch norm follows (generator g_e2..g_e8, g_d1..g_d7, discriminator
// d_h1..d_h3), or a moment of one: its exact gradient is zero, and the
// computed one rounding noise no two programs share.
func noiseGradient(name string) bool {
	name = strings.TrimSuffix(strings.TrimSuffix(name, "/Adam_1"), "/Adam")
	if !strings.HasSuffix(name, "/biases") {
		return false
	}
	return !strings.Contains(name, "g_e1_conv") && !strings.Contains(name, "g_d8") && !strings.Contains(name, "d_h0_conv")
}

// compareYenState compares every variable of y with the reference's
// result, and checks the beta powers exactly against beta1^n, beta2^n.
func compareYenState(t *testing.T, y *Yenchenlin, ref map[string]*tf.Tensor) yenFigures {
	t.Helper()
	var f yenFigures
	b1, b2 := float32(y.Model.Config.Beta1), float32(0.999)
	wantPowers := map[string]float32{"beta1_power": b1 * b1, "beta2_power": b2 * b2,
		"beta1_power_1": b1 * b1 * b1, "beta2_power_1": b2 * b2 * b2}
	var powers []string
	for _, v := range y.Model.Vars.Sorted() {
		got, err := y.Sess.Run(nil, []tf.Output{y.Saver.Reads[v.Name]}, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := ref[v.Name]
		if !ok {
			t.Fatalf("reference result has no %s", v.Name)
		}
		a, b := floats(got[0]), floats(r)
		switch {
		case strings.Contains(v.Name, "_power"):
			powers = append(powers, fmt.Sprintf("%s %v (reference %v)", v.Name, a[0], b[0]))
			if a[0] != b[0] || a[0] != wantPowers[v.Name] {
				t.Errorf("%s = %v, reference %v, want %v", v.Name, a[0], b[0], wantPowers[v.Name])
			}
		case strings.Contains(v.Name, "/moving_"):
			// Moved by both discriminator copies in an order neither
			// program fixes (see README): not compared.
		case strings.HasSuffix(v.Name, "/Adam") || strings.HasSuffix(v.Name, "/Adam_1"):
			if noiseGradient(v.Name) {
				continue
			}
			if rel := relNorm(a, b); rel > f.worstMoment {
				f.worstMoment, f.worstMomentName = rel, v.Name
			}
		default:
			for i := range a {
				d := math.Abs(float64(a[i]) - float64(b[i]))
				if d > 1e-5 {
					f.outside++
				}
				f.worstWeight = math.Max(f.worstWeight, d)
			}
			f.total += int64(len(a))
		}
	}
	f.powers = strings.Join(powers, ", ")
	return f
}
