package pix2pix

import (
	"fmt"
	"math/bits"
)

// The options below are the training techniques of issue 16, each off by
// default: at their defaults the graph is affinelayer's, op for op. Their
// values are strings (and numbers) because options.json records them so.
const (
	// SetupAffinelayer is the original program's graph; other setups
	// (another program's graph under its own variable names) are built
	// by their own packages.
	SetupAffinelayer = "affinelayer"

	NormBatch    = "batch"    // tf.layers.batch_normalization, training mode (affinelayer)
	NormInstance = "instance" // per image and channel, no scale or offset (junyanz's --norm instance)
	NormNone     = "none"

	InitNormal    = "normal"           // N(0, std), not truncated (affinelayer)
	InitTruncated = "truncated_normal" // redrawn beyond 2 std (yenchenlin)

	OutputPatch  = "patch"  // a PatchGAN map, 30x30 at 256 (affinelayer)
	OutputScalar = "scalar" // flatten + one linear unit (yenchenlin)

	LossEps    = "eps"    // sigmoid, then log(x + 1e-12) (affinelayer)
	LossLogits = "logits" // sigmoid cross-entropy on the logits
	LossLSGAN  = "lsgan"  // least squares on the raw output (Mao et al.)
	LossHinge  = "hinge"  // hinge on the raw output (Lim & Ye; Miyato et al.)

	TestBNBatch  = "batch"  // batch norm on the batch's statistics at test time (affinelayer)
	TestBNMoving = "moving" // on the moving averages (junyanz's --eval)
)

// DefaultCropSize is the original's image side.
const DefaultCropSize = 256

// Size is the image side the networks take and produce.
func (c Config) Size() int64 {
	if c.CropSize == 0 {
		return DefaultCropSize
	}
	return int64(c.CropSize)
}

// Levels is the U-Net's depth: log2 of the image side (8 at 256), so the
// innermost encoder is 1x1.
func (c Config) Levels() int {
	return bits.Len64(uint64(c.Size())) - 1
}

// Stride is the generator's total downsampling, 2^Levels: an image
// side must be a multiple of it to pass through the U-Net whole.
func (c Config) Stride() int64 { return int64(1) << c.Levels() }

func oneOf(what, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s %q: want one of %v", what, v, allowed)
}

// validateTechniques checks the options of the techniques.
func (c Config) validateTechniques() error {
	if c.Setup != "" && c.Setup != SetupAffinelayer {
		return fmt.Errorf("setup %q: want %s or %s", c.Setup, SetupAffinelayer, SetupYenchenlin)
	}
	if n := c.Size(); n < 64 || n&(n-1) != 0 {
		return fmt.Errorf("crop_size %d: want a power of two from 64 (128, 256, 512, 1024)", n)
	}
	checks := []error{
		oneOf("gen-norm", c.GenNorm, NormBatch, NormInstance, NormNone),
		oneOf("discrim-norm", c.DiscrimNorm, NormBatch, NormInstance, NormNone),
		oneOf("init", c.Init, InitNormal, InitTruncated),
		oneOf("discrim-output", c.DiscrimOutput, OutputPatch, OutputScalar),
		oneOf("gan-loss", c.GANLoss, LossEps, LossLogits, LossLSGAN, LossHinge),
		oneOf("test-bn", c.TestBN, TestBNBatch, TestBNMoving),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	switch {
	case c.KernelSize != 4 && c.KernelSize != 5:
		return fmt.Errorf("kernel-size %d: want 4 (affinelayer) or 5 (yenchenlin)", c.KernelSize)
	case c.InitStd <= 0:
		return fmt.Errorf("init-std must be > 0 (got %g)", c.InitStd)
	case c.GenSteps < 1:
		return fmt.Errorf("gen-steps must be >= 1 (got %d)", c.GenSteps)
	case c.LabelSmoothing <= 0 || c.LabelSmoothing > 1:
		return fmt.Errorf("label-smoothing %g: the real target must be in (0, 1] (1: none)", c.LabelSmoothing)
	case c.LabelSmoothing != 1 && c.GANLoss == LossHinge:
		return fmt.Errorf("label-smoothing %g with gan-loss hinge: the hinge loss has no target to smooth", c.LabelSmoothing)
	case c.DiscrimLR < 0:
		return fmt.Errorf("discrim-lr must be >= 0 (0: the same as lr; got %g)", c.DiscrimLR)
	case c.LRDecaySteps < 0 || c.LRDecayStart < 0:
		return fmt.Errorf("lr-decay-steps and lr-decay-start must be >= 0 (got %d and %d)", c.LRDecaySteps, c.LRDecayStart)
	case c.TestBN == TestBNMoving && c.GenNorm != NormBatch:
		return fmt.Errorf("test-bn moving needs gen-norm batch (got %s): only batch norm has moving averages", c.GenNorm)
	}
	return nil
}

// discrimLR is the discriminator's learning rate.
func (c Config) discrimLR() float64 {
	if c.DiscrimLR > 0 {
		return c.DiscrimLR
	}
	return c.LR
}
