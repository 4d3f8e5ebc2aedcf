package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"pix2pix/pkg/fsutil"
)

// StatusFile is written into a run's folder when its training process
// ends: what the sweep (and `pix2pix compare`) know of how it ended.
const StatusFile = "sweep-run.json"

// States of a finished run. Done, NaN and Collapsed are outcomes, kept on
// resume; Failed (the process could not run or crashed) is tried again.
const (
	Done      = "done"
	NaN       = "nan"
	Collapsed = "collapsed"
	Failed    = "failed"
)

// Status is one run's record.
type Status struct {
	Name     string            `json:"name"`
	Settings map[string]string `json:"settings"`
	State    string            `json:"state"`
	ExitCode int               `json:"exit_code"`
	// Error is the last line the process printed on failure.
	Error   string  `json:"error,omitempty"`
	Seconds float64 `json:"seconds"`
}

// Complete says whether a resumed sweep skips the run.
func (s Status) Complete() bool { return s.State == Done || s.State == NaN || s.State == Collapsed }

// ReadStatus reads dir's StatusFile; ok is false when there is none.
func ReadStatus(dir string) (Status, bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, StatusFile))
	if os.IsNotExist(err) {
		return Status{}, false, nil
	}
	if err != nil {
		return Status{}, false, err
	}
	var s Status
	if err := json.Unmarshal(data, &s); err != nil {
		return Status{}, false, fmt.Errorf("%s: %w (delete it to run this setting again)", filepath.Join(dir, StatusFile), err)
	}
	return s, true, nil
}

// WriteStatus writes dir's StatusFile atomically: a sweep killed while
// writing it leaves no half record that would pass for complete.
func WriteStatus(dir string, s Status) error {
	return fsutil.WriteFileAtomic(filepath.Join(dir, StatusFile), 0o644, func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(s)
	})
}
