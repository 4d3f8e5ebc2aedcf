package train

import (
	"bytes"
	"io"

	tf "github.com/wamuir/graft/tensorflow"
	gpb "github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/session"
)

// metaGraph serialises the MetaGraphDef written beside each checkpoint as
// <prefix>.meta: the graph and a SaverDef naming its save and restore
// endpoints, so tf.compat.v1.train.import_meta_graph can rebuild a Saver.
func metaGraph(g *tf.Graph, sv *pix2pix.Saver, maxToKeep int) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		return nil, err
	}
	var gd gpb.GraphDef
	if err := proto.Unmarshal(buf.Bytes(), &gd); err != nil {
		return nil, err
	}
	mg := &cpb.MetaGraphDef{
		MetaInfoDef: &cpb.MetaGraphDef_MetaInfoDef{
			TensorflowVersion: session.TFVersion(),
			Tags:              []string{"train"},
		},
		GraphDef: &gd,
		SaverDef: &cpb.SaverDef{
			FilenameTensorName: sv.Prefix.Op.Name() + ":0",
			SaveTensorName:     sv.SaveTensor.Op.Name() + ":0",
			RestoreOpName:      sv.Restore.Name(),
			MaxToKeep:          int32(maxToKeep),
			Version:            cpb.SaverDef_V2,
		},
	}
	return proto.Marshal(mg)
}

func writeMeta(data []byte) func(string) error {
	return func(path string) error {
		return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	}
}
