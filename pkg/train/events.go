package train

import (
	"bytes"
	"fmt"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	eventpb "github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
	"google.golang.org/protobuf/proto"

	"pix2pix/pkg/session"
)

// writeGraphEvents writes the training graph into the event file, then
// the meta graph (the .meta of the checkpoints), keyed by step 0 as the
// original's Supervisor does once per start: TensorBoard shows the newest
// graph when a resumed run adds another.
func writeGraphEvents(sess *session.Session, g *tf.Graph, meta []byte, ex *extras) error {
	var def bytes.Buffer
	if _, err := g.WriteTo(&def); err != nil {
		return fmt.Errorf("serialize the graph: %w", err)
	}
	if err := feedWrite(sess, ex.graphDef, ex.writeGraph, def.String()); err != nil {
		return err
	}
	return writeEvent(sess, ex, &eventpb.Event{What: &eventpb.Event_MetaGraphDef{MetaGraphDef: meta}})
}

// writeTraceEvent adds a step's RunMetadata to the event file under the
// original's tag step_<global_step> (TensorBoard's Graphs tab lists it as
// a session run), keyed by step 0 as TF1's add_run_metadata keys it.
func writeTraceEvent(sess *session.Session, ex *extras, gs int64, meta []byte) error {
	var md eventpb.TaggedRunMetadata
	md.Tag = fmt.Sprintf("step_%d", gs)
	md.RunMetadata = meta
	return writeEvent(sess, ex, &eventpb.Event{What: &eventpb.Event_TaggedRunMetadata{TaggedRunMetadata: &md}})
}

// writeEvent stamps e with the wall time and writes it through the
// summary writer (TensorFlow's ImportEvent op), for the events no
// dedicated summary op writes.
func writeEvent(sess *session.Session, ex *extras, e *eventpb.Event) error {
	e.WallTime = float64(time.Now().UnixNano()) / 1e9
	b, err := proto.Marshal(e)
	if err != nil {
		return fmt.Errorf("serialize the event: %w", err)
	}
	return feedWrite(sess, ex.event, ex.writeEvent, string(b))
}

// feedWrite runs write with value fed to its string placeholder.
func feedWrite(sess *session.Session, feed tf.Output, write *tf.Operation, value string) error {
	t, err := tf.NewTensor(value)
	if err != nil {
		return err
	}
	_, err = sess.Run(map[tf.Output]*tf.Tensor{feed: t}, nil, []*tf.Operation{write})
	return err
}
