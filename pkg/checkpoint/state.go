package checkpoint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"pix2pix/pkg/fsutil"
)

// StateFile is the name of the text file that names a directory's latest
// checkpoint.
const StateFile = "checkpoint"

// State is the content of the state file. Only these two fields are
// written: older readers reject others.
type State struct {
	ModelCheckpointPath     string
	AllModelCheckpointPaths []string
}

// ErrNoState is wrapped by ReadState's error when dir has no state file.
var ErrNoState = errors.New("no state file")

// ReadState reads dir's state file. A file that exists but does not parse
// is an error naming it and saying what is wrong.
func ReadState(dir string) (State, error) {
	path := filepath.Join(dir, StateFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return State{}, fmt.Errorf("no checkpoint in %s (%w %q): point --checkpoint at a directory a training run saved to", dir, ErrNoState, StateFile)
		}
		return State{}, fmt.Errorf("checkpoint state file: %w", err)
	}
	st, err := parseState(data)
	if err != nil {
		return State{}, fmt.Errorf("checkpoint state file %s is damaged (%v): it should hold a line model_checkpoint_path: \"model-N\" naming a checkpoint in %s", path, err, dir)
	}
	return st, nil
}

// parseState parses a state file's text: key: "quoted value" lines.
func parseState(data []byte) (State, error) {
	var st State
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return State{}, fmt.Errorf("cannot read line %q", clip(line))
		}
		key = strings.TrimSpace(key)
		if key != "model_checkpoint_path" && key != "all_model_checkpoint_paths" {
			continue // other fields (timestamps of newer writers) are ignored
		}
		v, err := strconv.Unquote(strings.TrimSpace(val))
		if err != nil {
			return State{}, fmt.Errorf("cannot read the value in %q", clip(line))
		}
		if key == "model_checkpoint_path" {
			st.ModelCheckpointPath = v
		} else {
			st.AllModelCheckpointPaths = append(st.AllModelCheckpointPaths, v)
		}
	}
	if err := sc.Err(); err != nil {
		return State{}, err
	}
	if st.ModelCheckpointPath == "" {
		return State{}, errors.New("no model_checkpoint_path")
	}
	return st, nil
}

// clip shortens a line quoted in an error (a binary file has long ones).
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// WriteState replaces dir's state file atomically.
func WriteState(dir string, st State) error {
	return fsutil.WriteFileAtomic(filepath.Join(dir, StateFile), 0o644, func(w io.Writer) error {
		if _, err := fmt.Fprintf(w, "model_checkpoint_path: %s\n", strconv.Quote(st.ModelCheckpointPath)); err != nil {
			return err
		}
		for _, p := range st.AllModelCheckpointPaths {
			if _, err := fmt.Fprintf(w, "all_model_checkpoint_paths: %s\n", strconv.Quote(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// resolve makes a state-file path absolute: relative paths are relative
// to the checkpoint directory, as TensorFlow reads them.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// Latest returns the prefix of dir's latest checkpoint, checking that its
// index file exists.
func Latest(dir string) (string, error) {
	st, err := ReadState(dir)
	if err != nil {
		return "", err
	}
	prefix := resolve(dir, st.ModelCheckpointPath)
	if _, err := os.Stat(prefix + ".index"); err != nil {
		// A state file copied without its checkpoint, or paths recorded
		// relative to another working directory: try the base name here.
		alt := filepath.Join(dir, filepath.Base(st.ModelCheckpointPath))
		if _, err2 := os.Stat(alt + ".index"); err2 == nil {
			return alt, nil
		}
		return "", fmt.Errorf("%s names checkpoint %s, but %s.index is missing", filepath.Join(dir, StateFile), st.ModelCheckpointPath, prefix)
	}
	return prefix, nil
}
