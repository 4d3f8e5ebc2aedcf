package export

import (
	tf "github.com/wamuir/graft/tensorflow"
	tspb "github.com/wamuir/graft/tensorflow/core/framework/tensor_shape_go_proto"
	typb "github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
)

func dataType(d tf.DataType) typb.DataType { return typb.DataType(d) }

// shape is a TensorShapeProto; no dims means a scalar.
func shape(dims []int64) *tspb.TensorShapeProto {
	p := &tspb.TensorShapeProto{}
	for _, d := range dims {
		p.Dim = append(p.Dim, &tspb.TensorShapeProto_Dim{Size: d})
	}
	return p
}
