package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/pkg/sweep"
)

// TestSweepShardsAndResumes runs a grid of three learning rates (one
// trains, 1e30 goes NaN, -1 is refused by train) first as shard 1/2, then
// whole, then again: each run is recorded, none stops the sweep, complete
// runs are skipped, the failed one is tried again, and compare.html
// covers every run.
func TestSweepShardsAndResumes(t *testing.T) {
	bin := pix2pixBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "data", "synth", "--output_dir", data, "--count", "2", "--seed", "2")
	dir := filepath.Join(t.TempDir(), "sweep")
	sweepRun := func(extra ...string) string {
		args := append([]string{"sweep", "--output_dir", dir, "--grid", "lr=0.0002,1e30,-1", "--seeds", "5",
			"--input_dir", data, "--ngf", "4", "--ndf", "4", "--max_steps", "4", "--summary_freq", "2",
			"--progress_freq", "0", "--save_freq", "4"}, extra...)
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("pix2pix %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	first := sweepRun("--shard", "1/2")
	second := sweepRun()
	third := sweepRun()
	for _, c := range []struct{ log, want string }{
		{first, "2 ran (1 done, 0 NaN, 0 collapsed, 1 failed), 0 skipped"},
		{second, "2 ran (0 done, 1 NaN, 0 collapsed, 1 failed), 1 skipped"},
		{second, "lr=0.0002,seed=5: already done, skipped"},
		{third, "1 ran (0 done, 0 NaN, 0 collapsed, 1 failed), 2 skipped"},
		{third, "lr=1e30,seed=5: already nan, skipped"},
		{third, "wrote " + filepath.Join(dir, "compare.html") + " (3 runs)"},
	} {
		if !strings.Contains(c.log, c.want) {
			t.Errorf("sweep output lacks %q:\n%s", c.want, c.log)
		}
	}
	for name, state := range map[string]string{"lr=0.0002,seed=5": sweep.Done, "lr=1e30,seed=5": sweep.NaN, "lr=-1,seed=5": sweep.Failed} {
		st, ok, err := sweep.ReadStatus(filepath.Join(dir, name))
		if err != nil || !ok || st.State != state {
			t.Errorf("%s: status %+v (%v), want %s", name, st, err, state)
		}
		t.Logf("%s: %s, exit code %d, %.1f s, %s", name, st.State, st.ExitCode, st.Seconds, st.Error)
	}
	page, err := os.ReadFile(filepath.Join(dir, "compare.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "<td>nan: pix2pix: non-finite loss at step 2") {
		t.Errorf("compare.html does not show the NaN run")
	}
}

// TestSweepVaryWritesCells: --vary runs the base and each varied value
// alone, and cells.md sums the seeds of each setting up: the NaN runs are
// counted, the base's held-out scores averaged. Run again, it trains
// nothing and writes the same table.
func TestSweepVaryWritesCells(t *testing.T) {
	bin := pix2pixBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "data", "synth", "--output_dir", data, "--count", "2", "--seed", "3")
	dir := filepath.Join(t.TempDir(), "sweep")
	args := []string{"sweep", "--output_dir", dir, "--vary", "lr=1e30", "--seeds", "1,2", "--input_dir", data,
		"--heldout_dir", data, "--ngf", "4", "--ndf", "4", "--max_steps", "4", "--summary_freq", "2", "--progress_freq", "0"}
	run := func() string {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("pix2pix %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	first, second := run(), run()
	cells, err := os.ReadFile(filepath.Join(dir, "cells.md"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cells.md:\n%s", cells)
	for _, c := range []struct{ in, want string }{
		{first, "4 ran (2 done, 2 NaN, 0 collapsed, 0 failed), 0 skipped"},
		{first, "[3/4] lr=1e30,seed=1: nan"},
		{second, "0 ran (0 done, 0 NaN, 0 collapsed, 0 failed), 4 skipped"},
		{second, "wrote " + filepath.Join(dir, "cells.md") + " (2 settings)"},
		{string(cells), "| base | 2 | 0 | 0 | 0 | 0."},
		{string(cells), "(n=2) |"},
		{string(cells), "| lr=1e30 | 2 | 2 | "},
	} {
		if !strings.Contains(c.in, c.want) {
			t.Errorf("output lacks %q:\n%s", c.want, c.in)
		}
	}
	if !strings.Contains(second, string(cells)) {
		t.Errorf("the second sweep printed another table than cells.md:\n%s", second)
	}
}
