// Package nn holds the graph-building pieces shared by the pix2pix graphs:
// a store of named resource variables with their initialisers, and small
// helpers for constants. It builds graphs only; nothing here runs them.
package nn

import (
	"fmt"
	"sort"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Initializer builds the op that produces a variable's initial value.
// seed is the variable's own seed, derived from the store's seed and the
// variable's creation index, so that a given seed gives the same weights.
type Initializer func(s *op.Scope, shape []int64, dtype tf.DataType, seed int64) tf.Output

// Variable is one resource variable. Its node name is exactly its
// checkpoint name (e.g. "generator/encoder_1/conv2d/kernel"), as TensorFlow
// 1.x's tf.layers would name it.
type Variable struct {
	Name      string
	DType     tf.DataType
	Shape     []int64
	Trainable bool
	// Handle is the VarHandleOp's resource output.
	Handle tf.Output
	// Init assigns the initial value; InitValue is that value (a meta
	// graph's VariableDef names both, so TensorFlow can rebuild the
	// variable's initializer after import_meta_graph).
	Init      *tf.Operation
	InitValue tf.Output
}

// Read adds a ReadVariableOp of v in scope s. A read is a snapshot: an
// update that runs after it does not change the value it produced.
func (v *Variable) Read(s *op.Scope) tf.Output {
	return op.ReadVariableOp(s.SubScope("read"), v.Handle, v.DType)
}

// Elements is the number of scalars v holds.
func (v *Variable) Elements() int64 {
	n := int64(1)
	for _, d := range v.Shape {
		n *= d
	}
	return n
}

// Store creates variables once each, by full name, and remembers their
// creation order. Asking again for a name returns the same variable, which
// is how the two discriminator copies share their weights.
type Store struct {
	root   *op.Scope
	seed   int64
	vars   []*Variable
	byName map[string]*Variable
}

// NewStore makes a store adding its variables through root (whose device
// and control dependencies they inherit). seed derives every initialiser's
// seed.
func NewStore(root *op.Scope, seed int64) *Store {
	return &Store{root: root, seed: seed, byName: map[string]*Variable{}}
}

// Get returns the variable called name, creating it on first use. A second
// request with another shape or dtype is a graph-construction error.
func (st *Store) Get(name string, dtype tf.DataType, shape []int64, init Initializer, trainable bool) *Variable {
	if v, ok := st.byName[name]; ok {
		if v.DType != dtype || fmt.Sprint(v.Shape) != fmt.Sprint(shape) {
			st.root.UpdateErr("Variable", fmt.Errorf("variable %s requested as %v%v, exists as %v%v", name, dtype, shape, v.DType, v.Shape))
		}
		return v
	}
	h := st.root.AddOperation(tf.OpSpec{
		Type: "VarHandleOp",
		Name: name,
		Attrs: map[string]interface{}{
			"dtype":       dtype,
			"shape":       tf.MakeShape(shape...),
			"shared_name": name,
		},
	})
	v := &Variable{Name: name, DType: dtype, Shape: append([]int64(nil), shape...), Trainable: trainable}
	if h == nil {
		return v // the scope holds the error
	}
	v.Handle = h.Output(0)
	// Initial values are drawn on the host: the random ops have no GPU
	// kernel for int64 shapes, and a GPU run then starts from exactly the
	// weights a CPU run with the same seed draws.
	// The assignment stays with the variable.
	s := st.root.SubScope(name + "/Initializer")
	// Each variable gets its own seed pair: (store seed, creation index).
	v.InitValue = init(s.WithDevice(HostDevice), shape, dtype, st.seed*1000003+int64(len(st.vars))+1)
	v.Init = op.AssignVariableOp(s, v.Handle, v.InitValue)
	st.vars = append(st.vars, v)
	st.byName[name] = v
	return v
}

// Lookup returns the variable called name, or nil.
func (st *Store) Lookup(name string) *Variable { return st.byName[name] }

// All returns every variable in creation order.
func (st *Store) All() []*Variable { return append([]*Variable(nil), st.vars...) }

// Sorted returns every variable sorted by name, the order checkpoints and
// golden files use.
func (st *Store) Sorted() []*Variable {
	out := st.All()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Trainable returns the trainable variables whose names start with prefix,
// in creation order (the original selects each optimiser's variables by
// name prefix: "generator", "discriminator").
func (st *Store) Trainable(prefix string) []*Variable {
	var out []*Variable
	for _, v := range st.vars {
		if v.Trainable && len(v.Name) >= len(prefix) && v.Name[:len(prefix)] == prefix {
			out = append(out, v)
		}
	}
	return out
}

// InitOps returns every variable's initialiser.
func (st *Store) InitOps() []*tf.Operation {
	ops := make([]*tf.Operation, len(st.vars))
	for i, v := range st.vars {
		ops[i] = v.Init
	}
	return ops
}
