package session

import (
	"io"
	"runtime"

	tf "github.com/wamuir/graft/tensorflow"
)

// graft's Tensor.Value and WriteContentsTo read the tensor's C memory
// after their last use of the Go value, so the garbage collector may run
// the tensor's finalizer (freeing that memory) while they copy. These
// wrappers keep the tensor alive until the copy is done. Use them, not the
// methods.

// Value is t.Value(), safely.
func Value(t *tf.Tensor) interface{} {
	v := t.Value()
	runtime.KeepAlive(t)
	return v
}

// WriteContents is t.WriteContentsTo(w), safely.
func WriteContents(t *tf.Tensor, w io.Writer) error {
	_, err := t.WriteContentsTo(w)
	runtime.KeepAlive(t)
	return err
}
