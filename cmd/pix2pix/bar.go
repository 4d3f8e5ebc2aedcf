package main

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// The program's progress displays: bar for the training loop, countBar for
// commands that count images (infer, data), both only on a terminal.

// bar is a terminal progress bar for the training loop.
type bar struct{ b *progressbar.ProgressBar }

// newBar returns a progress bar when f is a terminal, else nil (plain
// progress lines then).
func newBar(f *os.File) *bar {
	if !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &bar{}
}

func (b *bar) Start(total int64) {
	b.b = progressbar.NewOptions64(total, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
}

func (b *bar) Set(done int64, desc string) {
	b.b.Describe(desc)
	b.b.Set64(done)
}

func (b *bar) Finish() { b.b.Finish() }

// countBar returns a progress callback (done of total items) that draws a
// terminal progress bar on f, with the rate per unit when unit is not "";
// nil when f is not a terminal.
func countBar(f *os.File, unit string) func(done, total int) {
	if !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var b *progressbar.ProgressBar
	return func(done, total int) {
		if b == nil {
			opts := []progressbar.Option{progressbar.OptionSetWriter(f), progressbar.OptionShowCount()}
			if unit != "" {
				opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
			}
			b = progressbar.NewOptions(total, append(opts, progressbar.OptionClearOnFinish())...)
		}
		b.Set(done)
	}
}
