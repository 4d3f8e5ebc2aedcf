package compare

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"pix2pix/pkg/sweep"
)

func sweepRun(settings map[string]string, state string, l1, psnr float64) *RunData {
	r := &RunData{HasStatus: true, CanDetect: true, Status: sweep.Status{Settings: settings, State: state, Seconds: 20}}
	if state == sweep.Done {
		r.Test = &TestResult{Images: 22, MeanL1: l1, MeanPSNR: psnr}
	}
	if state == sweep.NaN {
		r.NaNStep = 40
	}
	return r
}

// TestCellsGroupBySettingOverSeeds: runs of one setting with different
// seeds are one cell; NaN, collapsed and failed runs are counted and left
// out of the scores; the base comes first; mean and sd (n-1) are the
// sample's.
func TestCellsGroupBySettingOverSeeds(t *testing.T) {
	none := func(seed string) map[string]string { return map[string]string{"discrim-norm": "none", "seed": seed} }
	base := func(seed string) map[string]string { return map[string]string{"seed": seed} }
	collapsed := sweepRun(none("3"), sweep.Done, 0.5, 8)
	collapsed.Collapse = "at step 200: discriminator loss average 0.1"
	runs := []*RunData{
		sweepRun(none("1"), sweep.Done, 0.2, 14),
		sweepRun(none("2"), sweep.NaN, 0, 0),
		collapsed,
		sweepRun(base("1"), sweep.Done, 0.1, 16),
		sweepRun(base("2"), sweep.Done, 0.2, 15),
		sweepRun(base("3"), sweep.Done, 0.3, 14),
		sweepRun(base("4"), sweep.Failed, 0, 0),
	}
	// A run of a setup that writes no event files: its record counts.
	noEvents := sweepRun(map[string]string{"setup": "yenchenlin", "seed": "1"}, sweep.Done, 0.3, 13)
	noEvents.CanDetect, noEvents.Err = false, "no event files"
	runs = append(runs, noEvents)
	all := Cells(runs)
	cells := all
	if len(cells) != 3 || cells[2].Setting != "setup=yenchenlin" || cells[2].Failed != 0 || cells[2].Undetectable != 1 || cells[2].L1.N != 1 {
		t.Fatalf("cells %+v, want base, discrim-norm=none, then setup=yenchenlin done with its score", cells)
	}
	cells = cells[:2]
	if len(cells) != 2 || cells[0].Setting != "base" || cells[1].Setting != "discrim-norm=none" {
		t.Fatalf("cells %+v, want base then discrim-norm=none", cells)
	}
	b, n := cells[0], cells[1]
	if b.Runs != 4 || b.NaN != 0 || b.Collapsed != 0 || b.Failed != 1 || b.L1.N != 3 {
		t.Errorf("base cell %+v", b)
	}
	if math.Abs(b.L1.Mean-0.2) > 1e-12 || math.Abs(b.L1.SD-0.1) > 1e-12 || b.L1.Min != 0.1 || b.L1.Max != 0.3 {
		t.Errorf("base L1 %+v, want mean 0.2 sd 0.1 over [0.1, 0.3]", b.L1)
	}
	if math.Abs(b.PSNR.Mean-15) > 1e-12 || math.Abs(b.PSNR.SD-1) > 1e-12 {
		t.Errorf("base PSNR %+v, want 15 ± 1", b.PSNR)
	}
	// A collapsed run that ran to the end still has its scores.
	if n.Runs != 3 || n.NaN != 1 || n.Collapsed != 1 || n.Failed != 0 || n.L1.N != 2 || n.L1.Mean != 0.35 {
		t.Errorf("discrim-norm=none cell %+v", n)
	}
	var out bytes.Buffer
	if err := FormatCells(&out, all); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| base | 4 | 0 | 0 | 1 | 0.2000 ± 0.1000 [0.1000, 0.3000] (n=3) | - | 15.00 ± 1.00 [14.00, 16.00] (n=3) | 20 |",
		// sd of 0.2, 0.5 is 0.2121: t = 0.15 / sqrt(0.2121²/2 + 0.1²/3) = 0.15 / 0.1607 = 0.93
		"| discrim-norm=none | 3 | 1 | 1 | 0 | 0.3500 ± 0.2121 [0.2000, 0.5000] (n=2) | +0.1500 (t +0.9) |",
		"| setup=yenchenlin | 1 | 0 | n/a (no D(fake) logged) | 0 | 0.3000 ± 0.0000 [0.3000, 0.3000] (n=1) | - |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
