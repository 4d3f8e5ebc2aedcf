package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Generator is a generator-only graph for test mode, inference and export:
// the same variables under the same names, so it restores from a training
// checkpoint (the discriminator's and the optimisers' entries are simply
// not read).
type Generator struct {
	Inputs, Outputs tf.Output
	// Step seeds the dropout masks (int64 scalar, default 0): feed a
	// different value per batch for fresh masks.
	Step tf.Output
	Vars *nn.Store
	Init *tf.Operation
	// Prepare fills the variables of derived weights (the sub-pixel
	// kernels); run it after restoring or initialising Vars. Nil when
	// there are none. Those variables are not part of Vars: they are
	// never saved.
	Prepare *tf.Operation
	// Release, run once after Prepare, empties the variables that only
	// Prepare reads (the transposed kernels the sub-pixel kernels are
	// derived from), so their memory is not held twice; after it Vars can
	// no longer be saved or prepared again. Nil when there are none.
	Release *tf.Operation
}

// GeneratorOptions choose how the generator normalises and drops out at
// inference.
type GeneratorOptions struct {
	// PerImageNorm computes batch-norm statistics over each image alone,
	// as the original does at its default batch size of 1, while still
	// running the convolutions on the whole batch: outputs then do not
	// depend on how images are batched. Off, statistics span the batch
	// (the original's behaviour at --batch_size > 1).
	PerImageNorm bool
	// MaxBatch, if above 0, is the largest batch the graph is fed: with
	// PerImageNorm each image is then normalised on its own (one batch
	// norm per image), which costs less than laying the batch out as
	// channels (two transposes per batch norm). A larger batch fails at
	// run time (its batch norms' slice is out of range).
	MaxBatch int
	// Store, if set, holds the variables of an earlier generator in the
	// same graph: this one shares them (two signatures, one set of
	// weights).
	Store *nn.Store
	// Step, if set, seeds dropout instead of a new placeholder.
	Step tf.Output
	// AnySize lets the inputs' height and width be any multiple of
	// cfg.Stride, unknown until run time (infer --resize native; never
	// for training). See anysize.go.
	AnySize bool
}

// BuildGenerator adds the generator on inputs ([batch, 256, 256,
// InChannels] in [-1, 1]; any multiple of the stride with o.AnySize).
// cfg.Dropout decides dropout (the original keeps it on at test time).
// Another setup's generator (cfg.Setup) is built by its own package (see
// RegisterSetup).
func BuildGenerator(s *op.Scope, cfg Config, inputs tf.Output, o GeneratorOptions) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if other, err := otherSetup(cfg); other != nil || err != nil {
		if err != nil {
			return nil, err
		}
		if o.AnySize {
			return nil, fmt.Errorf("setup %s: --resize native is not supported (its generator is built for %dx%d): use --resize crop", cfg.Setup, cfg.Size(), cfg.Size())
		}
		return other(s, cfg, inputs, o)
	}
	check := func() error { return checkImage("inputs", inputs, cfg.Size(), cfg.InChannels) }
	if o.AnySize {
		check = func() error { return checkAnySize("inputs", inputs, cfg) }
	}
	if err := check(); err != nil {
		return nil, err
	}
	st := o.Store
	if st == nil {
		st = nn.NewStore(s, cfg.Seed)
	}
	step := o.Step
	if step.Op == nil {
		step = op.PlaceholderWithDefault(s.SubScope("dropout_step"), op.Const(s.SubScope("zero_step"), int64(0)), tf.ScalarShape())
	}
	b := &builder{cfg: cfg, store: st, reads: map[*nn.Variable]tf.Output{}, step: step, perImage: o.PerImageNorm, maxBatch: o.MaxBatch,
		moving: cfg.TestBN == TestBNMoving}
	if cfg.FastForms {
		b.cache = nn.NewStore(s, 0)
	}
	g := &Generator{Inputs: inputs, Step: step, Vars: st}
	g.Outputs = b.generator(s, inputs)
	g.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if len(b.prepare) > 0 {
		g.Prepare = op.NoOp(s.WithControlDependencies(b.prepare...).SubScope("prepare"))
		g.Release = b.release(s.SubScope("release"))
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("build generator: %w", err)
	}
	return g, nil
}

// perImageBatchnorm normalises each image of x ([batch, h, w, c]) over its
// own pixels, computing exactly the statistics a batch of one would: with
// a known largest batch (maxBatch > 0) image by image (see
// batchnormEach), else by laying the batch out as channels: [1, h, w,
// batch*c], with scale and offset tiled to match.
func perImageBatchnorm(s *op.Scope, x, gamma, beta, mean, variance tf.Output, maxBatch int) tf.Output {
	s = s.SubScope("per_image")
	if maxBatch > 0 {
		return batchnormEach(s, x, gamma, beta, mean, variance, maxBatch)
	}
	sh := x.Shape()
	c := sh.Size(3)
	batch := op.Slice(s, op.Shape(s, x, op.ShapeOutType(tf.Int32)), op.Const(s.SubScope("b0"), []int32{0}), op.Const(s.SubScope("b1"), []int32{1}))
	tile := func(name string, v tf.Output) tf.Output { return op.Tile(s.SubScope(name), v, batch) }
	hwbc := op.Transpose(s.SubScope("to_channels"), x, op.Const(s.SubScope("perm_in"), []int32{1, 2, 0, 3}))
	flat := op.Reshape(s.SubScope("flat"), hwbc, hwShape(s, "shape_in", x, false, []int32{1}, []int32{-1}))
	y, _, _, _, _, _ := op.FusedBatchNormV3(s.SubScope("FusedBatchNormV3"), flat, tile("gamma", gamma), tile("beta", beta),
		tile("mean", mean), tile("variance", variance),
		op.FusedBatchNormV3Epsilon(bnEpsilon), op.FusedBatchNormV3IsTraining(true))
	back := op.Reshape(s.SubScope("unflat"), y, hwShape(s, "shape_out", x, false, nil, []int32{-1, int32(c)}))
	return op.Transpose(s.SubScope("to_batch"), back, op.Const(s.SubScope("perm_out"), []int32{2, 0, 1, 3}))
}

// batchnormEach is perImageBatchnorm for batches of at most maxBatch
// images: one FusedBatchNormV3 per image, on a slice of x that shares its
// buffer, then one concatenation. Slot i holds image i, or nothing (an
// empty slice, normalised for free) when the batch is smaller, so a batch
// of 1 in a graph for 16 costs one batch norm, not 16. A batch over
// maxBatch fails in the final cut to the batch's size.
func batchnormEach(s *op.Scope, x, gamma, beta, mean, variance tf.Output, maxBatch int) tf.Output {
	norm := func(s *op.Scope, x tf.Output) tf.Output {
		y, _, _, _, _, _ := op.FusedBatchNormV3(s.SubScope("FusedBatchNormV3"), x, gamma, beta, mean, variance,
			op.FusedBatchNormV3Epsilon(bnEpsilon), op.FusedBatchNormV3IsTraining(true))
		return y
	}
	if maxBatch == 1 {
		return norm(s, x) // a batch of one is its own statistics
	}
	c := func(name string, v []int32) tf.Output { return op.Const(s.SubScope(name), v) }
	batch := op.Slice(s, op.Shape(s, x, op.ShapeOutType(tf.Int32)), c("b0", []int32{0}), c("b1", []int32{1}))
	zero, one, rest := c("zero", []int32{0}), c("one", []int32{1}), c("rest", []int32{-1, -1, -1})
	axis := op.Const(s.SubScope("axis"), int32(0))
	var ys []tf.Output
	for i := 0; i < maxBatch; i++ {
		is := s.SubScope("image")
		idx := c("i", []int32{int32(i)})
		// begin min(i, batch) and size clip(batch - i, 0, 1): image i,
		// or an empty slice past the batch's end.
		at := op.Minimum(is.SubScope("begin_batch"), idx, batch)
		left := op.Maximum(is.SubScope("left"), op.Sub(is.SubScope("left"), batch, idx), zero)
		n := op.Minimum(is.SubScope("size_batch"), left, one)
		begin := op.ConcatV2(is.SubScope("begin"), []tf.Output{at, c("hwc0", []int32{0, 0, 0})}, axis)
		size := op.ConcatV2(is.SubScope("size"), []tf.Output{n, rest}, axis)
		ys = append(ys, norm(is, op.Slice(is, x, begin, size)))
	}
	all := op.ConcatV2(s.SubScope("images"), ys, axis)
	size := op.ConcatV2(s.SubScope("batch_size"), []tf.Output{batch, rest}, axis)
	y := op.Slice(s.SubScope("batch"), all, c("origin", []int32{0, 0, 0, 0}), size)
	// The slices' sizes are computed, so the static shape is lost:
	// restore x's (the next layer sizes its kernel from the channels).
	return op.EnsureShape(s, y, x.Shape())
}

// release empties each variable in b.derivedOnly (AssignVariableOp does
// not enforce a variable's shape unless told).
func (b *builder) release(s *op.Scope) *tf.Operation {
	// Rank 4 with no elements, of dimensions unknown to shape inference
	// (which would refuse to merge them with the variable's).
	dims := op.PlaceholderWithDefault(s.SubScope("dims"), op.Const(s.SubScope("none"), []int32{0, 0, 0, 0}), tf.MakeShape(4))
	empty := op.Fill(s.SubScope("empty"), dims, op.Const(s.SubScope("zero"), float32(0)))
	var ops []*tf.Operation
	for _, v := range b.derivedOnly {
		ops = append(ops, op.AssignVariableOp(s.SubScope("empty_variable"), v.Handle, empty))
	}
	return op.NoOp(s.WithControlDependencies(ops...))
}
