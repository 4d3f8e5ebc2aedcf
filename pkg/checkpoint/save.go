package checkpoint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// Save writes a checkpoint dir/<name>-<step> so that a crash at any moment
// leaves the state file naming a complete checkpoint: the variables go to
// a temporary directory first and are merged into their final names; the
// meta graph (if meta is not nil) is written atomically; only then does the
// state file move to the new checkpoint, and only after that are
// checkpoints beyond the newest maxToKeep deleted. It returns the prefix.
func Save(w Writer, dir, name string, step int64, maxToKeep int, meta func(path string) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	base := fmt.Sprintf("%s-%d", name, step)
	prefix, err := Write(w, dir, base)
	if err != nil {
		return "", err
	}
	if meta != nil {
		if err := meta(prefix + ".meta"); err != nil {
			return "", err
		}
	}
	// The new checkpoint is complete: record it.
	st, err := ReadState(dir)
	if err != nil {
		st = State{}
	}
	var all []string
	for _, p := range st.AllModelCheckpointPaths {
		if p != base && p != prefix {
			all = append(all, p)
		}
	}
	all = append(all, base)
	var drop []string
	if maxToKeep > 0 && len(all) > maxToKeep {
		drop, all = all[:len(all)-maxToKeep], all[len(all)-maxToKeep:]
	}
	if err := WriteState(dir, State{ModelCheckpointPath: base, AllModelCheckpointPaths: all}); err != nil {
		return "", err
	}
	for _, p := range drop {
		for _, f := range Files(resolve(dir, p)) {
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
	tmp, err := os.MkdirTemp(dir, base+"_temp_")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	part := filepath.Join(tmp, "part-00000-of-00001")
	if err := w.SaveTo(part); err != nil {
		return "", err
	}
	if err := w.Merge(part, prefix); err != nil {
		return "", fmt.Errorf("finish checkpoint %s: %w", prefix, err)
	}
	return prefix, nil
}

// CleanTemp removes temporary directories a crashed save left in dir.
func CleanTemp(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && strings.Contains(e.Name(), "_temp_") {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
