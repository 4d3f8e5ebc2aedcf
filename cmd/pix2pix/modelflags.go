package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/options"
)

// Model flags use the original's names (--ngf, --l1_weight, ...) and accept
// the kebab-case spelling as an alias (--l1-weight).
const catModel = "Model"

func modelFlags() []cli.Flag {
	d := pix2pix.DefaultConfig()
	return append([]cli.Flag{
		&cli.IntFlag{Name: "ngf", Value: d.NGF, Usage: "generator filters in the first conv layer", Category: catModel},
		&cli.IntFlag{Name: "ndf", Value: d.NDF, Usage: "discriminator filters in the first conv layer", Category: catModel},
		&cli.BoolFlag{Name: "separable_conv", Aliases: []string{"separable-conv"}, Usage: "use separable convolutions in the generator", Category: catModel},
		&cli.BoolFlag{Name: "lab_colorization", Aliases: []string{"lab-colorization"}, Usage: "brightness (1 channel) in, colour (2 channels) out", Category: catModel},
		&cli.IntFlag{Name: "batch_size", Aliases: []string{"batch-size"}, Value: 1, Usage: "number of images in a batch", Category: catModel},
		&cli.Float64Flag{Name: "lr", Value: d.LR, Usage: "initial learning rate for Adam", Category: catModel},
		&cli.Float64Flag{Name: "beta1", Value: d.Beta1, Usage: "momentum term of Adam", Category: catModel},
		&cli.Float64Flag{Name: "l1_weight", Aliases: []string{"l1-weight"}, Value: d.L1Weight, Usage: "weight on the L1 term of the generator loss", Category: catModel},
		&cli.Float64Flag{Name: "gan_weight", Aliases: []string{"gan-weight"}, Value: d.GANWeight, Usage: "weight on the GAN term of the generator loss", Category: catModel},
		&cli.Int64Flag{Name: "seed", Usage: "seed for initial weights and dropout (default: random)", Category: catModel},
		&cli.BoolFlag{Name: "no-dropout", Usage: "disable dropout in decoder_8..6 (the original always has it; for deterministic runs)", Category: catModel},
		&cli.StringFlag{Name: "discrim-reading", Value: "fresh", Usage: "weights the generator's gradient reads in the discriminator: fresh (after its update, as the original) or snapshot (before)", Category: catModel},
		&cli.Float64Flag{Name: "bn-momentum", Value: d.BNMomentum, Usage: "batch-norm momentum, TensorFlow convention (has no effect on results: the moving statistics are never used)", Category: catModel},
	}, techniqueFlags()...)
}

// modelConfig reads the model flags into a Config.
func modelConfig(c *cli.Context) (pix2pix.Config, error) {
	cfg := pix2pix.DefaultConfig()
	cfg.NGF, cfg.NDF = c.Int("ngf"), c.Int("ndf")
	cfg.SeparableConv = c.Bool("separable_conv")
	if c.Bool("lab_colorization") {
		cfg.InChannels, cfg.OutChannels = 1, 2
	}
	cfg.LR, cfg.Beta1 = c.Float64("lr"), c.Float64("beta1")
	cfg.L1Weight, cfg.GANWeight = c.Float64("l1_weight"), c.Float64("gan_weight")
	cfg.Seed = c.Int64("seed")
	cfg.Dropout = !c.Bool("no-dropout")
	cfg.BNMomentum = c.Float64("bn-momentum")
	r, err := pix2pix.ParseDiscrimReading(c.String("discrim-reading"))
	if err != nil {
		return cfg, fmt.Errorf("--discrim-reading: %w", err)
	}
	cfg.Reading = r
	if err := options.CheckBatchSize(c.Int("batch_size")); err != nil {
		return cfg, err
	}
	techniqueConfig(c, &cfg)
	return cfg, cfg.Validate()
}
