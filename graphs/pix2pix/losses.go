package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

func allAxes(s *op.Scope) tf.Output { return op.Const(s.SubScope("axes"), []int32{0, 1, 2, 3}) }

func logEps(s *op.Scope, x tf.Output) tf.Output {
	return op.Log(s, op.AddV2(s.SubScope("eps"), x, nn.Float(s, eps)))
}

// mean averages x over every element, whatever its rank (the scalar
// output is [batch, 1]). Each op here and below has a scope of its own:
// an op's name is its scope and type, so two Subs in one scope collide.
func mean(s *op.Scope, x tf.Output) tf.Output {
	as := s.SubScope("axes")
	axes := op.Range(as, nn.Const(as, int32(0)), op.Rank(as, x), nn.Const(as, int32(1)))
	return op.Mean(s.SubScope("Mean"), x, axes)
}

// losses adds, as the original (gan-loss eps):
//
//	discrim_loss = mean(-(log(predict_real + EPS) + log(1 - predict_fake + EPS)))
//	gen_loss_GAN = mean(-log(predict_fake + EPS))
//	gen_loss_L1  = mean(|targets - outputs|)
//
// or the GAN loss --gan-loss names (see discrimLoss and genGANLoss).
func (m *Model) losses(s *op.Scope) {
	cfg := m.Config
	ds := s.SubScope("discriminator_loss")
	if cfg.GANLoss == LossEps && cfg.LabelSmoothing == 1 && cfg.DiscrimOutput == OutputPatch {
		real := logEps(ds.SubScope("real"), m.PredictReal)
		fake := logEps(ds.SubScope("fake"), op.Sub(ds, nn.Float(ds, 1), m.PredictFake))
		m.DiscrimLoss = op.Mean(ds.SubScope("Mean"), op.Neg(ds, op.AddV2(ds, real, fake)), allAxes(ds))
	} else {
		m.DiscrimLoss = discrimLoss(ds, cfg, m.PredictReal, m.PredictFake, m.RealLogits, m.FakeLogits)
	}
	gs := s.SubScope("generator_loss")
	if cfg.GANLoss == LossEps && cfg.DiscrimOutput == OutputPatch {
		m.GenLossGAN = op.Mean(gs.SubScope("Mean"), op.Neg(gs, logEps(gs.SubScope("gan"), m.PredictFake)), allAxes(gs))
	} else {
		m.GenLossGAN = genGANLoss(gs, cfg, m.PredictFake, m.FakeLogits)
	}
	m.GenLossL1 = op.Mean(gs.SubScope("Mean_1"), op.Abs(gs, op.Sub(gs, m.Targets, m.Outputs)), allAxes(gs))
	m.GenLoss = op.AddV2(gs,
		op.Mul(gs.SubScope("gan_weight"), m.GenLossGAN, nn.Float(gs, m.Config.GANWeight)),
		op.Mul(gs.SubScope("l1_weight"), m.GenLossL1, nn.Float(gs, m.Config.L1Weight)))
}

// discrimLoss is the discriminator's loss, with the real target F =
// LabelSmoothing (1: none):
//
//	eps:    mean(-(F log(p_r + EPS) + (1-F) log(1 - p_r + EPS) + log(1 - p_f + EPS)))
//	logits: mean(sce(l_r, F) + sce(l_f, 0)), sce the sigmoid cross-entropy
//	lsgan:  (mean((l_r - F)^2) + mean(l_f^2)) / 2   (junyanz's form of Mao et al.)
//	hinge:  mean(relu(1 - l_r)) + mean(relu(1 + l_f))
//
// with p the probabilities and l the logits (the raw outputs).
func discrimLoss(s *op.Scope, cfg Config, pReal, pFake, lReal, lFake tf.Output) tf.Output {
	s = s.SubScope(cfg.GANLoss)
	f := cfg.LabelSmoothing
	sub := func(name string, a, b tf.Output) tf.Output { return op.Sub(s.SubScope(name), a, b) }
	add := func(name string, a, b tf.Output) tf.Output { return op.AddV2(s.SubScope(name), a, b) }
	switch cfg.GANLoss {
	case LossLogits:
		return mean(s, add("sum", sigmoidCE(s.SubScope("real"), lReal, f), sigmoidCE(s.SubScope("fake"), lFake, 0)))
	case LossLSGAN:
		real := mean(s.SubScope("real"), op.Square(s.SubScope("real"), sub("real", lReal, nn.Float(s, f))))
		fake := mean(s.SubScope("fake"), op.Square(s.SubScope("fake"), lFake))
		return op.Mul(s, add("sum", real, fake), nn.Float(s, 0.5))
	case LossHinge:
		real := mean(s.SubScope("real"), op.Relu(s.SubScope("real"), sub("real", nn.Float(s, 1), lReal)))
		fake := mean(s.SubScope("fake"), op.Relu(s.SubScope("fake"), add("fake", nn.Float(s, 1), lFake)))
		return add("sum", real, fake)
	}
	real := logEps(s.SubScope("real"), pReal)
	if f != 1 {
		miss := logEps(s.SubScope("real_miss"), sub("miss", nn.Float(s, 1), pReal))
		real = add("smoothed", op.Mul(s.SubScope("hit"), real, nn.Float(s, f)), op.Mul(s.SubScope("miss"), miss, nn.Float(s, 1-f)))
	}
	fake := logEps(s.SubScope("fake"), sub("fake", nn.Float(s, 1), pFake))
	return mean(s, op.Neg(s, add("sum", real, fake)))
}

// genGANLoss is the generator's GAN term:
//
//	eps: mean(-log(p_f + EPS)); logits: mean(sce(l_f, 1));
//	lsgan: mean((l_f - 1)^2); hinge: -mean(l_f)
func genGANLoss(s *op.Scope, cfg Config, pFake, lFake tf.Output) tf.Output {
	s = s.SubScope(cfg.GANLoss)
	switch cfg.GANLoss {
	case LossLogits:
		return mean(s, sigmoidCE(s, lFake, 1))
	case LossLSGAN:
		return mean(s, op.Square(s, op.Sub(s, lFake, nn.Float(s, 1))))
	case LossHinge:
		return op.Neg(s, mean(s, lFake))
	}
	return mean(s, op.Neg(s, logEps(s.SubScope("gan"), pFake)))
}

// sigmoidCE is TensorFlow's sigmoid_cross_entropy_with_logits for a
// constant target z, in its stable form max(x, 0) - x z + log(1 + exp(-|x|)).
func sigmoidCE(s *op.Scope, x tf.Output, z float64) tf.Output {
	s = s.SubScope("sigmoid_ce")
	pos := op.Maximum(s, x, nn.Float(s, 0))
	soft := op.Log1p(s, op.Exp(s, op.Neg(s, op.Abs(s, x))))
	return op.AddV2(s, op.Sub(s, pos, op.Mul(s, x, nn.Float(s, z))), soft)
}
