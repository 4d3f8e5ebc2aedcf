package session

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/fsutil"
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

// Floats returns a float32 tensor's elements in row-major order.
func Floats(t *tf.Tensor) ([]float32, error) {
	if t.DataType() != tf.Float {
		return nil, fmt.Errorf("tensor is %v, not float32", t.DataType())
	}
	var buf bytes.Buffer
	if err := WriteContents(t, &buf); err != nil {
		return nil, err
	}
	out := make([]float32, buf.Len()/4)
	return out, binary.Read(&buf, binary.LittleEndian, out)
}

// FirstLine is an error's first line: TensorFlow's messages go on with
// node definitions and stack context that mean nothing to a user.
func FirstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// WriteEncoded writes the bytes of a string scalar tensor (an encoded
// image) to path atomically.
func WriteEncoded(path string, t *tf.Tensor) error {
	data, ok := Value(t).(string)
	if !ok {
		return fmt.Errorf("write %s: not an encoded image", path)
	}
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, data)
		return err
	})
}
