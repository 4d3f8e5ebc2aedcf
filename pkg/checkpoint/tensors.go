package checkpoint

import (
	"fmt"
	"sort"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// ReadTensors reads the named tensors (all of them if names is empty) from
// the checkpoint at prefix, through TensorFlow's RestoreV2 kernel.
func ReadTensors(prefix string, names ...string) (map[string]*tf.Tensor, error) {
	entries, err := List(prefix)
	if err != nil {
		return nil, err
	}
	byName := map[string]Entry{}
	for _, e := range entries {
		byName[e.Name] = e
	}
	if len(names) == 0 {
		for _, e := range entries {
			names = append(names, e.Name)
		}
	}
	dtypes := make([]tf.DataType, len(names))
	for i, n := range names {
		e, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("checkpoint %s has no tensor %q", prefix, n)
		}
		dtypes[i] = e.DType
	}
	s := op.NewScope()
	values := op.RestoreV2(s, op.Const(s.SubScope("prefix"), prefix), op.Const(s.SubScope("names"), names),
		op.Const(s.SubScope("slices"), make([]string, len(names))), dtypes)
	out, err := runOnce(s, nil, values, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", prefix, err)
	}
	m := make(map[string]*tf.Tensor, len(names))
	for i, n := range names {
		m[n] = out[i]
	}
	return m, nil
}

// WriteTensors writes tensors under their names as a checkpoint at prefix,
// through TensorFlow's SaveV2 kernel.
func WriteTensors(prefix string, tensors map[string]*tf.Tensor) error {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	s := op.NewScope()
	feeds := map[tf.Output]*tf.Tensor{}
	vals := make([]tf.Output, len(names))
	for i, n := range names {
		vals[i] = op.Placeholder(s.SubScope("value"), tensors[n].DataType())
		feeds[vals[i]] = tensors[n]
	}
	save := op.SaveV2(s, op.Const(s.SubScope("prefix"), prefix), op.Const(s.SubScope("names"), names),
		op.Const(s.SubScope("slices"), make([]string, len(names))), vals)
	if _, err := runOnce(s, feeds, nil, []*tf.Operation{save}); err != nil {
		return fmt.Errorf("write %s: %w", prefix, err)
	}
	return nil
}

// runOnce finalises s, runs it once in a fresh session and closes it.
func runOnce(s *op.Scope, feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) ([]*tf.Tensor, error) {
	g, err := s.Finalize()
	if err != nil {
		return nil, err
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	return sess.Run(feeds, fetches, targets)
}
