package yenchenlin

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Model is the training graph's named endpoints, under model.py's names.
type Model struct {
	Config Config
	Vars   *nn.Store
	// CheckpointVars are the variables the program's Saver covers (built
	// before the optimisers): weights and batch-norm statistics, no Adam
	// state, sorted by name. Vars.Sorted() holds them and Adam's.
	CheckpointVars []*nn.Variable

	// RealAB is the input, [batch, 256, 256, 6] in [-1, 1]: channels 0-2
	// are real_B (the file's left half), 3-5 real_A (the right half).
	RealAB, RealA, RealB, FakeB tf.Output
	// D, DLogits on (A, B); DFake, DFakeLogits on (A, G(A)): [batch, 1].
	D, DLogits, DFake, DFakeLogits tf.Output

	DLossReal, DLossFake, DLoss, GLoss tf.Output

	// DOptim and GOptim are the two Adam steps, each a run of its own.
	DOptim, GOptim *tf.Operation
	// Key keys the dropout masks (int64 scalar, default 0): feed a new
	// value per run.
	Key  tf.Output
	Init *tf.Operation
}

// Build adds the training graph on realAB, [batch, 256, 256, 6].
func Build(s *op.Scope, cfg Config, realAB tf.Output) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sh := realAB.Shape(); sh.NumDimensions() != 4 || sh.Size(1) != Size || sh.Size(2) != Size || sh.Size(3) != 6 {
		return nil, fmt.Errorf("yenchenlin setup: real_A_and_B must be [batch, %d, %d, 6], got %v", Size, Size, sh)
	}
	st := nn.NewStore(s, cfg.Seed)
	m := &Model{Config: cfg, Vars: st, RealAB: realAB}
	m.Key = op.PlaceholderWithDefault(s.SubScope("dropout_key"), op.Const(s.SubScope("zero_key"), int64(0)), tf.ScalarShape())
	b := &builder{cfg: cfg, store: st, reads: map[*nn.Variable]tf.Output{}, key: m.Key}

	m.RealB, m.RealA = channelSlice(s.SubScope("real_B"), realAB, 0), channelSlice(s.SubScope("real_A"), realAB, 3)
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("build yenchenlin inputs: %w", err)
	}
	m.FakeB = b.generator(s, m.RealA)
	axis := func(s *op.Scope) tf.Output { return op.Const(s.SubScope("axis"), int32(3)) }
	rs, fs := s.SubScope("discriminator"), s.SubScope("discriminator_1")
	m.D, m.DLogits = b.discriminator(rs, op.ConcatV2(rs, []tf.Output{m.RealA, m.RealB}, axis(rs)))
	m.DFake, m.DFakeLogits = b.discriminator(fs, op.ConcatV2(fs, []tf.Output{m.RealA, m.FakeB}, axis(fs)))
	m.losses(s)
	m.CheckpointVars = st.Sorted()
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("build yenchenlin model: %w", err)
	}
	m.DOptim = b.minimize(s.SubScope("d_optim"), m.DLoss, "discriminator", "")
	m.GOptim = b.minimize(s.SubScope("g_optim"), m.GLoss, "generator", "_1")
	m.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("build yenchenlin optimisers: %w", err)
	}
	return m, nil
}

// channelSlice is x[:, :, :, from:from+3].
func channelSlice(s *op.Scope, x tf.Output, from int32) tf.Output {
	return op.Slice(s, x, op.Const(s.SubScope("begin"), []int32{0, 0, 0, from}), op.Const(s.SubScope("size"), []int32{-1, -1, -1, 3}))
}

// sigmoidCE is mean(sigmoid_cross_entropy_with_logits(x, label)) as
// TensorFlow computes it: max(x, 0) - x*label + log1p(exp(-|x|)).
func sigmoidCE(s *op.Scope, x tf.Output, label float64) tf.Output {
	relu := op.Maximum(s, x, nn.Float(s, 0))
	negAbs := op.Neg(s, op.Abs(s, x))
	ce := op.AddV2(s, op.Sub(s, relu, op.Mul(s, x, nn.Float(s, label))), op.Log1p(s, op.Exp(s, negAbs)))
	return op.Mean(s, ce, op.Const(s.SubScope("axes"), []int32{0, 1}))
}

// losses: d_loss = CE(D_logits, 1) + CE(D_logits_, 0) (not halved);
// g_loss = CE(D_logits_, 1) + 100 * mean|real_B - fake_B|.
func (m *Model) losses(s *op.Scope) {
	m.DLossReal = sigmoidCE(s.SubScope("d_loss_real"), m.DLogits, 1)
	m.DLossFake = sigmoidCE(s.SubScope("d_loss_fake"), m.DFakeLogits, 0)
	m.DLoss = op.AddV2(s.SubScope("d_loss"), m.DLossReal, m.DLossFake)
	gs := s.SubScope("g_loss")
	l1 := op.Mean(gs, op.Abs(gs, op.Sub(gs, m.RealB, m.FakeB)), op.Const(gs.SubScope("axes"), []int32{0, 1, 2, 3}))
	m.GLoss = op.AddV2(gs, sigmoidCE(gs.SubScope("gan"), m.DFakeLogits, 1), op.Mul(gs, nn.Float(gs, l1Lambda), l1))
}
