// Package events reads the scalars of TensorBoard event files, this
// program's and the original's alike. The records are read by
// TensorFlow's own TFRecordDataset op run in a small graph, and each is
// parsed as a tensorflow.Event protobuf: no hand-written file parser.
package events

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	framework "github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
	tensorpb "github.com/wamuir/graft/tensorflow/core/framework/tensor_go_proto"
	typespb "github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
	eventpb "github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
	"google.golang.org/protobuf/proto"
)

// Point is one scalar value at a step.
type Point struct {
	Step  int64
	Value float64
}

// Scalars are a run's scalar series by tag, each sorted by step.
type Scalars map[string][]Point

// Files lists the event files of a run directory, oldest first (their
// names start with the creation time).
func Files(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// ReadDir reads every scalar of dir's event files. A step written twice
// (a run resumed from an earlier checkpoint) keeps the value written last.
func ReadDir(dir string) (Scalars, error) {
	files, err := Files(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no TensorBoard event file (events.out.tfevents.*) in %s: was it trained with --summary_freq 0?", dir)
	}
	r, err := newReader()
	if err != nil {
		return nil, err
	}
	defer r.sess.Close()
	last := map[string]map[int64]float64{}
	for _, f := range files {
		records, err := r.read(f)
		if err != nil {
			return nil, err
		}
		for _, rec := range records {
			if err := addEvent(last, rec); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return sorted(last), nil
}

func sorted(last map[string]map[int64]float64) Scalars {
	out := Scalars{}
	for tag, m := range last {
		pts := make([]Point, 0, len(m))
		for s, v := range m {
			pts = append(pts, Point{s, v})
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].Step < pts[j].Step })
		out[tag] = pts
	}
	return out
}

// addEvent parses one record as an Event and keeps its scalar values.
func addEvent(last map[string]map[int64]float64, rec []byte) error {
	var e eventpb.Event
	if err := proto.Unmarshal(rec, &e); err != nil {
		return fmt.Errorf("a record is not a tensorflow.Event: %w", err)
	}
	for _, v := range e.GetSummary().GetValue() {
		x, ok := scalar(v)
		if !ok {
			continue
		}
		if last[v.GetTag()] == nil {
			last[v.GetTag()] = map[int64]float64{}
		}
		last[v.GetTag()][e.GetStep()] = x
	}
	return nil
}

// scalar is a summary value's number: TF1's simple_value, or the scalar
// tensor TensorFlow's summary-writer ops write.
func scalar(v *framework.Summary_Value) (float64, bool) {
	if sv, ok := v.GetValue().(*framework.Summary_Value_SimpleValue); ok {
		return float64(sv.SimpleValue), true
	}
	t := v.GetTensor()
	if t == nil || len(t.GetTensorShape().GetDim()) != 0 {
		return 0, false
	}
	return tensorScalar(t)
}

func tensorScalar(t *tensorpb.TensorProto) (float64, bool) {
	c := t.GetTensorContent()
	switch t.GetDtype() {
	case typespb.DataType_DT_FLOAT:
		if len(t.GetFloatVal()) == 1 {
			return float64(t.GetFloatVal()[0]), true
		}
		if len(c) == 4 {
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(c))), true
		}
	case typespb.DataType_DT_DOUBLE:
		if len(t.GetDoubleVal()) == 1 {
			return t.GetDoubleVal()[0], true
		}
		if len(c) == 8 {
			return math.Float64frombits(binary.LittleEndian.Uint64(c)), true
		}
	}
	return 0, false
}

// reader is the record-reading graph: a TFRecordDataset over one file
// name through an iterator, one record per run. (Batches of records come
// back from graft v0.10.0 with their large strings corrupted: a
// [n] string tensor of image events did not parse; scalars do.)
type reader struct {
	sess    *tf.Session
	file    tf.Output
	init    *tf.Operation
	records tf.Output
}

func newReader() (*reader, error) {
	s := op.NewScope()
	file := op.Placeholder(s.SubScope("file"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	ds := op.TFRecordDataset(s, file, op.Const(s.SubScope("compression"), ""), op.Const(s.SubScope("buffer"), int64(256<<10)))
	types, shapes := []tf.DataType{tf.String}, []tf.Shape{tf.ScalarShape()}
	it := op.Iterator(s, "", "", types, shapes)
	init := op.MakeIterator(s, ds, it)
	next := op.IteratorGetNext(s, it, types, shapes)
	g, err := s.Finalize()
	if err != nil {
		return nil, fmt.Errorf("event reader graph: %w", err)
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		return nil, fmt.Errorf("event reader session: %w", err)
	}
	return &reader{sess: sess, file: file, init: init, records: next[0]}, nil
}

// read returns every record of path. A record cut short at the end (a
// run still writing, or killed) ends the file instead of failing.
func (r *reader) read(path string) ([][]byte, error) {
	name, err := tf.NewTensor(path)
	if err != nil {
		return nil, err
	}
	if _, err := r.sess.Run(map[tf.Output]*tf.Tensor{r.file: name}, nil, []*tf.Operation{r.init}); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var out [][]byte
	for {
		got, err := r.sess.Run(nil, []tf.Output{r.records}, nil)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "End of sequence") || strings.Contains(msg, "truncated record") {
				return out, nil
			}
			return nil, fmt.Errorf("read %s (after %d records): %w", path, len(out), err)
		}
		out = append(out, []byte(got[0].Value().(string)))
	}
}
