package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Saver is the save and restore ops over a set of variables, in
// TensorFlow's V2 checkpoint format under the variables' own names.
type Saver struct {
	// Prefix is the string scalar to feed with the checkpoint prefix
	// (e.g. "out/model-5000"; the files are <prefix>.index and
	// <prefix>.data-00000-of-00001).
	Prefix tf.Output
	// Save writes every variable to Prefix; Restore assigns every
	// variable from Prefix (dtype and shape must match).
	Save, Restore *tf.Operation
	// SaveTensor is Prefix passed through after Save: the save endpoint a
	// meta graph's SaverDef names, as TensorFlow's Saver builds it.
	SaveTensor tf.Output
	// Merge merges the checkpoint at MergeFrom (a string vector of
	// prefixes) into MergeTo and deletes the sources: written to a
	// temporary prefix first, a checkpoint appears under its final name
	// only once complete.
	MergeFrom, MergeTo tf.Output
	Merge              *tf.Operation
	// Vars are the saved variables, sorted by name; Reads reads each
	// (by name) without depending on anything else in the graph.
	Vars  []*nn.Variable
	Reads map[string]tf.Output
}

// BuildSaver adds a Saver over vars. The file ops and their string inputs
// are pinned to the host (they have no GPU kernels); the reads and assigns
// of the variables stay with the variables.
func BuildSaver(s *op.Scope, vars []*nn.Variable) *Saver {
	s = s.SubScope("save")
	host := s.WithDevice(nn.HostDevice)
	sv := &Saver{Vars: vars, Reads: map[string]tf.Output{}}
	sv.Prefix = op.Placeholder(host.SubScope("prefix"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	names := make([]string, len(vars))
	slices := make([]string, len(vars))
	dtypes := make([]tf.DataType, len(vars))
	reads := make([]tf.Output, len(vars))
	for i, v := range vars {
		names[i] = v.Name
		dtypes[i] = v.DType
		reads[i] = v.Read(s.SubScope("read"))
		sv.Reads[v.Name] = reads[i]
	}
	nameT := op.Const(host.SubScope("tensor_names"), names)
	sliceT := op.Const(host.SubScope("shape_and_slices"), slices)
	sv.Save = op.SaveV2(host, sv.Prefix, nameT, sliceT, reads)
	sv.SaveTensor = op.Identity(host.WithControlDependencies(sv.Save).SubScope("control_dependency"), sv.Prefix)
	values := op.RestoreV2(host, sv.Prefix, nameT, sliceT, dtypes)
	assigns := make([]*tf.Operation, len(vars))
	for i, v := range vars {
		assigns[i] = op.AssignVariableOp(s.SubScope("assign"), v.Handle, values[i], op.AssignVariableOpValidateShape(true))
	}
	sv.Restore = op.NoOp(s.WithControlDependencies(assigns...).SubScope("restore_all"))
	sv.MergeFrom = op.Placeholder(host.SubScope("merge_from"), tf.String, op.PlaceholderShape(tf.MakeShape(-1)))
	sv.MergeTo = op.Placeholder(host.SubScope("merge_to"), tf.String, op.PlaceholderShape(tf.ScalarShape()))
	sv.Merge = op.MergeV2Checkpoints(host, sv.MergeFrom, sv.MergeTo, op.MergeV2CheckpointsDeleteOldDirs(true))
	return sv
}

// Def is the SaverDef a meta graph records for this saver: the endpoints
// TensorFlow's Saver finds after import_meta_graph, in the V2 format,
// keeping maxToKeep checkpoints.
func (sv *Saver) Def(maxToKeep int) *cpb.SaverDef {
	return &cpb.SaverDef{
		FilenameTensorName: sv.Prefix.Op.Name() + ":0",
		SaveTensorName:     sv.SaveTensor.Op.Name() + ":0",
		RestoreOpName:      sv.Restore.Name(),
		MaxToKeep:          int32(maxToKeep),
		Version:            cpb.SaverDef_V2,
	}
}
