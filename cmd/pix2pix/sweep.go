package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/compare"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/sweep"
)

// sweepOwn are sweep's flags that train does not have or that the sweep
// sets itself for each run.
var sweepOwn = map[string]bool{"output_dir": true, "checkpoint": true, "seed": true}

// passedFlags are train's flags a sweep forwards to every run.
func passedFlags() []cli.Flag {
	var out []cli.Flag
	for _, f := range trainCommand().Flags {
		if !sweepOwn[f.Names()[0]] {
			out = append(out, f)
		}
	}
	return out
}

func sweepCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Required: true, Usage: "the sweep's folder: one sub-folder per run, and compare.html", Category: "Sweep"},
		&cli.StringSliceFlag{Name: "grid", Usage: "`key=v1,v2`: a train flag and its values (repeat for more axes; every combination runs)", Category: "Sweep"},
		&cli.StringSliceFlag{Name: "vary", Usage: "`key=v1,v2`: one factor at a time: every --grid setting as it is (the base), and again with this key set to each value alone (repeat for more keys)", Category: "Sweep"},
		&cli.StringFlag{Name: "seeds", Value: "1", Usage: "seeds per setting: 1-8, 1,3,5", Category: "Sweep"},
		&cli.StringFlag{Name: "shard", Usage: "run part `K/N` of the grid (every N-th run from the K-th)", Category: "Sweep"},
		&cli.StringFlag{Name: "heldout_dir", Aliases: kebab("heldout_dir"), Usage: "held-out A|B pairs for the compare page's test-mode L1 and PSNR", Category: "Sweep"},
	}
	return &cli.Command{
		Name:  "sweep",
		Usage: "train a grid of settings x seeds into one folder, then write compare.html",
		Description: `Every other flag is a train flag given to every run; --grid keys are
train flags too (any that train accepts). Runs already ended (done, NaN or
collapsed, per their sweep-run.json) are skipped, so the same command
resumes; a run that fails or goes NaN is recorded and the sweep goes on.
At the end it writes compare.html and cells.md, a table of every setting
over its seeds: NaN and collapse counts, held-out L1 and PSNR (mean, sd,
range).

Examples:
   pix2pix sweep --output_dir sweep --input_dir data/train --heldout_dir data/val \
       --grid ndf=16,32 --grid lr=0.0002,0.001 --seeds 1-4 --max_steps 300 --ngf 16

   # one factor at a time against the defaults: 1 + 3 settings x 8 seeds
   pix2pix sweep --output_dir sweep --input_dir data/train --heldout_dir data/val \
       --vary discrim-norm=none --vary gan-loss=logits,lsgan --seeds 1-8 --max_steps 300`,
		Flags:  append(flags, passedFlags()...),
		Action: runSweep,
	}
}

func runSweep(c *cli.Context) error {
	o, err := sweepOptions(c)
	if err != nil {
		return usage(err)
	}
	// Before the first run: a --precision this machine refuses would
	// otherwise fail every run, and --onednn may restart the program.
	so, err := sessionOptions(c)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	sum, err := sweep.Run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Printf("sweep: %d ran (%d done, %d NaN, %d collapsed, %d failed), %d skipped as complete\n",
		sum.Ran, sum.Done, sum.NaN, sum.Collapsed, sum.Failed, sum.Skipped)
	dirs, err := runDirs(o.Dir)
	if err != nil {
		return err
	}
	path, runs, err := compare.Run(ctx, compare.Options{Dirs: dirs, OutputDir: o.Dir, InputDir: c.String("heldout_dir"), Session: so, Out: os.Stdout})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d runs)\n", path, len(dirs))
	cells := compare.Cells(runs)
	cellsPath := filepath.Join(o.Dir, compare.CellsFile)
	if err := compare.WriteCells(cellsPath, cells); err != nil {
		return err
	}
	if err := compare.FormatCells(os.Stdout, cells); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d settings)\n", cellsPath, len(cells))
	return nil
}

func sweepOptions(c *cli.Context) (sweep.Options, error) {
	grid, err := axes(c, "grid")
	if err != nil {
		return sweep.Options{}, err
	}
	vary, err := axes(c, "vary")
	if err != nil {
		return sweep.Options{}, err
	}
	seeds, err := sweep.ParseSeeds(c.String("seeds"))
	if err != nil {
		return sweep.Options{}, err
	}
	settings, err := sweep.Vary(grid, vary, seeds)
	if err != nil {
		return sweep.Options{}, err
	}
	shard, err := dataset.ParseShard(c.String("shard"))
	if err != nil {
		return sweep.Options{}, err
	}
	var base []string
	for _, f := range passedFlags() {
		if name := f.Names()[0]; c.IsSet(name) {
			base = append(base, fmt.Sprintf("--%s=%v", name, c.Value(name)))
		}
	}
	return sweep.Options{Dir: c.String("output_dir"), Settings: sweep.ShardOf(shard, settings), Base: base,
		Run: trainProcess, NaNCode: exitNaN, CollapseCode: exitCollapsed, Out: os.Stdout}, nil
}

// axes reads a repeated key=v1,v2 flag.
func axes(c *cli.Context, flag string) ([]sweep.Axis, error) {
	var out []sweep.Axis
	for _, g := range c.StringSlice(flag) {
		a, err := sweep.ParseAxis(flag, g)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// trainProcess runs `pix2pix train args...` as a process of this binary:
// a crash or a NaN ends that run only. A cancelled ctx sends SIGTERM, so
// the run saves a checkpoint as after Ctrl-C.
func trainProcess(ctx context.Context, args []string, log io.Writer) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("find this program to run train: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{"train"}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, err
}

// runDirs are the sweep folder's run sub-folders (any shard's).
func runDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if _, ok, _ := sweep.ReadStatus(p); e.IsDir() && ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
