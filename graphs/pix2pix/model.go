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
	// [batch, 30, 30, 1].
	Inputs, Targets, Outputs tf.Output
	PredictReal, PredictFake tf.Output

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
	// Train groups EMAUpdate, IncrGlobalStep and GenTrain: one step.
	Train *tf.Operation

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
	if err := checkImage("inputs", inputs, cfg.InChannels); err != nil {
		return nil, err
	}
	if err := checkImage("targets", targets, cfg.OutChannels); err != nil {
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

	m.Outputs = b.generator(s, inputs)
	var fakeTape []dLayer
	m.PredictReal, _ = b.discriminator(s.SubScope("real_discriminator"), inputs, targets)
	m.PredictFake, fakeTape = b.discriminator(s.SubScope("fake_discriminator"), inputs, m.Outputs)

	m.losses(s)
	if err := s.Err(); err != nil {
		return nil, err
	}
	m.discrimTrain(s, b)
	m.genTrain(s, b, fakeTape)
	m.ema(s, st)

	m.IncrGlobalStep = op.AssignAddVariableOp(s.SubScope("incr_global_step"), gs.Handle, op.Const(s.SubScope("one"), int64(1)))
	m.Train = op.NoOp(s.WithControlDependencies(m.EMAUpdate, m.IncrGlobalStep, m.GenTrain).SubScope("train"))
	m.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if err := s.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

func checkImage(what string, x tf.Output, c int) error {
	sh := x.Shape()
	if sh.NumDimensions() != 4 {
		return fmt.Errorf("%s must be [batch, %d, %d, %d], got shape %v", what, CropSize, CropSize, c, sh)
	}
	if sh.Size(1) != CropSize || sh.Size(2) != CropSize || sh.Size(3) != int64(c) {
		return fmt.Errorf("%s must be [batch, %d, %d, %d], got %v", what, CropSize, CropSize, c, sh)
	}
	return nil
}

// losses adds, as the original:
//
//	discrim_loss = mean(-(log(predict_real + EPS) + log(1 - predict_fake + EPS)))
//	gen_loss_GAN = mean(-log(predict_fake + EPS))
//	gen_loss_L1  = mean(|targets - outputs|)
func (m *Model) losses(s *op.Scope) {
	allAxes := func(s *op.Scope) tf.Output { return op.Const(s.SubScope("axes"), []int32{0, 1, 2, 3}) }
	logEps := func(s *op.Scope, x tf.Output) tf.Output {
		return op.Log(s, op.AddV2(s.SubScope("eps"), x, nn.Float(s, eps)))
	}
	ds := s.SubScope("discriminator_loss")
	real := logEps(ds.SubScope("real"), m.PredictReal)
	fake := logEps(ds.SubScope("fake"), op.Sub(ds, nn.Float(ds, 1), m.PredictFake))
	m.DiscrimLoss = op.Mean(ds.SubScope("Mean"), op.Neg(ds, op.AddV2(ds, real, fake)), allAxes(ds))

	gs := s.SubScope("generator_loss")
	m.GenLossGAN = op.Mean(gs.SubScope("Mean"), op.Neg(gs, logEps(gs.SubScope("gan"), m.PredictFake)), allAxes(gs))
	m.GenLossL1 = op.Mean(gs.SubScope("Mean_1"), op.Abs(gs, op.Sub(gs, m.Targets, m.Outputs)), allAxes(gs))
	m.GenLoss = op.AddV2(gs,
		op.Mul(gs.SubScope("gan_weight"), m.GenLossGAN, nn.Float(gs, m.Config.GANWeight)),
		op.Mul(gs.SubScope("l1_weight"), m.GenLossL1, nn.Float(gs, m.Config.L1Weight)))
}

// discrimTrain: gradients of discrim_loss over the discriminator's
// variables (through both copies), and its Adam step.
func (m *Model) discrimTrain(s *op.Scope, b *builder) {
	s = s.SubScope("discriminator_train")
	vars := b.store.Trainable("discriminator")
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	grads := op.Gradients(s.SubScope("gradients"), []tf.Output{m.DiscrimLoss}, xs)
	m.DiscrimGrads = pair(vars, grads)
	m.DiscrimTrain = adam(s, b.store, "discriminator_train", m.Config, m.DiscrimGrads)
}

// genTrain: gradients of gen_loss over the generator's variables and its
// Adam step, all after the discriminator's step. The gradient reaches the
// generator's output two ways: through L1 directly, and through the fake
// discriminator copy, which is differentiated by hand (discrimBackward)
// so that its weights can be read after their update, as the original
// does (see DiscrimReading).
func (m *Model) genTrain(s *op.Scope, b *builder, fakeTape []dLayer) {
	s = s.SubScope("generator_train")
	after := s.WithControlDependencies(m.DiscrimTrain)
	// d gen_loss / d predict_fake and d gen_loss / d outputs via L1, each
	// seeded with its weight, as the chain rule through gen_loss would.
	dFake := op.Gradients(s.SubScope("gan"), []tf.Output{m.GenLossGAN}, []tf.Output{m.PredictFake}, nn.Float(s, m.Config.GANWeight))
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
	dGAN := discrimBackward(after, fakeTape, dFake[0], read, int64(m.Config.InChannels))
	dOutputs := op.AddN(after.SubScope("outputs_grad"), []tf.Output{dGAN, dL1[0]})

	vars := b.store.Trainable("generator")
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	grads := op.Gradients(s.SubScope("gradients"), []tf.Output{m.Outputs}, xs, dOutputs)
	m.GenGrads = pair(vars, grads)
	m.GenTrain = adam(after, b.store, "generator_train", m.Config, m.GenGrads)
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
