package export

import (
	"encoding/binary"
	"fmt"

	gpb "github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	tpb "github.com/wamuir/graft/tensorflow/core/framework/tensor_go_proto"
	typb "github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
)

// Two things make a SavedModel written from Go look, to the
// tools that read SavedModels without TensorFlow's own loader, as one
// TensorFlow's Builder and Saver write (compared with one written by
// tf.compat.v1.saved_model.Builder for a one-variable graph):
//
//   - OpenVINO maps each variable to its checkpoint key by walking
//     AssignVariableOp <- RestoreV2 <- the tensor_names Const, and reads
//     the key from that Const's string_val. Python writes string
//     constants that way; the C API (TF_SetAttrTensor) writes them packed
//     in tensor_content, which OpenVINO does not read ("RestoreV2 output
//     index out of range: 0 (size=0)").
//   - TensorFlow 2's loader of a TF1 SavedModel (tf.saved_model.load,
//     which tf2onnx and OpenVINO's in-memory path use) lifts a graph's
//     variables out of its signature functions only when they are listed
//     in the "variables" collection. Without it the VarHandleOps stay
//     inside the functions, uninitialized, and freezing finds no weights.
//     servingMeta writes that collection (trained.VariableCollections).

// unpackStringConsts rewrites every string Const of gd whose value is
// packed in tensor_content (varint lengths, then the bytes) into
// string_val, the form TensorFlow's Python writes. Values are unchanged.
func unpackStringConsts(gd *gpb.GraphDef) error {
	for _, n := range gd.Node {
		if n.Op != "Const" {
			continue
		}
		t := n.Attr["value"].GetTensor()
		if t == nil || t.Dtype != typb.DataType_DT_STRING || len(t.TensorContent) == 0 {
			continue
		}
		vals, err := decodeStringList(t.TensorContent, elements(t))
		if err != nil {
			return fmt.Errorf("string constant %s: %w", n.Name, err)
		}
		t.StringVal, t.TensorContent = vals, nil
	}
	return nil
}

func elements(t *tpb.TensorProto) int {
	n := 1
	for _, d := range t.TensorShape.GetDim() {
		n *= int(d.Size)
	}
	return n
}

// decodeStringList reads n varint lengths, then the n strings.
func decodeStringList(b []byte, n int) ([][]byte, error) {
	lens := make([]uint64, n)
	for i := range lens {
		l, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, fmt.Errorf("bad length %d of %d", i, n)
		}
		lens[i], b = l, b[k:]
	}
	out := make([][]byte, n)
	for i, l := range lens {
		if uint64(len(b)) < l {
			return nil, fmt.Errorf("string %d of %d is truncated", i, n)
		}
		out[i], b = append([]byte{}, b[:l]...), b[l:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%d bytes left over after %d strings", len(b), n)
	}
	return out, nil
}
