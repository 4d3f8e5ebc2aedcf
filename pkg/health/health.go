// Package health watches a GAN's training signals for the two failures
// that end a pix2pix run without a NaN: the discriminator winning (its
// loss near 0 and D(fake) near 0, so the generator's adversarial
// gradient vanishes) and exploding gradients. The training loop feeds it
// every summary; `pix2pix compare` replays it over event files. No
// TensorFlow here.
package health

import (
	"fmt"
	"math"
)

// Remedies names the options that weaken the discriminator or steady the
// game, for every warning and the NaN stop.
const Remedies = "remedies: a weaker discriminator (--ndf smaller, --discrim-norm none, --discrim-lr lower), " +
	"--gen-steps 2, --label-smoothing, a lower --lr"

// EMADecay is the decay of the loss averages the model keeps (the
// original's 0.99): Debias divides out their start from 0.
const EMADecay = 0.99

// Debias turns an average that started at 0 and was updated every step
// for step steps into an estimate of the recent loss: early on the raw
// average is mostly its zero start, and would read as a won game.
func Debias(avg float64, step int64) float64 {
	if step < 1 {
		return avg
	}
	return avg / (1 - math.Pow(EMADecay, float64(step)))
}

// Thresholds say when the detector fires.
type Thresholds struct {
	// DiscrimLoss and DFake: the discriminator has won when its debiased
	// loss average is below DiscrimLoss and mean D(fake) below DFake ...
	DiscrimLoss, DFake float64
	// ... for K consecutive summaries.
	K int
	// GradNorm: gradients explode when either network's global norm is
	// above it (or not finite).
	GradNorm float64
}

// DefaultThresholds: a healthy pix2pix run keeps its discriminator loss
// around 0.5 to 1.4 and D(fake) around 0.2 to 0.5.
func DefaultThresholds() Thresholds {
	return Thresholds{DiscrimLoss: 0.2, DFake: 0.05, K: 3, GradNorm: 1e4}
}

// Validate refuses thresholds that could never or always fire.
func (t Thresholds) Validate() error {
	switch {
	case t.DiscrimLoss <= 0 || t.DFake <= 0 || t.DFake >= 1:
		return fmt.Errorf("--collapse-discrim-loss must be > 0 and --collapse-d-fake in (0, 1) (got %g, %g)", t.DiscrimLoss, t.DFake)
	case t.K < 1:
		return fmt.Errorf("--collapse-summaries must be >= 1 (got %d)", t.K)
	case t.GradNorm <= 0:
		return fmt.Errorf("--explode-grad-norm must be > 0 (got %g)", t.GradNorm)
	}
	return nil
}

// Point is one summary's signals. Signals a run does not log (the
// original's runs have no health scalars) are NaN.
type Point struct {
	Step                         int64
	DiscrimLossAvg               float64 // the averaged loss as logged (not debiased)
	DFake                        float64
	GenGradNorm, DiscrimGradNorm float64
}

// Kind of a warning.
type Kind string

const (
	Collapse  Kind = "collapse"
	Exploding Kind = "exploding gradients"
)

// Warning is what the detector saw, once per kind.
type Warning struct {
	Kind Kind
	Step int64
	Saw  string
}

// String is the one warning line.
func (w Warning) String() string {
	what := "the discriminator has won"
	if w.Kind == Exploding {
		what = "gradients are exploding"
	}
	return fmt.Sprintf("warning: %s at step %d (%s); %s", what, w.Step, w.Saw, Remedies)
}

// Detector counts consecutive collapsed summaries.
type Detector struct {
	T                   Thresholds
	streak              int
	collapsed, exploded bool
}

// Observe takes one summary and returns the warnings it raises: each kind
// at most once per run.
func (d *Detector) Observe(p Point) []Warning {
	var out []Warning
	loss := Debias(p.DiscrimLossAvg, p.Step)
	if loss < d.T.DiscrimLoss && p.DFake < d.T.DFake { // false for NaN
		d.streak++
	} else {
		d.streak = 0
	}
	if d.streak >= d.T.K && !d.collapsed {
		d.collapsed = true
		out = append(out, Warning{Collapse, p.Step, fmt.Sprintf("discriminator loss average %.3g < %g and mean D(fake) %.3g < %g for %d summaries in a row",
			loss, d.T.DiscrimLoss, p.DFake, d.T.DFake, d.streak)})
	}
	for _, g := range []struct {
		name string
		v    float64
	}{{"generator", p.GenGradNorm}, {"discriminator", p.DiscrimGradNorm}} {
		bad := g.v > d.T.GradNorm || math.IsInf(g.v, 0)
		if bad && !d.exploded {
			d.exploded = true
			out = append(out, Warning{Exploding, p.Step, fmt.Sprintf("the %s's gradient norm is %.3g > %g", g.name, g.v, d.T.GradNorm)})
		}
	}
	return out
}
