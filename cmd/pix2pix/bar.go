package main

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

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
