// Package summary builds the ops that write TensorBoard event files
// through TensorFlow's own summary writer (no hand-written event format):
// a file writer on a log directory, scalar, image and histogram writes
// keyed by a step, and flush.
package summary

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Writer is a summary file writer resource and the ops around it.
type Writer struct {
	s      *op.Scope
	handle tf.Output
	// Step is the int64 scalar every write is keyed by (feed it, or pass
	// a tensor to New).
	Step tf.Output
	// Init creates the event file in the log directory; Flush and Close
	// push pending events to disk.
	Init, Flush, Close *tf.Operation
	// Writes groups every write added so far (see Group).
	writes []*tf.Operation
}

// New adds a writer for logdir, a constant of the graph (a training run
// writes to one directory), keyed by step. Run Init before any write.
func New(s *op.Scope, logdir string, step tf.Output) *Writer {
	// Summary writes have CPU kernels only: pinned to the host.
	s = s.SubScope("summary").WithDevice(nn.HostDevice)
	h := s.AddOperation(tf.OpSpec{
		Type: "SummaryWriter",
		Name: "writer",
		Attrs: map[string]interface{}{
			"shared_name": "pix2pix_summary_writer",
			"container":   "",
		},
	})
	w := &Writer{s: s, Step: step}
	if h == nil {
		return w
	}
	w.handle = h.Output(0)
	w.Init = s.AddOperation(tf.OpSpec{
		Type: "CreateSummaryFileWriter",
		Name: "create",
		Input: []tf.Input{w.handle,
			op.Const(s.SubScope("logdir"), logdir),
			op.Const(s.SubScope("max_queue"), int32(10)),
			op.Const(s.SubScope("flush_millis"), int32(120000)),
			op.Const(s.SubScope("suffix"), ".v2"),
		},
	})
	w.Flush = s.AddOperation(tf.OpSpec{Type: "FlushSummaryWriter", Name: "flush", Input: []tf.Input{w.handle}})
	w.Close = s.AddOperation(tf.OpSpec{Type: "CloseSummaryWriter", Name: "close", Input: []tf.Input{w.handle}})
	return w
}

func (w *Writer) tag(name string) tf.Output { return op.Const(w.s.SubScope("tag"), name) }

// Scalar writes a float scalar under tag.
func (w *Writer) Scalar(tag string, value tf.Output) {
	w.writes = append(w.writes, op.WriteScalarSummary(w.s.SubScope("scalar"), w.handle, w.Step, w.tag(tag), value))
}

// Image writes up to maxImages images of a [batch, height, width,
// channels] uint8 tensor under tag.
func (w *Writer) Image(tag string, images tf.Output, maxImages int64) {
	s := w.s.SubScope("image")
	bad := op.Const(s.SubScope("bad_color"), []uint8{255, 0, 0, 255})
	w.writes = append(w.writes, op.WriteImageSummary(s, w.handle, w.Step, w.tag(tag), images, bad,
		op.WriteImageSummaryMaxImages(maxImages)))
}

// Histogram writes the distribution of values under tag.
func (w *Writer) Histogram(tag string, values tf.Output) {
	w.writes = append(w.writes, op.WriteHistogramSummary(w.s.SubScope("histogram"), w.handle, w.Step, w.tag(tag), values))
}

// Graph adds the write of a graph as the event file's graph (what
// TensorBoard's Graphs tab shows) and returns the string scalar
// placeholder to feed the serialized GraphDef through: a graph cannot
// hold its own serialization as a constant. The event is keyed by step 0,
// as TF1's FileWriter.add_graph keys the graph the original's Supervisor
// writes.
func (w *Writer) Graph() (graphDef tf.Output, write *tf.Operation) {
	s := w.s.SubScope("graph")
	graphDef = op.Placeholder(s.SubScope("graph_def"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	write = op.WriteGraphSummary(s, w.handle, op.Const(s.SubScope("step"), int64(0)), graphDef)
	return graphDef, write
}

// Event adds the write of a whole serialized tensorflow.Event (TensorFlow's
// ImportEvent op) and returns the string scalar placeholder to feed it
// through: for the events no dedicated op writes, such as the meta graph
// TF1's Supervisor adds beside the graph.
func (w *Writer) Event() (event tf.Output, write *tf.Operation) {
	s := w.s.SubScope("event")
	event = op.Placeholder(s.SubScope("serialized"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	write = s.AddOperation(tf.OpSpec{Type: "ImportEvent", Name: "import", Input: []tf.Input{w.handle, event}})
	return event, write
}

// Group returns one op that runs every write added so far.
func (w *Writer) Group() *tf.Operation {
	return op.NoOp(w.s.WithControlDependencies(w.writes...).SubScope("write_all"))
}
