package train

import (
	"fmt"
	"io"

	tf "github.com/wamuir/graft/tensorflow"
	vpb "github.com/wamuir/graft/tensorflow/core/framework/variable_go_proto"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/session"
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
	var all, trainable, step [][]byte
	for _, v := range m.Vars.All() {
		b, err := variableDef(v, sv)
		if err != nil {
			return nil, err
		}
		all = append(all, b)
		if v.Trainable {
			trainable = append(trainable, b)
		}
		if v.Name == "global_step" {
			step = append(step, b)
		}
	}
	if len(step) != 1 {
		return nil, fmt.Errorf("the graph has no global_step variable")
	}
	cols := map[string]*cpb.CollectionDef{
		"variables":           bytesList(all),
		"trainable_variables": bytesList(trainable),
		"global_step":         bytesList(step),
		"train_op":            nodeList(m.DiscrimTrain.Name(), m.GenTrain.Name()),
	}
	if ex != nil && ex.summaries != nil {
		cols["summaries"] = nodeList(ex.merged.Op.Name() + ":0")
	}
	return cols, nil
}

// variableDef describes v as TensorFlow describes a graph-mode resource
// variable: its handle, its initializer and initial value, and a read of
// it with no dependencies (the saver's) as its snapshot.
func variableDef(v *nn.Variable, sv *pix2pix.Saver) ([]byte, error) {
	read, ok := sv.Reads[v.Name]
	if !ok {
		return nil, fmt.Errorf("variable %s is not in the saver", v.Name)
	}
	vd := &vpb.VariableDef{
		VariableName:     v.Handle.Op.Name() + ":0",
		InitialValueName: fmt.Sprintf("%s:%d", v.InitValue.Op.Name(), v.InitValue.Index),
		InitializerName:  v.Init.Name(),
		SnapshotName:     read.Op.Name() + ":0",
		IsResource:       true,
		Trainable:        v.Trainable,
	}
	if v.Name == "global_step" {
		// As TensorFlow creates it (get_or_create_global_step).
		vd.Aggregation = vpb.VariableAggregation_VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA
	}
	return proto.Marshal(vd)
}

func bytesList(b [][]byte) *cpb.CollectionDef {
	return &cpb.CollectionDef{Kind: &cpb.CollectionDef_BytesList_{BytesList: &cpb.CollectionDef_BytesList{Value: b}}}
}

func nodeList(names ...string) *cpb.CollectionDef {
	return &cpb.CollectionDef{Kind: &cpb.CollectionDef_NodeList_{NodeList: &cpb.CollectionDef_NodeList{Value: names}}}
}

func writeMeta(data []byte) func(string) error {
	return func(path string) error {
		return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
	}
}
