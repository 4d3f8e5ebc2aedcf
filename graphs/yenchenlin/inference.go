package yenchenlin

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
)

// BuildGenerator adds the generator alone on inputs (real_A, [batch, 256,
// 256, 3] in [-1, 1]) for test mode, inference and export, as
// pix2pix.Generator so that the commands' GraphFuncs take it unchanged.
// Batch norm normalises with the batch's statistics, as the program's
// sampler does at test time; the moving-average updates are left out
// (nothing reads them, and a served model should not write to its
// variables). cfg.Dropout keeps the d1-d3 dropout, on in the original.
func BuildGenerator(s *op.Scope, cfg Config, inputs tf.Output) (*pix2pix.Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sh := inputs.Shape(); sh.NumDimensions() != 4 || sh.Size(1) != Size || sh.Size(2) != Size || sh.Size(3) != 3 {
		return nil, fmt.Errorf("yenchenlin setup: generator inputs must be [batch, %d, %d, 3], got %v", Size, Size, sh)
	}
	st := nn.NewStore(s, cfg.Seed)
	key := op.PlaceholderWithDefault(s.SubScope("dropout_step"), op.Const(s.SubScope("zero_step"), int64(0)), tf.ScalarShape())
	b := &builder{cfg: cfg, store: st, reads: map[*nn.Variable]tf.Output{}, key: key, noUpdates: true}
	g := &pix2pix.Generator{Inputs: inputs, Step: key, Vars: st}
	g.Outputs = b.generator(s, inputs)
	g.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("build yenchenlin generator: %w", err)
	}
	return g, nil
}
