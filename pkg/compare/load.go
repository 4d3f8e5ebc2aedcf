// Package compare writes compare.html: several training runs, this
// program's and the original's, side by side. Every run is read from its
// TensorBoard event files (pkg/events), so a run of the original, which
// keeps no losses.csv, shows its curves too; its options.json, if any,
// gives the table of options that differ; a sweep's record of how the run
// ended, if any, its state.
package compare

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/events"
	"pix2pix/pkg/health"
	"pix2pix/pkg/report"
	"pix2pix/pkg/sweep"
)

// Signal is one plotted series: its tag and what to call it.
type Signal struct{ Tag, Title string }

// Signals are the plotted tags, the original's loss averages first.
var Signals = []Signal{
	{"discriminator_loss_1", "discriminator loss (moving average)"},
	{"generator_loss_GAN", "generator GAN loss (moving average)"},
	{"generator_loss_L1", "generator L1 loss (moving average)"},
	{pix2pix.HealthTags[0], "mean D(real)"},
	{pix2pix.HealthTags[1], "mean D(fake)"},
	{pix2pix.HealthTags[2], "generator gradient global norm"},
	{pix2pix.HealthTags[3], "discriminator gradient global norm"},
	{pix2pix.HealthTags[4], "learning rate"},
}

// RunData is one training run as the page shows it.
type RunData struct {
	Dir, Name string
	Scalars   events.Scalars
	Options   map[string]interface{}
	// LastStep is the highest step of any scalar.
	LastStep int64
	// NaNStep is the first step a loss was not finite (0: none seen).
	NaNStep int64
	// Collapse is the detector's collapse warning, replayed over the
	// run's scalars ("" when it did not fire); CanDetect says whether the
	// run logged D(fake) at all (the original's runs do not).
	Collapse  string
	CanDetect bool
	// Status is the sweep's record, if the run came from one.
	Status    sweep.Status
	HasStatus bool
	// Test is the held-out evaluation, when asked for.
	Test *TestResult
	// Err says why the run's event files could not be read.
	Err string
}

// TestResult is test mode on held-out pairs, dropout off.
type TestResult struct {
	Images           int
	MeanL1, MeanPSNR float64
	Report, Err      string
}

// Load reads one run directory.
func Load(dir string, t health.Thresholds) (*RunData, error) {
	sc, err := events.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	r := &RunData{Dir: dir, Name: filepath.Base(filepath.Clean(dir)), Scalars: sc, Options: report.ReadOptions(dir)}
	if r.Status, r.HasStatus, err = sweep.ReadStatus(dir); err != nil {
		return nil, err
	}
	for _, s := range Signals[:3] {
		for _, p := range sc[s.Tag] {
			r.LastStep = max(r.LastStep, p.Step)
			if (math.IsNaN(p.Value) || math.IsInf(p.Value, 0)) && (r.NaNStep == 0 || p.Step < r.NaNStep) {
				r.NaNStep = p.Step
			}
		}
	}
	r.CanDetect = len(sc[pix2pix.HealthTags[1]]) > 0
	r.Collapse = replay(sc, t)
	return r, nil
}

// replay runs the detector over the run's summaries, as training did.
func replay(sc events.Scalars, t health.Thresholds) string {
	at := func(tag string) map[int64]float64 {
		m := map[int64]float64{}
		for _, p := range sc[tag] {
			m[p.Step] = p.Value
		}
		return m
	}
	dfake, gn, dn := at(pix2pix.HealthTags[1]), at(pix2pix.HealthTags[2]), at(pix2pix.HealthTags[3])
	get := func(m map[int64]float64, s int64) float64 {
		if v, ok := m[s]; ok {
			return v
		}
		return math.NaN()
	}
	d := health.Detector{T: t}
	for _, p := range sc["discriminator_loss_1"] {
		for _, w := range d.Observe(health.Point{Step: p.Step, DiscrimLossAvg: p.Value, DFake: get(dfake, p.Step),
			GenGradNorm: get(gn, p.Step), DiscrimGradNorm: get(dn, p.Step)}) {
			if w.Kind == health.Collapse {
				return fmt.Sprintf("at step %d: %s", w.Step, w.Saw)
			}
		}
	}
	return ""
}

// uniqueNames names runs by their folder, or by their path where two
// folders share a name.
func uniqueNames(runs []*RunData) {
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.Name]++
	}
	for _, r := range runs {
		if seen[r.Name] > 1 {
			r.Name = filepath.Clean(r.Dir)
		}
	}
}

// OptionDiff is one option whose value is not the same in every run.
type OptionDiff struct {
	Key    string
	Values []string // one per run; "-" where the run recorded none
}

// ignored options always differ between runs and say nothing about them.
var ignored = map[string]bool{"output_dir": true, "checkpoint": true}

// DiffOptions lists the options that differ between the runs that
// recorded options (a run of the original without a checkpoint has no
// options.json: its column shows "-"), by name.
func DiffOptions(runs []*RunData) []OptionDiff {
	keys := map[string]bool{}
	for _, r := range runs {
		for k := range r.Options {
			keys[k] = true
		}
	}
	var out []OptionDiff
	for k := range keys {
		if ignored[k] {
			continue
		}
		d := OptionDiff{Key: k}
		seen := map[string]bool{}
		for _, r := range runs {
			s := "-"
			if r.Options != nil {
				s = "null"
				if v, ok := r.Options[k]; ok && v != nil {
					s = fmt.Sprint(v)
				}
				seen[s] = true
			}
			d.Values = append(d.Values, s)
		}
		if len(seen) > 1 {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
