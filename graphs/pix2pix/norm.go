package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// normRecord keeps what the discriminator's hand-written backward pass
// needs of a normalisation op: batch norm's input, scale and reserve
// space, or instance norm's input and output (it has no weights, so
// TensorFlow's own gradient of it serves).
type normRecord struct {
	x        tf.Output // the op's input
	gamma    *nn.Variable
	reserve  [3]tf.Output
	instance bool
	y        tf.Output // instance norm's output
}

// norm applies the normalisation kind (--gen-norm, --discrim-norm) to x.
// Instance norm is skipped on the innermost map (1x1 at the crop size),
// where it would output zeros, as junyanz's U-Net has no norm in its
// innermost block.
func (b *builder) norm(s *op.Scope, kind, name string, x tf.Output) (tf.Output, *normRecord) {
	switch kind {
	case NormInstance:
		if b.innermost(name, x) {
			return x, nil
		}
		y := instanceNorm(s, x)
		return y, &normRecord{x: x, instance: true, y: y}
	case NormNone:
		return x, nil
	}
	return b.batchnorm(s, name, x)
}

// instanceNorm normalises each image and channel of x over its pixels:
// (x - mean) / sqrt(variance + 1e-5), with no scale or offset (as
// PyTorch's InstanceNorm2d by default, which junyanz's --norm instance
// uses).
func instanceNorm(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("instance_norm")
	axes := nn.Const(s, []int32{1, 2})
	mean := op.Mean(s.SubScope("mean"), x, axes, op.MeanKeepDims(true))
	centered := op.Sub(s, x, mean)
	variance := op.Mean(s.SubScope("variance"), op.Square(s, centered), axes, op.MeanKeepDims(true))
	return op.Mul(s.SubScope("output"), centered, op.Rsqrt(s, op.AddV2(s, variance, nn.Float(s, bnEpsilon))))
}

// batchnorm is tf.layers.batch_normalization as the original calls it:
// always on the current batch's statistics (training=True), epsilon 1e-5,
// gamma N(1, 0.02), beta 0; moving statistics exist but are never updated
// (unless BNUpdateMoving) nor read (unless TestBN is moving, in a
// generator-only graph).
func (b *builder) batchnorm(s *op.Scope, name string, x tf.Output) (tf.Output, *normRecord) {
	c := channels(x)
	p := name + "/batch_normalization/"
	gamma, gammaVar := b.param(s, p+"gamma", []int64{c}, b.gammaInit(), true)
	beta := b.variable(s, p+"beta", []int64{c}, zerosInit, true)
	mean, meanVar := b.param(s, p+"moving_mean", []int64{c}, zerosInit, false)
	variance, varVar := b.param(s, p+"moving_variance", []int64{c}, onesInit, false)
	if b.moving {
		y, _, _, _, _, _ := op.FusedBatchNormV3(s.SubScope("FusedBatchNormV3"), x, gamma, beta, mean, variance,
			op.FusedBatchNormV3Epsilon(bnEpsilon), op.FusedBatchNormV3IsTraining(false))
		return y, nil
	}
	if b.perImage {
		return perImageBatchnorm(s, x, gamma, beta, mean, variance, b.maxBatch), nil
	}
	y, m, v, r1, r2, r3 := op.FusedBatchNormV3(s.SubScope("FusedBatchNormV3"), x, gamma, beta, mean, variance,
		op.FusedBatchNormV3Epsilon(bnEpsilon),
		op.FusedBatchNormV3IsTraining(true),
		op.FusedBatchNormV3ExponentialAvgFactor(float32(1-b.cfg.BNMomentum)))
	if b.updateMoving {
		// With an averaging factor below 1 the op's mean and variance
		// outputs are the updated moving averages (momentum*moving +
		// (1-momentum)*batch, the variance Bessel-corrected).
		us := s.SubScope("update_moving")
		b.bnUpdates = append(b.bnUpdates,
			op.AssignVariableOp(us.SubScope("mean"), meanVar.Handle, m),
			op.AssignVariableOp(us.SubScope("variance"), varVar.Handle, v))
	}
	return y, &normRecord{x: x, gamma: gammaVar, reserve: [3]tf.Output{r1, r2, r3}}
}
