package summary

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// TestWriterWritesAnEventFile: Init creates one event file in the log
// directory, the grouped writes and Flush put the tags in it, and every
// op of the writer is pinned to the host (summary kernels are CPU-only).
// (cmd/pix2pix reads such files back with TensorBoard's own reader.)
func TestWriterWritesAnEventFile(t *testing.T) {
	dir := t.TempDir()
	s := op.NewScope()
	step := op.Placeholder(s.SubScope("step"), tf.Int64, op.PlaceholderShape(tf.ScalarShape()))
	w := New(s, dir, step)
	w.Scalar("a_scalar_tag", op.Const(s.SubScope("v"), float32(1.5)))
	w.Histogram("a_histogram_tag", op.Const(s.SubScope("h"), []float32{1, 2, 3}))
	w.Image("an_image_tag", op.Const(s.SubScope("img"), [][][][]uint8{{{{0, 0, 0}, {255, 255, 255}}}}), 1)
	all := w.Group()
	g, err := s.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range g.Operations() {
		if strings.HasPrefix(o.Name(), "summary/") && o.Device() != nn.HostDevice {
			t.Errorf("%s (%s) is on %q, want %s", o.Name(), o.Type(), o.Device(), nn.HostDevice)
		}
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	st, _ := tf.NewTensor(int64(3))
	for _, targets := range [][]*tf.Operation{{w.Init}, {all}, {w.Flush}, {w.Close}} {
		if _, err := sess.Run(map[tf.Output]*tf.Tensor{step: st}, nil, targets); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("event files in the log directory: %v, want one", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"a_scalar_tag", "a_histogram_tag", "an_image_tag"} {
		if !strings.Contains(string(data), tag) {
			t.Errorf("the event file has no %s", tag)
		}
	}
}
