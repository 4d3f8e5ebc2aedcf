// Package report writes the HTML pages a run leaves behind: the original's
// index.html table of input, output and target images, and report.html
// (the same images with per-image L1 and PSNR, the loss curves from
// losses.csv, and the run's options). It needs no TensorFlow.
package report

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"

	"pix2pix/pkg/fsutil"
)

// Row is one example's images, as paths relative to the report's
// directory.
type Row struct {
	Step                     int64 // shown only when the table has a step column
	Name                     string
	Inputs, Outputs, Targets string
}

// AppendIndex adds rows to dir/index.html, creating it with the
// original's header (name, input, output, target; step first when
// withStep) if it does not exist. The file is replaced atomically.
func AppendIndex(dir string, rows []Row, withStep bool) (string, error) {
	path := filepath.Join(dir, "index.html")
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return path, err
	}
	var b bytes.Buffer
	if len(old) > 0 {
		b.Write(old)
	} else {
		b.WriteString("<html><body><table><tr>")
		if withStep {
			b.WriteString("<th>step</th>")
		}
		b.WriteString("<th>name</th><th>input</th><th>output</th><th>target</th></tr>\n")
	}
	for _, r := range rows {
		b.WriteString("<tr>")
		if withStep {
			fmt.Fprintf(&b, "<td>%d</td>", r.Step)
		}
		fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(r.Name))
		for _, img := range []string{r.Inputs, r.Outputs, r.Targets} {
			fmt.Fprintf(&b, "<td><img src='%s'></td>", html.EscapeString(filepath.ToSlash(img)))
		}
		b.WriteString("</tr>\n")
	}
	return path, fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(b.Bytes())
		return err
	})
}
