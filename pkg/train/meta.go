package train

import (
	"fmt"
	"io"

	tf "github.com/wamuir/graft/tensorflow"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// metaGraph serialises the MetaGraphDef written beside each checkpoint as
// <prefix>.meta, as the original's Saver writes it: the graph, a SaverDef
// naming its save and restore endpoints, and the collections TF1 code
// looks variables and ops up in (see metaCollections), so that after
// tf.compat.v1.train.import_meta_graph, global_variables() and a new
// tf.compat.v1.train.Saver() see every variable.
func metaGraph(g *tf.Graph, m *pix2pix.Model, sv *pix2pix.Saver, ex *extras, maxToKeep int) ([]byte, error) {
	gd, err := session.GraphDef(g)
	if err != nil {
		return nil, err
	}
	cols, err := metaCollections(m, sv, ex)
	if err != nil {
		return nil, err
	}
	mg := &cpb.MetaGraphDef{
		MetaInfoDef: &cpb.MetaGraphDef_MetaInfoDef{
			TensorflowVersion: session.TFVersion(),
			Tags:              []string{"train"},
		},
		GraphDef:      gd,
		SaverDef:      sv.Def(maxToKeep),
		CollectionDef: cols,
	}
	return proto.Marshal(mg)
}

// metaCollections are the collections the original's meta graph holds
// that describe the model (its Supervisor also adds init_op, ready_op and
// the like, which a Supervisor built after import recreates itself):
//
//   - variables: every variable (270 at any ngf/ndf: weights, batch-norm
//     statistics, Adam slots and beta powers, loss averages, global_step),
//     in creation order; trainable_variables: the 76 trainable ones;
//     global_step: global_step. All are VariableDefs of resource
//     variables, which ours are (the original's are reference variables).
//   - train_op: the two Adam steps, which TF1's apply_gradients records
//     (discriminator's, then generator's; the latter waits for the former).
//   - summaries: TF1 holds there each summary op's serialized Summary,
//     for merge_all. Ours are written by summary-writer ops, which have no
//     such output, and an op in that list would break merge_all (and so
//     a default Supervisor); it holds instead one string tensor, an empty
//     Summary computed after every write (feed summaries/step/Placeholder,
//     and run summaries/summary/create once, to use it). Without a
//     summary writer (summary and trace frequencies 0) it is left out.
func metaCollections(m *pix2pix.Model, sv *pix2pix.Saver, ex *extras) (map[string]*cpb.CollectionDef, error) {
	cols, err := trained.VariableCollections(m.Vars.All(), sv)
	if err != nil {
		return nil, err
	}
	if cols["global_step"] == nil {
		return nil, fmt.Errorf("the graph has no global_step variable")
	}
	cols["train_op"] = trained.NodeList(m.DiscrimTrain.Name(), m.GenTrain.Name())
	if ex != nil && ex.summaries != nil {
		cols["summaries"] = trained.NodeList(ex.merged.Op.Name() + ":0")
	}
	return cols, nil
}

func writeMeta(data []byte) func(string) error {
	return func(path string) error {
		return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	}
}
