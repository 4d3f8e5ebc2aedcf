package main

import (
	"github.com/urfave/cli/v2"

	"pix2pix/graphs/pix2pix"
)

const catTech = "Techniques (each off by default: the original's graph)"

// techniqueFlags are the options of the training techniques; at their
// defaults the graph is the original's. Their origins are in the README.
func techniqueFlags() []cli.Flag {
	d := pix2pix.DefaultConfig()
	return []cli.Flag{
		&cli.StringFlag{Name: "setup", Value: d.Setup, Usage: "whose program's graph to train: affinelayer (the original) or yenchenlin (yenchenlin/pix2pix-tensorflow's, under its variable names; it fixes the options below)", Category: catTech},
		&cli.IntFlag{Name: "crop_size", Aliases: kebab("crop_size"), Value: d.CropSize, Usage: "image side the networks take, a power of two from 64 (U-Net of log2(size) levels; --scale_size defaults to size*286/256)", Category: catTech},
		&cli.StringFlag{Name: "gen-norm", Value: d.GenNorm, Usage: "generator normalisation: batch (the original's), instance or none", Category: catTech},
		&cli.StringFlag{Name: "discrim-norm", Value: d.DiscrimNorm, Usage: "discriminator normalisation: batch (the original's), instance or none", Category: catTech},
		&cli.StringFlag{Name: "init", Value: d.Init, Usage: "kernel initialiser: normal (the original's) or truncated_normal (redrawn beyond 2 std)", Category: catTech},
		&cli.Float64Flag{Name: "init-std", Value: d.InitStd, Usage: "std of the kernel initialiser and of the batch-norm scale's", Category: catTech},
		&cli.IntFlag{Name: "kernel-size", Value: d.KernelSize, Usage: "convolution kernel side: 4 (the original's) or 5", Category: catTech},
		&cli.StringFlag{Name: "discrim-output", Value: d.DiscrimOutput, Usage: "discriminator output: patch (a PatchGAN map, the original's) or scalar (flatten + one linear unit)", Category: catTech},
		&cli.StringFlag{Name: "gan-loss", Value: d.GANLoss, Usage: "GAN loss: eps (sigmoid then log(x+1e-12), the original's), logits (sigmoid cross-entropy), lsgan or hinge", Category: catTech},
		&cli.IntFlag{Name: "gen-steps", Value: d.GenSteps, Usage: "generator updates per discriminator update", Category: catTech},
		&cli.Float64Flag{Name: "label-smoothing", Value: d.LabelSmoothing, Usage: "one-sided label smoothing: the real images' target (1: none)", Category: catTech},
		&cli.Float64Flag{Name: "discrim-lr", Usage: "the discriminator's learning rate (0: --lr)", Category: catTech},
		&cli.Int64Flag{Name: "lr-decay-steps", Usage: "decay both learning rates linearly to 0 over N steps (0: constant)", Category: catTech},
		&cli.Int64Flag{Name: "lr-decay-start", Usage: "global step at which the decay starts (--max_steps minus --lr-decay-steps: over the last N steps)", Category: catTech},
		&cli.BoolFlag{Name: "bn-update-moving", Usage: "update the batch-norm moving averages while training (the original never does), for test --test-bn moving", Category: catTech},
	}
}

// techniqueConfig reads the technique flags into cfg.
func techniqueConfig(c *cli.Context, cfg *pix2pix.Config) {
	cfg.Setup = c.String("setup")
	cfg.CropSize = c.Int("crop_size")
	cfg.GenNorm, cfg.DiscrimNorm = c.String("gen-norm"), c.String("discrim-norm")
	cfg.Init, cfg.InitStd = c.String("init"), c.Float64("init-std")
	cfg.KernelSize = c.Int("kernel-size")
	cfg.DiscrimOutput, cfg.GANLoss = c.String("discrim-output"), c.String("gan-loss")
	cfg.GenSteps = c.Int("gen-steps")
	cfg.LabelSmoothing, cfg.DiscrimLR = c.Float64("label-smoothing"), c.Float64("discrim-lr")
	cfg.LRDecaySteps, cfg.LRDecayStart = c.Int64("lr-decay-steps"), c.Int64("lr-decay-start")
	cfg.BNUpdateMoving = c.Bool("bn-update-moving")
}

// testBNFlag is --test-bn of the commands that run a trained generator.
func testBNFlag() cli.Flag {
	return &cli.StringFlag{Name: "test-bn", Value: pix2pix.TestBNBatch, Usage: "batch-norm statistics: batch (each batch's own, the original's) or moving (the moving averages, as junyanz's --eval; needs a run trained with --bn-update-moving)", Category: catData}
}

// setupOpenFlag is --setup of the commands that open a training
// directory: only for one without options.json.
func setupOpenFlag() cli.Flag {
	return &cli.StringFlag{Name: "setup", Usage: "for a checkpoint directory without options.json: yenchenlin opens one written by yenchenlin/pix2pix-tensorflow (ngf and ndf read from the checkpoint, the right half of an A|B image in)", Category: catData}
}

// recordedTechniques is the technique part of options.json.
func recordedTechniques(cfg pix2pix.Config) map[string]interface{} {
	return map[string]interface{}{
		"setup": cfg.Setup, "crop_size": cfg.CropSize,
		"gen_norm": cfg.GenNorm, "discrim_norm": cfg.DiscrimNorm, "init": cfg.Init, "init_std": cfg.InitStd,
		"kernel_size": cfg.KernelSize, "discrim_output": cfg.DiscrimOutput, "gan_loss": cfg.GANLoss,
		"gen_steps": cfg.GenSteps, "label_smoothing": cfg.LabelSmoothing, "discrim_lr": cfg.DiscrimLR,
		"lr_decay_steps": cfg.LRDecaySteps, "lr_decay_start": cfg.LRDecayStart, "bn_update_moving": cfg.BNUpdateMoving,
	}
}
