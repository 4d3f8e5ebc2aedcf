package compare

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/sweep"
)

// CellsFile is the per-setting table a sweep writes beside compare.html.
const CellsFile = "cells.md"

// Cell is one setting of a sweep over its seeds: how its runs ended, and
// the spread of their held-out scores. A claim about a technique is read
// from two cells: a difference of means smaller than their spreads says
// little.
type Cell struct {
	// Setting is the run's settings without the seed ("k=v,..."; "base"
	// when the run set none).
	Setting string
	Runs    int
	// NaN counts runs that stopped on a non-finite loss; Collapsed those
	// where the detector saw the discriminator win (replayed over the
	// run's summaries, or stopped by --stop-on-collapse): a run can be
	// both. Failed counts runs that ended otherwise than done for another
	// reason.
	NaN, Collapsed, Failed int
	// Undetectable counts runs that logged no D(fake) (the yenchenlin
	// setup, the original's runs): a collapse there cannot be seen.
	Undetectable int
	// L1 and PSNR are over the runs evaluated on held-out pairs that
	// neither went NaN nor failed.
	L1, PSNR Stat
	Seconds  Stat
}

// Stat is a sample's mean, standard deviation (n-1) and range.
type Stat struct {
	N                  int
	Mean, SD, Min, Max float64
}

func statOf(xs []float64) Stat {
	s := Stat{N: len(xs), Min: math.Inf(1), Max: math.Inf(-1)}
	if s.N == 0 {
		return Stat{}
	}
	for _, x := range xs {
		s.Mean += x / float64(s.N)
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	if s.N > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// settingOf is a sweep run's settings without its seed, sorted by key;
// a run not from a sweep is its own cell, by name.
func settingOf(r *RunData) string {
	if !r.HasStatus {
		return r.Name
	}
	var parts []string
	for k, v := range r.Status.Settings {
		if k != "seed" {
			parts = append(parts, k+"="+v)
		}
	}
	if len(parts) == 0 {
		return "base"
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Cells groups runs by setting, the base first, then by name.
func Cells(runs []*RunData) []Cell {
	type acc struct {
		c              Cell
		l1, psnr, secs []float64
	}
	by := map[string]*acc{}
	for _, r := range runs {
		k := settingOf(r)
		a := by[k]
		if a == nil {
			a = &acc{c: Cell{Setting: k}}
			by[k] = a
		}
		a.c.Runs++
		nan := r.NaNStep > 0 || r.Status.State == sweep.NaN
		collapsed := r.Collapse != "" || r.Status.State == sweep.Collapsed
		if nan {
			a.c.NaN++
		}
		if collapsed {
			a.c.Collapsed++
		}
		if !r.CanDetect && r.Status.State != sweep.Collapsed {
			a.c.Undetectable++
		}
		// How the training ended: the sweep's record where there is one
		// (a run whose event files cannot be read may have ended well).
		failed := !nan && !collapsed && ((r.HasStatus && r.Status.State != sweep.Done) || (!r.HasStatus && r.Err != ""))
		if failed {
			a.c.Failed++
		}
		// A NaN or failed run's checkpoint, if any, is from before it
		// ended: its scores are not the setting's.
		if r.Test != nil && r.Test.Err == "" && r.Test.Images > 0 && !nan && !failed {
			a.l1, a.psnr = append(a.l1, r.Test.MeanL1), append(a.psnr, r.Test.MeanPSNR)
		}
		if r.HasStatus {
			a.secs = append(a.secs, r.Status.Seconds)
		}
	}
	out := make([]Cell, 0, len(by))
	for _, a := range by {
		a.c.L1, a.c.PSNR, a.c.Seconds = statOf(a.l1), statOf(a.psnr), statOf(a.secs)
		out = append(out, a.c)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Setting == "base") != (out[j].Setting == "base") {
			return out[i].Setting == "base"
		}
		return out[i].Setting < out[j].Setting
	})
	return out
}

// WriteCells writes the cells as a Markdown table, atomically.
func WriteCells(path string, cells []Cell) error {
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error { return FormatCells(w, cells) })
}

// FormatCells prints the cells as a Markdown table: counts, then mean ±
// standard deviation [min, max] of the held-out scores over the seeds.
func FormatCells(w io.Writer, cells []Cell) error {
	var b strings.Builder
	b.WriteString("| setting | runs | NaN | collapsed | failed | held-out L1 mean ± sd [min, max] | L1 vs base: difference (Welch t) | held-out PSNR dB mean ± sd [min, max] | s/run |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	var base *Stat
	for i := range cells {
		if cells[i].Setting == "base" {
			base = &cells[i].L1
		}
	}
	for _, c := range cells {
		collapsed := strconv.Itoa(c.Collapsed)
		switch {
		case c.Undetectable == c.Runs:
			collapsed = "n/a (no D(fake) logged)"
		case c.Undetectable > 0:
			collapsed += fmt.Sprintf(" (n/a for %d)", c.Undetectable)
		}
		vs := "-"
		if base != nil && c.Setting != "base" {
			vs = c.L1.versus(*base)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %d | %s | %s | %s | %.0f |\n", c.Setting, c.Runs, c.NaN, collapsed, c.Failed,
			c.L1.format("%.4f"), vs, c.PSNR.format("%.2f"), c.Seconds.Mean)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (s Stat) format(f string) string {
	if s.N == 0 {
		return "-"
	}
	return fmt.Sprintf(f+" ± "+f+" ["+f+", "+f+"] (n=%d)", s.Mean, s.SD, s.Min, s.Max, s.N)
}

// versus is s's mean minus base's and Welch's t for it: the difference
// over its standard error, sqrt(sd²/n + sd_base²/n_base). |t| under
// about 2 is a difference the seeds' spread could make alone.
func (s Stat) versus(base Stat) string {
	if s.N < 2 || base.N < 2 {
		return "-"
	}
	d := s.Mean - base.Mean
	se := math.Sqrt(s.SD*s.SD/float64(s.N) + base.SD*base.SD/float64(base.N))
	if se == 0 {
		return fmt.Sprintf("%+.4f (identical runs)", d)
	}
	return fmt.Sprintf("%+.4f (t %+.1f)", d, d/se)
}
