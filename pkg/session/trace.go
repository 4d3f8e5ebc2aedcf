package session

/*
#include <stdlib.h>
#include "tensorflow/c/c_api.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime"
	"unsafe"

	tf "github.com/wamuir/graft/tensorflow"
	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// graft's Session.Run passes no RunOptions, so a traced run (which needs
// RunOptions.trace_level) calls TF_SessionRun here. The structs below
// mirror the first fields of graft v0.10.0's Session, Operation and
// Tensor, which hold the C handles; go.mod pins that version.
type (
	cSession   struct{ c *C.TF_Session }
	cOperation struct{ c *C.TF_Operation }
	cTensor    struct {
		c     *C.TF_Tensor
		shape []int64
	}
)

func sessionC(s *tf.Session) *C.TF_Session       { return (*cSession)(unsafe.Pointer(s)).c }
func operationC(o *tf.Operation) *C.TF_Operation { return (*cOperation)(unsafe.Pointer(o)).c }
func tensorC(t *tf.Tensor) *C.TF_Tensor          { return (*cTensor)(unsafe.Pointer(t)).c }

// RunTraced runs like Session.Run with a full execution trace, and returns
// the fetched tensors and the serialized RunMetadata (its step_stats hold
// the trace).
func RunTraced(s *tf.Session, feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) ([]*tf.Tensor, []byte, error) {
	opts, err := proto.Marshal(&cfgpb.RunOptions{TraceLevel: cfgpb.RunOptions_FULL_TRACE})
	if err != nil {
		return nil, nil, err
	}
	var inputs []C.TF_Output
	var values []*C.TF_Tensor
	for o, t := range feeds {
		inputs = append(inputs, C.TF_Output{oper: operationC(o.Op), index: C.int(o.Index)})
		values = append(values, tensorC(t))
	}
	outputs := make([]C.TF_Output, len(fetches))
	for i, o := range fetches {
		outputs[i] = C.TF_Output{oper: operationC(o.Op), index: C.int(o.Index)}
	}
	results := make([]*C.TF_Tensor, len(fetches))
	ops := make([]*C.TF_Operation, len(targets))
	for i, o := range targets {
		ops[i] = operationC(o)
	}
	copts := C.CBytes(opts)
	defer C.free(copts)
	runOpts := C.TF_NewBufferFromString(copts, C.size_t(len(opts)))
	defer C.TF_DeleteBuffer(runOpts)
	meta := C.TF_NewBuffer()
	defer C.TF_DeleteBuffer(meta)
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)

	C.TF_SessionRun(sessionC(s), runOpts,
		ptr(inputs), ptr(values), C.int(len(inputs)),
		ptr(outputs), ptr(results), C.int(len(outputs)),
		ptr(ops), C.int(len(ops)), meta, status)
	runtime.KeepAlive(feeds)
	runtime.KeepAlive(fetches)
	runtime.KeepAlive(targets)
	if C.TF_GetCode(status) != C.TF_OK {
		return nil, nil, fmt.Errorf("%s", C.GoString(C.TF_Message(status)))
	}
	// Every C result is deleted, including those after a failed copy.
	out := make([]*tf.Tensor, len(results))
	var copyErr error
	for i, ct := range results {
		if copyErr == nil {
			out[i], copyErr = copyTensor(ct)
		}
		C.TF_DeleteTensor(ct)
	}
	if copyErr != nil {
		return nil, nil, copyErr
	}
	return out, C.GoBytes(meta.data, C.int(meta.length)), nil
}

// ptr is the address of a slice's first element, or nil.
func ptr[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// copyTensor copies a C tensor into a Go-owned graft tensor.
func copyTensor(ct *C.TF_Tensor) (*tf.Tensor, error) {
	dims := make([]int64, int(C.TF_NumDims(ct)))
	for i := range dims {
		dims[i] = int64(C.TF_Dim(ct, C.int(i)))
	}
	view := (*tf.Tensor)(unsafe.Pointer(&cTensor{c: ct, shape: dims}))
	if view.DataType() == tf.String {
		return tf.NewTensor(view.Value())
	}
	var buf bytes.Buffer
	if _, err := view.WriteContentsTo(&buf); err != nil {
		return nil, err
	}
	return tf.ReadTensor(view.DataType(), dims, &buf)
}
