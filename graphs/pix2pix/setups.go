package pix2pix

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// SetupYenchenlin is yenchenlin/pix2pix-tensorflow's graph under its own
// variable names, built by graphs/yenchenlin.
const SetupYenchenlin = "yenchenlin"

// SetupGenerator builds another setup's generator alone, as
// BuildGenerator does for affinelayer's.
type SetupGenerator func(s *op.Scope, cfg Config, inputs tf.Output, o GeneratorOptions) (*Generator, error)

// setupGenerators are the other setups' generators. Their packages
// register them (graphs/yenchenlin imports this one, so this one cannot
// call it), and every command's generator graph (test mode, inference,
// both exports) then dispatches on Config.Setup through BuildGenerator.
var setupGenerators = map[string]SetupGenerator{}

// RegisterSetup makes BuildGenerator build name's generator with build.
func RegisterSetup(name string, build SetupGenerator) { setupGenerators[name] = build }

// otherSetup returns the generator builder of cfg's setup, nil for
// affinelayer's.
func otherSetup(cfg Config) (SetupGenerator, error) {
	if cfg.Setup == "" || cfg.Setup == SetupAffinelayer {
		return nil, nil
	}
	b, ok := setupGenerators[cfg.Setup]
	if !ok {
		return nil, fmt.Errorf("setup %q: its graph package is not linked in (import pix2pix/graphs/%s)", cfg.Setup, cfg.Setup)
	}
	return b, nil
}

// validateYenchenlin accepts the options the yenchenlin setup leaves free
// (ngf, ndf, lr, beta1, seed, dropout, the sub-pixel form of the
// deconvolutions) and refuses every other one that differs from its
// default: the setup fixes them at that program's values, so a flag that
// changes them would be silently ignored.
func (c Config) validateYenchenlin() error {
	d := DefaultConfig()
	fixed := []struct {
		flag  string
		set   bool
		fixes string
	}{
		{"--crop_size", c.Size() != 256, "256x256 images (its loader's)"},
		{"--separable_conv", c.SeparableConv, "plain convolutions"},
		{"--lab_colorization", c.InChannels != 3 || c.OutChannels != 3, "RGB in and out"},
		{"--l1_weight", c.L1Weight != d.L1Weight, "an L1 weight of 100"},
		{"--gan_weight", c.GANWeight != d.GANWeight, "a GAN weight of 1"},
		{"--bn-momentum", c.BNMomentum != d.BNMomentum, "batch-norm decay 0.9"},
		{"--discrim-reading", c.Reading != d.Reading, "separate runs, G reading D after its update"},
		{"--gen-norm", c.GenNorm != d.GenNorm, "batch norm"},
		{"--discrim-norm", c.DiscrimNorm != d.DiscrimNorm, "batch norm"},
		{"--init", c.Init != d.Init, "truncated-normal convolutions, normal deconvolutions"},
		{"--init-std", c.InitStd != d.InitStd, "std 0.02"},
		{"--kernel-size", c.KernelSize != d.KernelSize, "5x5 kernels"},
		{"--discrim-output", c.DiscrimOutput != d.DiscrimOutput, "one logit per image (d_h3_lin)"},
		{"--gan-loss", c.GANLoss != d.GANLoss, "sigmoid cross-entropy on the logits"},
		{"--gen-steps", c.GenSteps != d.GenSteps, "two G updates per D update"},
		{"--label-smoothing", c.LabelSmoothing != d.LabelSmoothing, "real target 1"},
		{"--discrim-lr", c.DiscrimLR != d.DiscrimLR, "one learning rate"},
		{"--lr-decay-steps", c.LRDecaySteps != 0 || c.LRDecayStart != 0, "a constant learning rate"},
		{"--bn-update-moving", c.BNUpdateMoving, "moving averages updated on every run"},
		{"--test-bn", c.TestBN != d.TestBN, "batch statistics at test time"},
	}
	var bad []string
	for _, f := range fixed {
		if f.set {
			bad = append(bad, fmt.Sprintf("%s (it fixes %s)", f.flag, f.fixes))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("setup yenchenlin reproduces that program's graph and fixes these options: %s; leave them out", strings.Join(bad, ", "))
	}
	return nil
}
