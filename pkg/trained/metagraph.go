package trained

import (
	"fmt"

	vpb "github.com/wamuir/graft/tensorflow/core/framework/variable_go_proto"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
)

// VariableCollections are the meta graph collections that describe vars
// as TensorFlow's loaders expect them (import_meta_graph, a SavedModel
// loader freezing a graph): "variables" (all, in creation order) and
// "trainable_variables", as VariableDefs; and "global_step" when vars
// hold it.
func VariableCollections(vars []*nn.Variable, sv *pix2pix.Saver) (map[string]*cpb.CollectionDef, error) {
	var all, trainable, step [][]byte
	for _, v := range vars {
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
	cols := map[string]*cpb.CollectionDef{"variables": BytesList(all), "trainable_variables": BytesList(trainable)}
	if len(step) > 0 {
		cols["global_step"] = BytesList(step)
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
		SnapshotName:     fmt.Sprintf("%s:%d", read.Op.Name(), read.Index),
		IsResource:       true,
		Trainable:        v.Trainable,
	}
	if v.Name == "global_step" {
		// As TensorFlow creates it (get_or_create_global_step).
		vd.Aggregation = vpb.VariableAggregation_VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA
	}
	return proto.Marshal(vd)
}

// BytesList is a CollectionDef of serialized protos.
func BytesList(b [][]byte) *cpb.CollectionDef {
	return &cpb.CollectionDef{Kind: &cpb.CollectionDef_BytesList_{BytesList: &cpb.CollectionDef_BytesList{Value: b}}}
}

// NodeList is a CollectionDef of node or tensor names.
func NodeList(names ...string) *cpb.CollectionDef {
	return &cpb.CollectionDef{Kind: &cpb.CollectionDef_NodeList_{NodeList: &cpb.CollectionDef_NodeList{Value: names}}}
}
