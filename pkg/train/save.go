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

// interrupted saves where the run stands and reports it. If no step ran
// since the checkpoint it would write was saved or loaded, that checkpoint
// already holds these weights: saving again would rewrite in place the
// checkpoint the state file names, and a kill during that could leave it
// unloadable.
func (r *run) interrupted(gs int64) error {
	want := filepath.Join(r.o.OutputDir, fmt.Sprintf("model-%d", gs))
	if r.lastSave == want || (r.lastSave == "" && sameCheckpoint(r.restored, want)) {
		fmt.Fprintf(r.out, "interrupted: no step since %s was saved\n", want)
		return fmt.Errorf("%w at step %d; saved %s", ErrInterrupted, gs, filepath.Base(want))
	}
	fmt.Fprintln(r.out, "interrupted: saving model")
	if err := r.save(gs); err != nil {
		return fmt.Errorf("%w at step %d; saving failed: %v", ErrInterrupted, gs, err)
	}
	return fmt.Errorf("%w at step %d; saved %s", ErrInterrupted, gs, filepath.Base(r.lastSave))
}
