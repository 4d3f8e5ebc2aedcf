package train

import (
	"fmt"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/dataset"
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
			if err := session.WriteEncoded(filepath.Join(imgDir, file), k.t); err != nil {
				return err
			}
			*k.dst = filepath.Join("images", file)
		}
		rows[i] = row
	}
	_, err := report.AppendIndex(dir, rows, true)
	return err
}
