package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/dataset"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/report"
	"pix2pix/pkg/session"
)

// writeDisplay writes the batch's images as images/%08d-<name>-<kind>.png
// (step prefix) and appends their rows, with the step, to index.html.
func writeDisplay(dir string, step int64, paths []string, inputs, outputs, targets []*tf.Tensor) error {
	imgDir := filepath.Join(dir, "images")
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		return err
	}
	rows := make([]report.Row, len(paths))
	for i, p := range paths {
		name := dataset.Name(p)
		row := report.Row{Step: step, Name: name}
		for _, k := range []struct {
			kind string
			t    *tf.Tensor
			dst  *string
		}{{"inputs", inputs[i], &row.Inputs}, {"outputs", outputs[i], &row.Outputs}, {"targets", targets[i], &row.Targets}} {
			file := fmt.Sprintf("%08d-%s-%s.png", step, name, k.kind)
			if err := WritePNG(filepath.Join(imgDir, file), k.t); err != nil {
				return err
			}
			*k.dst = filepath.Join("images", file)
		}
		rows[i] = row
	}
	_, err := report.AppendIndex(dir, rows, true)
	return err
}

// WritePNG writes a string scalar holding PNG bytes to path atomically.
func WritePNG(path string, t *tf.Tensor) error {
	data, ok := session.Value(t).(string)
	if !ok {
		return fmt.Errorf("write %s: not an encoded image", path)
	}
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, data)
		return err
	})
}
