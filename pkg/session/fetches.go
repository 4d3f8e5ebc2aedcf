package session

import tf "github.com/wamuir/graft/tensorflow"

// Fetches are the outputs of one Session.Run in named groups: a caller
// adds groups, runs Outputs, and reads each group's tensors back by name,
// so that adding a fetch cannot shift the others' positions.
type Fetches struct {
	outs  []tf.Output
	spans map[string][2]int
}

// Add appends a group of outputs under name (a second Add of the same
// name replaces the first's span).
func (f *Fetches) Add(name string, outs ...tf.Output) {
	if f.spans == nil {
		f.spans = map[string][2]int{}
	}
	f.spans[name] = [2]int{len(f.outs), len(f.outs) + len(outs)}
	f.outs = append(f.outs, outs...)
}

// Outputs are every group's outputs, in the order they were added.
func (f *Fetches) Outputs() []tf.Output { return f.outs }

// Get is the group name's tensors out of a run's results (nil for a
// group never added).
func (f *Fetches) Get(results []*tf.Tensor, name string) []*tf.Tensor {
	sp, ok := f.spans[name]
	if !ok {
		return nil
	}
	return results[sp[0]:sp[1]]
}
