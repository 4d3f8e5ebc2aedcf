package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Grad pairs a trainable variable with its gradient.
type Grad struct {
	Var  *nn.Variable
	Grad tf.Output
}

// Model is the training graph's named endpoints.
type Model struct {
	Config Config
	Vars   *nn.Store

	// Forward pass. Shapes [batch, 256, 256, channels]; predictions
	// [batch, 30, 30, 1] (or [batch, 1], --discrim-output scalar), and
	// the logits they are the sigmoid of.
	Inputs, Targets, Outputs tf.Output
	PredictReal, PredictFake tf.Output
	RealLogits, FakeLogits   tf.Output

	// Losses of this step, and gen_loss = GANWeight*GAN + L1Weight*L1.
	DiscrimLoss, GenLossGAN, GenLossL1, GenLoss tf.Output

	// The moving averages of the three losses, read after this step's
	// update: the figures the original prints and summarises.
	DiscrimLossAvg, GenLossGANAvg, GenLossL1Avg tf.Output

	DiscrimGrads, GenGrads []Grad

	// DiscrimTrain applies the discriminator's Adam step; GenTrain the
	// generator's, created under a control dependency on DiscrimTrain.
	DiscrimTrain, GenTrain *tf.Operation
	// EMAUpdate updates the loss averages; IncrGlobalStep adds one.
	EMAUpdate, IncrGlobalStep *tf.Operation
	// Train groups EMAUpdate, IncrGlobalStep and GenTrain (the last
	// generator update, with --gen-steps): one step.
	Train *tf.Operation
	// BNUpdate updates the batch-norm moving averages (nil unless
	// BNUpdateMoving); Train waits for it.
	BNUpdate *tf.Operation

	// GenLR and DiscrimLR are the learning rates of this step's updates.
	GenLR, DiscrimLR tf.Output

	// GlobalStep reads global_step (int64) at the start of the step.
	GlobalStep tf.Output
	// Init initialises every variable.
	Init *tf.Operation
}

// Build adds the pix2pix training graph to s. inputs and targets are
// [batch, 256, 256, InChannels] and [batch, 256, 256, OutChannels] in
// [-1, 1]: placeholders, or the input pipeline's outputs.
func Build(s *op.Scope, cfg Config, inputs, targets tf.Output) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Setup != "" && cfg.Setup != SetupAffinelayer {
		// Not silently affinelayer's graph under another setup's name.
		return nil, fmt.Errorf("setup %s: its training graph is built by graphs/%s (pkg/trained.NewYenchenlin), not here", cfg.Setup, cfg.Setup)
	}
	if err := checkImage("inputs", inputs, cfg.Size(), cfg.InChannels); err != nil {
		return nil, err
	}
	if err := checkImage("targets", targets, cfg.Size(), cfg.OutChannels); err != nil {
		return nil, err
	}
	st := nn.NewStore(s, cfg.Seed)
	b := &builder{cfg: cfg, store: st, reads: map[*nn.Variable]tf.Output{}}
	m := &Model{Config: cfg, Vars: st, Inputs: inputs, Targets: targets}

	// global_step comes first: dropout's seed reads it.
	gs := st.Get("global_step", tf.Int64, []int64{}, func(s *op.Scope, _ []int64, _ tf.DataType, _ int64) tf.Output {
		return op.Const(s.SubScope("zero"), int64(0))
	}, false)
	m.GlobalStep = gs.Read(s.SubScope("global_step"))
	b.step = m.GlobalStep

	// The moving averages, when updated, follow the generator and the
	// real images' discriminator copy (one update per variable).
	b.updateMoving = cfg.BNUpdateMoving
	m.Outputs = b.generator(s, inputs)
	var fakeTape []dLayer
	m.PredictReal, m.RealLogits, _ = b.discriminator(s.SubScope("real_discriminator"), inputs, targets)
	b.updateMoving = false
	m.PredictFake, m.FakeLogits, fakeTape = b.discriminator(s.SubScope("fake_discriminator"), inputs, m.Outputs)

	m.losses(s)
	if err := s.Err(); err != nil {
		return nil, err
	}
	genLR, discrimLR := m.schedule(s)
	m.discrimTrain(s, b, discrimLR)
	m.genTrain(s, b, fakeTape, genLR)
	for k := 2; k <= cfg.GenSteps; k++ {
		m.extraGenStep(s, st, k, genLR)
	}
	m.ema(s, st)

	m.IncrGlobalStep = op.AssignAddVariableOp(s.SubScope("incr_global_step"), gs.Handle, op.Const(s.SubScope("one"), int64(1)))
	deps := []*tf.Operation{m.EMAUpdate, m.IncrGlobalStep, m.GenTrain}
	if len(b.bnUpdates) > 0 {
		m.BNUpdate = op.NoOp(s.WithControlDependencies(b.bnUpdates...).SubScope("update_moving_averages"))
		deps = append(deps, m.BNUpdate)
	}
	m.Train = op.NoOp(s.WithControlDependencies(deps...).SubScope("train"))
	m.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if err := s.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

func checkImage(what string, x tf.Output, size int64, c int) error {
	sh := x.Shape()
	if sh.NumDimensions() != 4 {
		return fmt.Errorf("%s must be [batch, %d, %d, %d], got shape %v", what, size, size, c, sh)
	}
	if sh.Size(1) != size || sh.Size(2) != size || sh.Size(3) != int64(c) {
		return fmt.Errorf("%s must be [batch, %d, %d, %d], got %v (--crop_size %d)", what, size, size, c, sh, size)
	}
	return nil
}

// discrimTrain: gradients of discrim_loss over the discriminator's
// variables (through both copies), and its Adam step.
func (m *Model) discrimTrain(s *op.Scope, b *builder, lr tf.Output) {
	s = s.SubScope("discriminator_train")
	vars := b.store.Trainable("discriminator")
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	grads := op.Gradients(s.SubScope("gradients"), []tf.Output{m.DiscrimLoss}, xs)
	m.DiscrimGrads = pair(vars, grads)
	m.DiscrimTrain, m.DiscrimLR = adam(s, b.store, "discriminator_train", m.Config, m.Config.discrimLR(), lr, m.DiscrimGrads)
}

// genTrain: gradients of gen_loss over the generator's variables and its
// Adam step, all after the discriminator's step. The gradient reaches the
// generator's output two ways: through L1 directly, and through the fake
// discriminator copy, which is differentiated by hand (discrimBackward)
// so that its weights can be read after their update, as the original
// does (see DiscrimReading).
func (m *Model) genTrain(s *op.Scope, b *builder, fakeTape []dLayer, lr tf.Output) {
	s = s.SubScope("generator_train")
	after := s.WithControlDependencies(m.DiscrimTrain)
	// d gen_loss / d predict_fake (or the logits, for the losses of the
	// logits) and d gen_loss / d outputs via L1, each seeded with its
	// weight, as the chain rule through gen_loss would.
	fromLogits := m.Config.GANLoss != LossEps
	at := m.PredictFake
	if fromLogits {
		at = m.FakeLogits
	}
	dFake := op.Gradients(s.SubScope("gan"), []tf.Output{m.GenLossGAN}, []tf.Output{at}, nn.Float(s, m.Config.GANWeight))
	dL1 := op.Gradients(s.SubScope("l1"), []tf.Output{m.GenLossL1}, []tf.Output{m.Outputs}, nn.Float(s, m.Config.L1Weight))
	if s.Err() != nil {
		return
	}
	read := func(v *nn.Variable) tf.Output { return b.reads[v] }
	if m.Config.Reading == ReadFresh {
		fresh := map[*nn.Variable]tf.Output{}
		rs := after.SubScope("fresh_discriminator")
		read = func(v *nn.Variable) tf.Output {
			if r, ok := fresh[v]; ok {
				return r
			}
			fresh[v] = v.Read(rs)
			return fresh[v]
		}
	}
	dGAN := discrimBackward(after, s, fakeTape, dFake[0], read, int64(m.Config.InChannels), fromLogits)
	dOutputs := op.AddN(after.SubScope("outputs_grad"), []tf.Output{dGAN, dL1[0]})
	if after.Err() != nil {
		return
	}

	vars := b.store.Trainable("generator")
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	grads := op.Gradients(s.SubScope("gradients"), []tf.Output{m.Outputs}, xs, dOutputs)
	m.GenGrads = pair(vars, grads)
	m.GenTrain, m.GenLR = adam(after, b.store, "generator_train", m.Config, m.Config.LR, lr, m.GenGrads)
}

func pair(vars []*nn.Variable, grads []tf.Output) []Grad {
	if len(grads) != len(vars) {
		return nil // the scope holds the error
	}
	out := make([]Grad, len(vars))
	for i, v := range vars {
		out[i] = Grad{Var: v, Grad: grads[i]}
	}
	return out
}
