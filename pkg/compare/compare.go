package compare

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/health"
	"pix2pix/pkg/session"
	"pix2pix/pkg/sweep"
	"pix2pix/pkg/testmode"
)

// Options of a comparison.
type Options struct {
	Dirs []string
	// OutputDir receives compare.html (and, with InputDir, each run's
	// test-mode images under test/<run>/).
	OutputDir string
	// InputDir, if set, holds held-out A|B pairs: every run with a
	// checkpoint is evaluated on them, dropout off.
	InputDir string
	Health   health.Thresholds
	Session  session.Options
	Out      io.Writer
}

// Page is the file Run writes in OutputDir.
const Page = "compare.html"

// Run reads every run, evaluates them if asked, and writes the page; it
// returns the page's path and the runs as read. A run whose event files
// cannot be read is shown with its error, not dropped.
func Run(ctx context.Context, o Options) (string, []*RunData, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if len(o.Dirs) == 0 {
		return "", nil, fmt.Errorf("no run directory given: pix2pix compare RUN_DIR...")
	}
	if o.Health == (health.Thresholds{}) {
		o.Health = health.DefaultThresholds()
	}
	if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
		return "", nil, fmt.Errorf("output_dir: %w", err)
	}
	var runs []*RunData
	for _, d := range o.Dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return "", nil, fmt.Errorf("%s is not a run directory", d)
		}
		r, err := Load(d, o.Health)
		if err != nil {
			// Still a run: its sweep record, if any, says how it ended
			// (the yenchenlin setup writes no event files).
			r = &RunData{Dir: d, Name: filepath.Base(filepath.Clean(d)), Err: err.Error()}
			r.Status, r.HasStatus, _ = sweep.ReadStatus(d)
		}
		runs = append(runs, r)
	}
	uniqueNames(runs)
	if o.InputDir != "" {
		for _, r := range runs {
			if err := ctx.Err(); err != nil {
				return "", nil, err
			}
			r.Test = evaluate(ctx, r, o)
		}
	}
	path := filepath.Join(o.OutputDir, Page)
	return path, runs, Write(path, runs)
}

// evaluate runs test mode, dropout off, on o.InputDir with r's latest
// checkpoint.
func evaluate(ctx context.Context, r *RunData, o Options) *TestResult {
	if _, err := checkpoint.Latest(r.Dir); err != nil {
		return &TestResult{Err: "no checkpoint to evaluate"}
	}
	fmt.Fprintf(o.Out, "test mode for %s on %s\n", r.Name, o.InputDir)
	res, err := testmode.Run(ctx, testmode.Options{
		InputDir: o.InputDir, OutputDir: filepath.Join(o.OutputDir, "test", r.Name), Checkpoint: r.Dir,
		BatchSize: 1, AspectRatio: 1, Dropout: false, Seed: 1,
		Check:   dataset.CheckOptions{MaxPixels: 100_000_000},
		Workers: runtime.NumCPU(), Session: o.Session,
	})
	if err != nil {
		return &TestResult{Err: session.FirstLine(err)}
	}
	rel, _ := filepath.Rel(o.OutputDir, res.Report)
	return &TestResult{Images: res.Images, MeanL1: res.MeanL1, MeanPSNR: res.MeanPSNR, Report: rel}
}
