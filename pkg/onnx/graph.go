// Package onnx writes a trained pix2pix generator as an ONNX model
// (model.onnx) from Go, through the generated schema in pkg/onnx/onnxpb:
// standard ONNX operators at opset 17, weights read from the training
// checkpoint, no Python and no TensorFlow graph conversion involved.
package onnx

import (
	"fmt"

	"pix2pix/pkg/onnx/onnxpb"
)

// Opset is the ONNX operator set the model is written for (the
// default domain); IRVersion is the IR version that goes with it.
const (
	Opset     = 17
	IRVersion = 8
)

// graph accumulates the nodes and initializers of an ONNX graph. Node
// outputs are named after the node, so the file reads like the
// TensorFlow graph's scopes.
type graph struct {
	nodes []*onnxpb.NodeProto
	inits []*onnxpb.TensorProto
	used  map[string]bool
}

func newGraph() *graph { return &graph{used: map[string]bool{}} }

// unique returns name, or name_N if it is taken.
func (g *graph) unique(name string) string {
	n := name
	for i := 1; g.used[n]; i++ {
		n = fmt.Sprintf("%s_%d", name, i)
	}
	g.used[n] = true
	return n
}

// node adds one operator and returns its (single) output's name.
func (g *graph) node(opType, name string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	n := g.unique(name)
	g.nodes = append(g.nodes, &onnxpb.NodeProto{
		OpType: opType, Name: n, Input: inputs, Output: []string{n}, Attribute: attrs,
	})
	return n
}

// floats adds a float initializer and returns its name.
func (g *graph) floats(name string, dims []int64, data []float32) string {
	n := g.unique(name)
	g.inits = append(g.inits, &onnxpb.TensorProto{
		Name: n, Dims: dims, DataType: int32(onnxpb.TensorProto_FLOAT), FloatData: data,
	})
	return n
}

// tensor adds t as a float initializer.
func (g *graph) tensor(name string, t *tensor) string { return g.floats(name, t.shape, t.data) }

// scalar adds a float scalar initializer.
func (g *graph) scalar(name string, v float32) string { return g.floats(name, nil, []float32{v}) }

func intsAttr(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_INTS, Ints: v}
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_INT, I: v}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_FLOAT, F: v}
}

func stringAttr(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: name, Type: onnxpb.AttributeProto_STRING, S: []byte(v)}
}

// imageValue is a float [batch, channels, size, size] graph input or
// output, the batch dimension symbolic.
func imageValue(name string, channels, size int64) *onnxpb.ValueInfoProto {
	dim := func(v int64) *onnxpb.TensorShapeProto_Dimension {
		return &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	batch := &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}}
	return &onnxpb.ValueInfoProto{
		Name: name,
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: int32(onnxpb.TensorProto_FLOAT),
			Shape:    &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{batch, dim(channels), dim(size), dim(size)}},
		}}},
	}
}

// model wraps the graph with its one input and output.
func (g *graph) model(name, doc string, in, out *onnxpb.ValueInfoProto, producerVersion string) *onnxpb.ModelProto {
	return &onnxpb.ModelProto{
		IrVersion:       IRVersion,
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: "", Version: Opset}},
		ProducerName:    "pix2pix",
		ProducerVersion: producerVersion,
		DocString:       doc,
		Graph: &onnxpb.GraphProto{
			Name: name, Node: g.nodes, Initializer: g.inits,
			Input: []*onnxpb.ValueInfoProto{in}, Output: []*onnxpb.ValueInfoProto{out},
		},
	}
}
