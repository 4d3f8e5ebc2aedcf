package session

import (
	"bytes"
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	gpb "github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	"google.golang.org/protobuf/proto"
)

// GraphDef is g as a GraphDef message: what meta graphs, SavedModels and
// the kernel-coverage check read.
func GraphDef(g *tf.Graph) (*gpb.GraphDef, error) {
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("serialize graph: %w", err)
	}
	var gd gpb.GraphDef
	if err := proto.Unmarshal(buf.Bytes(), &gd); err != nil {
		return nil, fmt.Errorf("read serialized graph: %w", err)
	}
	return &gd, nil
}
