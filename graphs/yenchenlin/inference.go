package yenchenlin

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
)

// The commands build generators through pix2pix.BuildGenerator; this
// setup's is built here when their Config names it.
func init() {
	pix2pix.RegisterSetup(pix2pix.SetupYenchenlin, func(s *op.Scope, cfg pix2pix.Config, inputs tf.Output, o pix2pix.GeneratorOptions) (*pix2pix.Generator, error) {
		return BuildGeneratorWith(s, FromConfig(cfg), inputs, o)
	})
}

// FromConfig is the setup's configuration from the options pix2pix
// records (options.json, the flags): the widths, Adam's rate and beta1,
// dropout and the seed; pix2pix.Config.Validate refuses the options the
// setup fixes.
func FromConfig(c pix2pix.Config) Config {
	return Config{NGF: c.NGF, NDF: c.NDF, LR: c.LR, Beta1: c.Beta1, Dropout: c.Dropout, Seed: c.Seed}
}

// BuildGenerator adds the generator alone on inputs (real_A, [batch, 256,
// 256, 3] in [-1, 1]) for test mode, inference and export, as
// pix2pix.Generator so that the commands' GraphFuncs take it unchanged.
// Batch norm normalises with the batch's statistics, as the program's
// sampler does at test time; the moving-average updates are left out
// (nothing reads them, and a served model should not write to its
// variables). cfg.Dropout keeps the d1-d3 dropout, on in the original.
func BuildGenerator(s *op.Scope, cfg Config, inputs tf.Output) (*pix2pix.Generator, error) {
	return BuildGeneratorWith(s, cfg, inputs, pix2pix.GeneratorOptions{})
}

// BuildGeneratorWith is BuildGenerator with the options of
// pix2pix.BuildGenerator: statistics per image (inference: an image's
// output does not depend on its batch), a store shared with an earlier
// generator and a given dropout key.
func BuildGeneratorWith(s *op.Scope, cfg Config, inputs tf.Output, o pix2pix.GeneratorOptions) (*pix2pix.Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sh := inputs.Shape(); sh.NumDimensions() != 4 || sh.Size(1) != Size || sh.Size(2) != Size || sh.Size(3) != 3 {
		return nil, fmt.Errorf("yenchenlin setup: generator inputs must be [batch, %d, %d, 3], got %v", Size, Size, sh)
	}
	st := o.Store
	if st == nil {
		st = nn.NewStore(s, cfg.Seed)
	}
	key := o.Step
	if key.Op == nil {
		key = op.PlaceholderWithDefault(s.SubScope("dropout_step"), op.Const(s.SubScope("zero_step"), int64(0)), tf.ScalarShape())
	}
	b := &builder{cfg: cfg, store: st, reads: map[*nn.Variable]tf.Output{}, key: key, noUpdates: true, perImage: o.PerImageNorm}
	g := &pix2pix.Generator{Inputs: inputs, Step: key, Vars: st}
	g.Outputs = b.generator(s, inputs)
	g.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("build yenchenlin generator: %w", err)
	}
	return g, nil
}
