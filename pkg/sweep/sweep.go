package sweep

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Runner runs one training with args (train flags, --output_dir last),
// its output going to log, and returns the process's exit code; err is
// for a process that could not start.
type Runner func(ctx context.Context, args []string, log io.Writer) (exitCode int, err error)

// Options of a sweep.
type Options struct {
	Dir      string
	Settings []Setting
	// Base are the train flags every run gets (the grid's come after, and
	// win).
	Base []string
	Run  Runner
	// NaNCode and CollapseCode are train's exit codes for a non-finite
	// loss and for --stop-on-collapse.
	NaNCode, CollapseCode int
	Out                   io.Writer
}

// LogFile holds each run's train output.
const LogFile = "train.log"

// Summary counts what a sweep did.
type Summary struct {
	Ran, Skipped                 int
	Done, NaN, Collapsed, Failed int
}

// Run runs every setting not already complete, in order. Only a
// cancelled ctx stops it early.
func Run(ctx context.Context, o Options) (Summary, error) {
	var sum Summary
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return sum, fmt.Errorf("sweep folder: %w", err)
	}
	for i, s := range o.Settings {
		dir := filepath.Join(o.Dir, s.Name)
		st, ok, err := ReadStatus(dir)
		if err != nil {
			return sum, err
		}
		if ok && st.Complete() {
			fmt.Fprintf(o.Out, "[%d/%d] %s: already %s, skipped\n", i+1, len(o.Settings), s.Name, st.State)
			sum.Skipped++
			continue
		}
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("sweep interrupted before %s: %w", s.Name, err)
		}
		st, err = runOne(ctx, o, s, dir)
		if err != nil {
			return sum, err
		}
		sum.Ran++
		switch st.State {
		case Done:
			sum.Done++
		case NaN:
			sum.NaN++
		case Collapsed:
			sum.Collapsed++
		default:
			sum.Failed++
		}
		fmt.Fprintf(o.Out, "[%d/%d] %s: %s in %.1f s%s\n", i+1, len(o.Settings), s.Name, st.State, st.Seconds, errSuffix(st.Error))
	}
	return sum, nil
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return " (" + e + ")"
}

// runOne trains one setting into dir, afresh: what an unfinished earlier
// attempt left there is removed first, so curves and checkpoints are
// this run's alone.
func runOne(ctx context.Context, o Options, s Setting, dir string) (Status, error) {
	if err := os.RemoveAll(dir); err != nil {
		return Status{}, fmt.Errorf("clear the unfinished run %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Status{}, err
	}
	log, err := os.Create(filepath.Join(dir, LogFile))
	if err != nil {
		return Status{}, err
	}
	args := append(withoutKeys(o.Base, s.Pairs), s.Args()...)
	args = append(args, "--output_dir="+dir)
	fmt.Fprintf(log, "pix2pix train %s\n", strings.Join(args, " "))
	t0 := time.Now()
	code, runErr := o.Run(ctx, args, log)
	log.Close()
	st := Status{Name: s.Name, Settings: s.Settings(), ExitCode: code, Seconds: time.Since(t0).Seconds()}
	switch {
	case runErr != nil:
		st.State, st.Error = Failed, runErr.Error()
	case code == 0:
		st.State = Done
	case code == o.NaNCode:
		st.State = NaN
	case code == o.CollapseCode:
		st.State = Collapsed
	default:
		st.State = Failed
	}
	if st.State != Done && st.Error == "" {
		st.Error = lastLine(filepath.Join(dir, LogFile))
	}
	if ctx.Err() != nil && st.State == Failed {
		return st, fmt.Errorf("sweep interrupted during %s: %w", s.Name, ctx.Err())
	}
	return st, WriteStatus(dir, st)
}

// withoutKeys drops the base flags the grid sets (under either
// spelling, max_steps or max-steps).
func withoutKeys(base []string, pairs [][2]string) []string {
	norm := func(s string) string { return strings.ReplaceAll(s, "-", "_") }
	var out []string
	for _, a := range base {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		keep := true
		for _, p := range pairs {
			keep = keep && norm(name) != norm(p[0])
		}
		if keep {
			out = append(out, a)
		}
	}
	return out
}

// lastLine is the last line of a log that train's error starts
// ("pix2pix: ..."), else its last non-empty line.
func lastLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	last, errLine := "", ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
			if strings.HasPrefix(l, "pix2pix:") {
				errLine = l
			}
		}
	}
	if errLine != "" {
		last = errLine
	}
	if len(last) > 300 {
		last = last[:300] + "..."
	}
	return last
}
