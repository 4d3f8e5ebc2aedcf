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
	ev, err := proto.Marshal(&eventpb.Event{
		WallTime: float64(time.Now().UnixNano()) / 1e9,
		What:     &eventpb.Event_MetaGraphDef{MetaGraphDef: meta},
	})
	if err != nil {
		return fmt.Errorf("meta graph event: %w", err)
	}
	for _, w := range []struct {
		feed  tf.Output
		write *tf.Operation
		value string
	}{{ex.graphDef, ex.writeGraph, def.String()}, {ex.event, ex.writeEvent, string(ev)}} {
		t, err := tf.NewTensor(w.value)
		if err != nil {
			return err
		}
		if _, err := sess.Run(map[tf.Output]*tf.Tensor{w.feed: t}, nil, []*tf.Operation{w.write}); err != nil {
			return err
		}
	}
	return nil
}
