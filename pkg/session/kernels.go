package session

/*
#include <stdlib.h>
#include "tensorflow/c/c_api.h"
*/
import "C"

import (
	"fmt"
	"sort"
	"strings"
	"unsafe"

	tf "github.com/wamuir/graft/tensorflow"
	apb "github.com/wamuir/graft/tensorflow/core/framework/attr_value_go_proto"
	kpb "github.com/wamuir/graft/tensorflow/core/framework/kernel_def_go_proto"
	npb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"
	tpb "github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
	"google.golang.org/protobuf/proto"
)

// registeredKernels asks the loaded library which kernels it registers for
// an op type. A CPU-only build registers no GPU kernels at all, so ask the
// CUDA build (make check-gpu-build) about GPU coverage.
func registeredKernels(opType string) ([]*kpb.KernelDef, error) {
	name := C.CString(opType)
	defer C.free(unsafe.Pointer(name))
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	buf := C.TF_GetRegisteredKernelsForOp(name, status)
	if C.TF_GetCode(status) != C.TF_OK {
		return nil, fmt.Errorf("kernels of %s: %s", opType, C.GoString(C.TF_Message(status)))
	}
	defer C.TF_DeleteBuffer(buf)
	var list kpb.KernelList
	if err := proto.Unmarshal(C.GoBytes(buf.data, C.int(buf.length)), &list); err != nil {
		return nil, fmt.Errorf("kernels of %s: %w", opType, err)
	}
	return list.GetKernel(), nil
}

// OpKind is an op type with the values of its type attributes, the key
// under which kernels are registered ("Const dtype=DT_STRING").
type OpKind string

// kindOf names a node by its op type and sorted type attributes.
func kindOf(n *npb.NodeDef) OpKind {
	var attrs []string
	for k, v := range n.GetAttr() {
		switch x := v.GetValue().(type) {
		case *apb.AttrValue_Type:
			attrs = append(attrs, k+"="+x.Type.String())
		case *apb.AttrValue_List:
			if ts := x.List.GetType(); len(ts) > 0 {
				attrs = append(attrs, k+"="+typeRuns(ts))
			}
		}
	}
	sort.Strings(attrs)
	return OpKind(strings.TrimSpace(n.GetOp() + " " + strings.Join(attrs, " ")))
}

// typeRuns spells a type list with runs counted: "DT_FLOAT*269,DT_INT64".
func typeRuns(ts []tpb.DataType) string {
	var parts []string
	for i := 0; i < len(ts); {
		j := i
		for j < len(ts) && ts[j] == ts[i] {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("%s*%d", ts[i], j-i))
		} else {
			parts = append(parts, ts[i].String())
		}
		i = j
	}
	return strings.Join(parts, ",")
}

// admits reports whether a kernel's type constraints allow the node.
func admits(k *kpb.KernelDef, n *npb.NodeDef) bool {
	for _, c := range k.GetConstraint() {
		allowed := map[int32]bool{}
		for _, t := range c.GetAllowedValues().GetList().GetType() {
			allowed[int32(t)] = true
		}
		v, ok := n.GetAttr()[c.GetName()]
		if !ok {
			return false
		}
		types := v.GetList().GetType()
		if t, ok := v.GetValue().(*apb.AttrValue_Type); ok {
			types = append(types, t.Type)
		}
		for _, t := range types {
			if !allowed[int32(t)] {
				return false
			}
		}
	}
	return true
}

// Placement is one kind of op of a graph and where the graph pins it.
type Placement struct {
	Kind OpKind
	// Pinned is the device the graph assigns ("" for none: placed by the
	// session, on the session's device).
	Pinned string
	// Nodes counts the nodes of this kind, Example names one.
	Nodes   int
	Example string
	// HasKernel (filled by CheckKernels): a kernel of the device type
	// admits the op's types.
	HasKernel bool
	node      *npb.NodeDef
}

// GraphOps lists every kind of op in g with its pinned device, sorted by
// kind then device.
func GraphOps(g *tf.Graph) ([]Placement, error) {
	gd, err := GraphDef(g)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*Placement{}
	for _, n := range gd.GetNode() {
		key := string(kindOf(n)) + "\x00" + n.GetDevice()
		p := byKey[key]
		if p == nil {
			p = &Placement{Kind: kindOf(n), Pinned: n.GetDevice(), Example: n.GetName(), node: n}
			byKey[key] = p
		}
		p.Nodes++
	}
	out := make([]Placement, 0, len(byKey))
	for _, p := range byKey {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Pinned < out[j].Pinned
	})
	return out, nil
}

// CheckKernels fills HasKernel: whether the loaded library registers a
// kernel on deviceType ("GPU") that admits each kind's types.
func CheckKernels(ps []Placement, deviceType string) error {
	kernels := map[string][]*kpb.KernelDef{}
	for i := range ps {
		n := ps[i].node
		ks, ok := kernels[n.GetOp()]
		if !ok {
			var err error
			if ks, err = registeredKernels(n.GetOp()); err != nil {
				return err
			}
			kernels[n.GetOp()] = ks
		}
		ps[i].HasKernel = false
		for _, k := range ks {
			// DEFAULT kernels (TensorFlow's DEVICE_DEFAULT) serve every
			// device: resource handles, int32 constants and shapes.
			dev := k.GetDeviceType()
			if (strings.EqualFold(dev, deviceType) || dev == "DEFAULT") && admits(k, n) {
				ps[i].HasKernel = true
				break
			}
		}
	}
	return nil
}

// CUDABuild reports whether the loaded library is TensorFlow's CUDA build
// (it registers GPU kernels, MatMul's among them, whether or not a GPU is
// present).
func CUDABuild() bool {
	ks, err := registeredKernels("MatMul")
	if err != nil {
		return false
	}
	for _, k := range ks {
		if k.GetDeviceType() == "GPU" {
			return true
		}
	}
	return false
}
