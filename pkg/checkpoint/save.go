package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Files lists the files of the checkpoint at prefix (one data shard, as
// this program and the original write them).
func Files(prefix string) []string {
	return []string{prefix + ".index", prefix + ".data-00000-of-00001", prefix + ".meta"}
}

// Writer runs the graph's save ops. Save writes the variables to a
// prefix; Merge moves a temporary checkpoint to its final prefix.
type Writer interface {
	SaveTo(prefix string) error
	Merge(from, to string) error
}

// Keeper saves numbered checkpoints <Dir>/<Name>-<step> and keeps the
// newest MaxToKeep of them. Like TensorFlow's Saver, it only ever deletes
// checkpoints it saved itself, remembered in memory: a checkpoint the state
// file lists but another process wrote (the one a run resumed from, a copy
// of another run, a path outside Dir) is never touched, and the state file
// lists this Keeper's checkpoints only.
type Keeper struct {
	dir, name string
	maxToKeep int
	// saved are the base names this Keeper wrote, oldest first.
	saved []string
}

// NewKeeper returns a Keeper for dir. An existing state file in dir that
// cannot be read is an error: it is some run's record and is not replaced
// without the user's say.
func NewKeeper(dir, name string, maxToKeep int) (*Keeper, error) {
	if err := checkReplaceable(dir); err != nil {
		return nil, err
	}
	return &Keeper{dir: dir, name: name, maxToKeep: maxToKeep}, nil
}

// checkReplaceable fails if dir holds a state file that does not parse.
func checkReplaceable(dir string) error {
	_, err := ReadState(dir)
	if err == nil || errors.Is(err, ErrNoState) {
		return nil
	}
	return fmt.Errorf("%w; it is not replaced: repair it, move it away, or choose another --output_dir", err)
}

// KeepOneMore raises the number of checkpoints kept by one, from the next
// save on: a save whose state is not one an uninterrupted run passes
// through (a cluster step that failed part way) then does not delete the
// last exact one.
func (k *Keeper) KeepOneMore() {
	if k.maxToKeep > 0 {
		k.maxToKeep++
	}
}

// Save writes checkpoint <name>-<step> so that a crash at any moment
// leaves the state file naming a complete checkpoint: the variables go to
// a temporary directory first and are merged into their final names; the
// meta graph (if meta is not nil) is written atomically; only then does the
// state file move to the new checkpoint, and only after that are this
// Keeper's checkpoints beyond the newest maxToKeep deleted. It returns the
// prefix.
func (k *Keeper) Save(w Writer, step int64, meta func(path string) error) (string, error) {
	if err := os.MkdirAll(k.dir, 0o755); err != nil {
		return "", err
	}
	if err := checkReplaceable(k.dir); err != nil {
		return "", fmt.Errorf("checkpoint not saved: %w", err)
	}
	base := fmt.Sprintf("%s-%d", k.name, step)
	prefix, err := Write(w, k.dir, base)
	if err != nil {
		return "", err
	}
	if meta != nil {
		if err := meta(prefix + ".meta"); err != nil {
			return "", err
		}
	}
	// The new checkpoint is complete: record it.
	all := []string{}
	for _, p := range k.saved {
		if p != base {
			all = append(all, p)
		}
	}
	all = append(all, base)
	var drop []string
	if k.maxToKeep > 0 && len(all) > k.maxToKeep {
		drop, all = all[:len(all)-k.maxToKeep], all[len(all)-k.maxToKeep:]
	}
	if err := WriteState(k.dir, State{ModelCheckpointPath: base, AllModelCheckpointPaths: all}); err != nil {
		return "", err
	}
	k.saved = all
	for _, p := range drop {
		for _, f := range Files(filepath.Join(k.dir, p)) {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return prefix, fmt.Errorf("remove old checkpoint file: %w", err)
			}
		}
	}
	return prefix, nil
}

// Write writes the variables to dir/base through a temporary shard
// directory: the files appear under their final names only once complete.
// It returns the prefix.
func Write(w Writer, dir, base string) (string, error) {
	prefix := filepath.Join(dir, base)
	tmp, err := os.MkdirTemp(dir, base+tempInfix)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	part := filepath.Join(tmp, tempShard)
	if err := w.SaveTo(part); err != nil {
		return "", err
	}
	if err := w.Merge(part, prefix); err != nil {
		return "", fmt.Errorf("finish checkpoint %s: %w", prefix, err)
	}
	return prefix, nil
}
