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

	// Towers are the replicas' own endpoints (inputs, outputs, losses,
	// gradients), with several devices (BuildPlaced); nil with one. The
	// Model's own forward endpoints are then the towers' concatenated in
	// batch order, its losses and gradients their means over towers.
	Towers []*Model

	// GlobalStep reads global_step (int64) at the start of the step.
	GlobalStep tf.Output
	// Init initialises every variable.
	Init *tf.Operation
}

// Build adds the pix2pix training graph to s. inputs and targets are
// [batch, 256, 256, InChannels] and [batch, 256, 256, OutChannels] in
// [-1, 1]: placeholders, or the input pipeline's outputs.
func Build(s *op.Scope, cfg Config, inputs, targets tf.Output) (*Model, error) {
	return BuildPlaced(s, cfg, Placement{}, inputs, targets)
}

// BuildPlaced is Build with the towers and variables placed as p says:
// the fed batch is split evenly over p.Towers() towers, each with the
// whole forward pass and its gradients on its device; the gradients are
// averaged and applied once per network (see towers.go). The zero
// Placement is exactly Build's graph.
func BuildPlaced(s *op.Scope, cfg Config, p Placement, inputs, targets tf.Output) (*Model, error) {
	if err := checkBuild(cfg, p, inputs, targets); err != nil {
		return nil, err
	}
	vdev := p.variableDevice()
	vs := s.WithDevice(vdev)
	st := nn.NewStore(vs, cfg.Seed)
	m := &Model{Config: cfg, Vars: st, Inputs: inputs, Targets: targets}

	// global_step comes first: dropout's seed reads it.
	gs := st.Get("global_step", tf.Int64, []int64{}, func(s *op.Scope, _ []int64, _ tf.DataType, _ int64) tf.Output {
		return op.Const(s.SubScope("zero"), int64(0))
	}, false)
	m.GlobalStep = gs.Read(vs.SubScope("global_step"))

	towers := m.forward(s, p, inputs, targets)
	if err := s.Err(); err != nil {
		return nil, err
	}
	m.gather(vs, towers)
	genLR, discrimLR := m.schedule(vs)
	m.discrimTrain(s, vdev, towers, discrimLR)
	m.genTrain(s, vdev, towers, genLR)
	for k := 2; k <= cfg.GenSteps; k++ {
		m.extraGenStep(s, st, k, genLR)
	}
	m.ema(vs, st)

	m.IncrGlobalStep = op.AssignAddVariableOp(vs.SubScope("incr_global_step"), gs.Handle, op.Const(vs.SubScope("one"), int64(1)))
	deps := []*tf.Operation{m.EMAUpdate, m.IncrGlobalStep, m.GenTrain}
	if bn := towers[0].b.bnUpdates; len(bn) > 0 {
		m.BNUpdate = op.NoOp(s.WithControlDependencies(bn...).SubScope("update_moving_averages"))
		deps = append(deps, m.BNUpdate)
	}
	m.Train = op.NoOp(s.WithControlDependencies(deps...).SubScope("train"))
	m.Init = op.NoOp(s.WithControlDependencies(st.InitOps()...).SubScope("init"))
	if err := s.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// checkBuild refuses a configuration, placement or input shape the
// graph cannot be built for, before any op is added.
func checkBuild(cfg Config, p Placement, inputs, targets tf.Output) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Setup != "" && cfg.Setup != SetupAffinelayer {
		// Not silently affinelayer's graph under another setup's name.
		return fmt.Errorf("setup %s: its training graph is built by graphs/%s (pkg/trained.NewYenchenlin), not here", cfg.Setup, cfg.Setup)
	}
	if err := p.Check(cfg); err != nil {
		return err
	}
	if err := checkImage("inputs", inputs, cfg.Size(), cfg.InChannels); err != nil {
		return err
	}
	if err := checkImage("targets", targets, cfg.Size(), cfg.OutChannels); err != nil {
		return err
	}
	if n, b := int64(p.Towers()), inputs.Shape().Size(0); n > 1 && b >= 0 && b%n != 0 {
		return fmt.Errorf("a batch of %d images cannot be split evenly over %d towers", b, n)
	}
	return nil
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

// discrimTrain: each tower's gradients of its discrim_loss over the
// discriminator's variables (through both copies), their mean over the
// towers, and one Adam step.
func (m *Model) discrimTrain(s *op.Scope, vdev string, towers []*tower, lr tf.Output) {
	s = s.SubScope("discriminator_train")
	vars := m.Vars.Trainable("discriminator")
	per := make([][]Grad, len(towers))
	for i, t := range towers {
		gs := s
		if i > 0 {
			gs = t.scope.SubScope("discriminator_train")
		}
		per[i] = pair(vars, op.Gradients(gs.SubScope("gradients"), []tf.Output{t.m.DiscrimLoss}, t.b.readsOf(vars)))
		t.m.DiscrimGrads = per[i]
	}
	vs := s.WithDevice(vdev)
	m.DiscrimGrads = averageGrads(vs, per)
	m.DiscrimTrain, m.DiscrimLR = adam(vs, m.Vars, "discriminator_train", m.Config, m.Config.discrimLR(), lr, m.DiscrimGrads)
}

// genTrain: each tower's gradients of its gen_loss over the generator's
// variables (towerGenGrads), their mean, and one Adam step, all after
// the discriminator's step.
func (m *Model) genTrain(s *op.Scope, vdev string, towers []*tower, lr tf.Output) {
	s = s.SubScope("generator_train")
	per := make([][]Grad, len(towers))
	for i, t := range towers {
		ts := s
		if i > 0 {
			ts = t.scope.SubScope("generator_train")
		}
		per[i] = m.towerGenGrads(ts, t)
		t.m.GenGrads = per[i]
	}
	after := s.WithDevice(vdev).WithControlDependencies(m.DiscrimTrain)
	m.GenGrads = averageGrads(after, per)
	m.GenTrain, m.GenLR = adam(after, m.Vars, "generator_train", m.Config, m.Config.LR, lr, m.GenGrads)
}

// towerGenGrads is one tower's generator gradients, after the
// discriminator's step. The gradient reaches the generator's output two
// ways: through L1 directly, and through the fake discriminator copy,
// which is differentiated by hand (discrimBackward) so that its weights
// can be read after their update, as the original does (see
// DiscrimReading). s has no device (gradients take none); the tower's
// own ops go on its device.
func (m *Model) towerGenGrads(s *op.Scope, t *tower) []Grad {
	tm := t.m
	after := s.WithDevice(t.device).WithControlDependencies(m.DiscrimTrain)
	// d gen_loss / d predict_fake (or the logits, for the losses of the
	// logits) and d gen_loss / d outputs via L1, each seeded with its
	// weight, as the chain rule through gen_loss would.
	fromLogits := m.Config.GANLoss != LossEps
	at := tm.PredictFake
	if fromLogits {
		at = tm.FakeLogits
	}
	dFake := op.Gradients(s.SubScope("gan"), []tf.Output{tm.GenLossGAN}, []tf.Output{at}, nn.Float(s, m.Config.GANWeight))
	dL1 := op.Gradients(s.SubScope("l1"), []tf.Output{tm.GenLossL1}, []tf.Output{tm.Outputs}, nn.Float(s, m.Config.L1Weight))
	if s.Err() != nil {
		return nil
	}
	read := func(v *nn.Variable) tf.Output { return t.b.reads[v] }
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
	dGAN := discrimBackward(after, s, t.fakeTape, dFake[0], read, int64(m.Config.InChannels), fromLogits)
	dOutputs := op.AddN(after.SubScope("outputs_grad"), []tf.Output{dGAN, dL1[0]})
	if after.Err() != nil {
		return nil
	}
	vars := m.Vars.Trainable("generator")
	return pair(vars, op.Gradients(s.SubScope("gradients"), []tf.Output{tm.Outputs}, t.b.readsOf(vars), dOutputs))
}

// readsOf is b's forward reads of vars, in order.
func (b *builder) readsOf(vars []*nn.Variable) []tf.Output {
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	return xs
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
