package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Health is what a training run watches to see a GAN fail early: the
// discriminator's mean outputs on real and fake pairs (probabilities in
// [0, 1]), the global norm of each network's gradients, and the learning
// rate (the generator's, as its update uses it: decayed with
// --lr-decay-steps). They read tensors the step computes anyway: fetching
// them adds reductions, never changes the step.
type Health struct {
	DReal, DFake                 tf.Output
	GenGradNorm, DiscrimGradNorm tf.Output
	LR                           tf.Output
}

// HealthTags are the TensorBoard tags of the health scalars, in the
// order of Health's fields.
var HealthTags = []string{"health/d_real", "health/d_fake", "health/gen_grad_norm", "health/discrim_grad_norm", "health/lr"}

// Outputs lists the health tensors in the order of HealthTags.
func (h Health) Outputs() []tf.Output {
	return []tf.Output{h.DReal, h.DFake, h.GenGradNorm, h.DiscrimGradNorm, h.LR}
}

// BuildHealth adds the health signals of m under s.
func BuildHealth(s *op.Scope, m *Model) Health {
	// Over every axis: the PatchGAN map is [batch, h, w, 1], the scalar
	// output (--discrim-output scalar) [batch, 1].
	mean := func(name string, x tf.Output) tf.Output {
		ms := s.SubScope(name)
		axes := make([]int32, x.Shape().NumDimensions())
		for i := range axes {
			axes[i] = int32(i)
		}
		return op.Mean(ms, x, op.Const(ms.SubScope("axes"), axes))
	}
	return Health{
		DReal:           mean("d_real", m.PredictReal),
		DFake:           mean("d_fake", m.PredictFake),
		GenGradNorm:     globalNorm(s.SubScope("gen_grad_norm"), m.GenGrads),
		DiscrimGradNorm: globalNorm(s.SubScope("discrim_grad_norm"), m.DiscrimGrads),
		LR:              m.GenLR,
	}
}

// globalNorm is sqrt(sum over every gradient of sum(g^2)), as
// tf.linalg.global_norm.
func globalNorm(s *op.Scope, grads []Grad) tf.Output {
	sums := make([]tf.Output, len(grads))
	for i, g := range grads {
		gs := s.SubScope("sum")
		sq := op.Square(gs, g.Grad)
		sums[i] = op.Sum(gs, op.Reshape(gs, sq, op.Const(gs.SubScope("flat"), []int32{-1})), op.Const(gs.SubScope("axis"), []int32{0}))
	}
	return op.Sqrt(s, op.AddN(s, sums))
}
