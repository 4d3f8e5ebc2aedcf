// Package options writes and reads options.json, the record of a run's
// options in an output directory, in the original's format (sorted keys,
// indent 4, Python's number spelling), so that either program's test and
// export modes can read the other's; and the batch-size rule every command
// shares (CheckBatchSize).
package options

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"pix2pix/pkg/fsutil"
)

// FileName is the options file of an output directory.
const FileName = "options.json"

// Write writes opts to dir/options.json atomically. Values are strings,
// bools, ints, int64s, float64s or nil.
func Write(dir string, opts map[string]interface{}) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, k := range keys {
		kb, _ := json.Marshal(k)
		v, err := pyValue(opts[k])
		if err != nil {
			return fmt.Errorf("option %s: %w", k, err)
		}
		fmt.Fprintf(&b, "    %s: %s", kb, v)
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}")
	return fsutil.WriteFileAtomic(filepath.Join(dir, FileName), 0o644, func(w io.Writer) error {
		_, err := w.Write(b.Bytes())
		return err
	})
}

// pyValue spells v as Python's json module does (1.0 for a float that is
// a whole number, null for nil).
func pyValue(v interface{}) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", fmt.Errorf("not a finite number: %v", x)
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if x == math.Trunc(x) && math.Abs(x) < 1e16 {
			s = strconv.FormatFloat(x, 'f', 1, 64)
		}
		return s, nil
	case string, bool, int, int64:
		b, err := json.Marshal(x)
		return string(b), err
	}
	return "", fmt.Errorf("unsupported value %T", v)
}

// Model is what test and export read back from a checkpoint directory.
type Model struct {
	WhichDirection  string `json:"which_direction"`
	NGF             int    `json:"ngf"`
	NDF             int    `json:"ndf"`
	LabColorization bool   `json:"lab_colorization"`
	SeparableConv   bool   `json:"separable_conv"`
	// The options of issue 16's techniques: absent (zero) in the
	// original's options.json and in older runs', meaning the original's
	// values (see pkg/trained's OpenCheckpoint).
	Techniques
}

// Techniques are the recorded options that shape the generator or tell
// what training did, under options.json's keys.
type Techniques struct {
	Setup          string `json:"setup"`
	CropSize       int    `json:"crop_size"`
	GenNorm        string `json:"gen_norm"`
	DiscrimNorm    string `json:"discrim_norm"`
	KernelSize     int    `json:"kernel_size"`
	DiscrimOutput  string `json:"discrim_output"`
	BNUpdateMoving bool   `json:"bn_update_moving"`
}

// ReadModel reads the model options of dir/options.json.
func ReadModel(dir string) (Model, error) {
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		return Model{}, fmt.Errorf("%s: %w (the checkpoint directory of a training run has one)", path, err)
	}
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return Model{}, fmt.Errorf("%s is not readable JSON (%v): put back the options.json the training run wrote", path, err)
	}
	if err := m.validate(); err != nil {
		return Model{}, fmt.Errorf("%s %v: it does not describe a pix2pix model; put back the options.json the training run wrote", path, err)
	}
	return m, nil
}

// validate rejects an options.json that lacks what the graph needs, so
// the error names the file rather than a model option the user never set.
func (m Model) validate() error {
	if m.NGF < 1 || m.NDF < 1 {
		return fmt.Errorf("records ngf %d and ndf %d (missing or below 1)", m.NGF, m.NDF)
	}
	if m.WhichDirection != "AtoB" && m.WhichDirection != "BtoA" {
		return fmt.Errorf("records which_direction %q (missing, or not AtoB or BtoA)", m.WhichDirection)
	}
	return nil
}

// CheckBatchSize is the one rule for --batch_size, which train, test mode
// and infer share and the input pipeline relies on.
func CheckBatchSize(n int) error {
	if n < 1 {
		return fmt.Errorf("--batch_size must be >= 1 (got %d)", n)
	}
	return nil
}
