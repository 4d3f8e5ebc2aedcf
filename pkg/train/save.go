package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pix2pix/pkg/checkpoint"
)

// save writes checkpoint model-<gs> atomically and keeps MaxToKeep.
func (r *run) save(gs int64) error {
	if err := r.lossLog.Flush(); err != nil {
		return err
	}
	prefix, err := r.keeper.Save(r.tr, gs, writeMeta(r.meta))
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	r.lastSave = prefix
	return nil
}

// openKeeper checks the output directory's state file (an unreadable one
// stops the run before anything is written), removes what a save killed
// part way left there (see checkpoint.CleanLeftovers for what counts) and
// says so.
func openKeeper(dir string, maxToKeep int, out io.Writer) (*checkpoint.Keeper, error) {
	k, err := checkpoint.NewKeeper(dir, "model", maxToKeep)
	if err != nil {
		return nil, err
	}
	removed, err := checkpoint.CleanLeftovers(dir, "model")
	if len(removed) > 0 {
		fmt.Fprintf(out, "removed what an interrupted save left in %s: %s\n", dir, strings.Join(removed, ", "))
	}
	return k, err
}

// sameCheckpoint tells whether prefixes a and b name the same files.
func sameCheckpoint(a, b string) bool {
	if a == "" {
		return false
	}
	fa, err1 := os.Stat(a + ".index")
	fb, err2 := os.Stat(b + ".index")
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// interrupted saves where the run stands and reports it (see
// saveOnInterrupt).
func (r *run) interrupted(gs int64) error {
	return saveOnInterrupt(r.out, r.o.OutputDir, gs, r.restored, func() string { return r.lastSave }, r.save)
}

// saveOnInterrupt is what both setups' runs do on a signal at global step
// gs. If no step ran since the checkpoint it would write was saved or
// loaded, that checkpoint already holds these weights: saving again would
// rewrite in place the checkpoint the state file names, and a kill during
// that could leave it unloadable.
func saveOnInterrupt(out io.Writer, dir string, gs int64, restored string, lastSave func() string, save func(int64) error) error {
	want := filepath.Join(dir, fmt.Sprintf("model-%d", gs))
	if lastSave() == want || (lastSave() == "" && sameCheckpoint(restored, want)) {
		fmt.Fprintf(out, "interrupted: no step since %s was saved\n", want)
		return fmt.Errorf("%w at step %d; saved %s", ErrInterrupted, gs, filepath.Base(want))
	}
	fmt.Fprintln(out, "interrupted: saving model")
	if err := save(gs); err != nil {
		return fmt.Errorf("%w at step %d; saving failed: %v", ErrInterrupted, gs, err)
	}
	return fmt.Errorf("%w at step %d; saved %s", ErrInterrupted, gs, filepath.Base(lastSave()))
}

// afterStep reports progress and saves at their frequencies, for both
// setups' loops.
func afterStep(o Options, out io.Writer, step, maxSteps, gs int64, progress func(), save func(int64) error) error {
	if should(o.ProgressFreq, step, maxSteps) || o.Bar != nil {
		progress()
	}
	if should(o.SaveFreq, step, maxSteps) {
		fmt.Fprintln(out, "saving model")
		return save(gs)
	}
	return nil
}
