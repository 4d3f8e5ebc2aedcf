package pix2pix

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/nn"
)

// DTypeName is the TensorFlow name of the dtypes variables use.
func DTypeName(d tf.DataType) string {
	switch d {
	case tf.Float:
		return "float32"
	case tf.Int64:
		return "int64"
	case tf.Double:
		return "float64"
	case tf.Int32:
		return "int32"
	}
	return fmt.Sprintf("dtype(%d)", int(d))
}

// VariableLine is one variable as "name dtype [d0,d1,...]", the form of the
// golden files and of `pix2pix graph`.
func VariableLine(v *nn.Variable) string {
	dims := make([]string, len(v.Shape))
	for i, d := range v.Shape {
		dims[i] = fmt.Sprint(d)
	}
	return fmt.Sprintf("%s %s [%s]", v.Name, DTypeName(v.DType), strings.Join(dims, ","))
}

// ParamCount is the number of trainable scalars whose variable names start
// with prefix ("generator", "discriminator").
func (m *Model) ParamCount(prefix string) int64 {
	var n int64
	for _, v := range m.Vars.Trainable(prefix) {
		n += v.Elements()
	}
	return n
}
