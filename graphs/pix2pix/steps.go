package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// schedule returns the learning rates of this step under --lr-decay-steps
// N and --lr-decay-start S, junyanz's linear decay counted in steps:
//
//	lr(step) = lr0 * max(0, 1 - max(0, step - S) / N)
//
// with step the global_step the update starts from (0 on the first), so
// the rate is lr0 until step S and reaches 0 at step S + N. Without decay
// both are unset: each optimiser keeps its constant, as the original.
func (m *Model) schedule(s *op.Scope) (gen, discrim tf.Output) {
	cfg := m.Config
	if cfg.LRDecaySteps == 0 {
		return tf.Output{}, tf.Output{}
	}
	s = s.SubScope("learning_rate")
	step := op.Cast(s, m.GlobalStep, tf.Float)
	ps, fs := s.SubScope("past"), s.SubScope("factor")
	past := op.Maximum(ps, op.Sub(ps, step, nn.Float(ps, float64(cfg.LRDecayStart))), nn.Float(ps, 0))
	frac := op.Div(s, past, nn.Float(s, float64(cfg.LRDecaySteps)))
	factor := op.Maximum(fs, op.Sub(fs, nn.Float(fs, 1), frac), nn.Float(fs, 0))
	gen = op.Mul(s.SubScope("generator"), factor, nn.Float(s, cfg.LR))
	discrim = op.Mul(s.SubScope("discriminator"), factor, nn.Float(s, cfg.discrimLR()))
	return gen, discrim
}

// extraGenStep adds the k-th generator update of a step (--gen-steps, as
// yenchenlin runs its generator optimiser twice per discriminator
// update): a second forward pass of the generator and of the fake
// discriminator copy, on weights read after the previous generator
// update (a control dependency, as the first update waits on the
// discriminator's), its gen_loss, its gradients and an Adam step on the
// same slots. The losses the step reports stay those of the first pass.
func (m *Model) extraGenStep(s *op.Scope, st *nn.Store, k int, lr tf.Output) {
	cfg := m.Config
	ks := s.SubScope(fmt.Sprintf("generator_train_%d", k)).WithControlDependencies(m.GenTrain)
	b := &builder{cfg: cfg, store: st, reads: map[*nn.Variable]tf.Output{}, step: m.GlobalStep}
	outputs := b.generator(ks, m.Inputs)
	pFake, lFake, _ := b.discriminator(ks.SubScope("fake_discriminator"), m.Inputs, outputs)
	ls := ks.SubScope("generator_loss")
	gan := genGANLoss(ls, cfg, pFake, lFake)
	l1 := mean(ls.SubScope("l1"), op.Abs(ls, op.Sub(ls, m.Targets, outputs)))
	loss := op.AddV2(ls,
		op.Mul(ls.SubScope("gan_weight"), gan, nn.Float(ls, cfg.GANWeight)),
		op.Mul(ls.SubScope("l1_weight"), l1, nn.Float(ls, cfg.L1Weight)))
	vars := st.Trainable("generator")
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	// Gradients take no control dependencies: these follow from the
	// forward pass's, whose reads they differentiate at.
	grads := op.Gradients(s.SubScope(fmt.Sprintf("generator_train_%d_gradients", k)), []tf.Output{loss}, xs)
	m.GenTrain, _ = adam(ks, st, "generator_train", cfg, cfg.LR, lr, pair(vars, grads))
}
