package main

import (
	"github.com/urfave/cli/v2"

	"pix2pix/pkg/health"
)

const catHealth = "Health"

// healthFlags are the detector's thresholds and --stop-on-collapse.
func healthFlags() []cli.Flag {
	return append(thresholdFlags(),
		&cli.BoolFlag{Name: "stop-on-collapse", Usage: "when the discriminator has won, save a checkpoint and stop (exit code 4)", Category: catHealth})
}

// thresholdFlags are the detector's thresholds (train, compare).
func thresholdFlags() []cli.Flag {
	d := health.DefaultThresholds()
	return []cli.Flag{
		&cli.Float64Flag{Name: "collapse-discrim-loss", Value: d.DiscrimLoss, Usage: "the discriminator has won when its loss average is below this ...", Category: catHealth},
		&cli.Float64Flag{Name: "collapse-d-fake", Value: d.DFake, Usage: "... and mean D(fake) below this ...", Category: catHealth},
		&cli.IntFlag{Name: "collapse-summaries", Value: d.K, Usage: "... for this many summaries in a row (every --summary_freq steps, or 10 without summaries)", Category: catHealth},
		&cli.Float64Flag{Name: "explode-grad-norm", Value: d.GradNorm, Usage: "warn when a network's gradient global norm is above this", Category: catHealth},
	}
}

// healthThresholds reads healthFlags.
func healthThresholds(c *cli.Context) health.Thresholds {
	return health.Thresholds{DiscrimLoss: c.Float64("collapse-discrim-loss"), DFake: c.Float64("collapse-d-fake"),
		K: c.Int("collapse-summaries"), GradNorm: c.Float64("explode-grad-norm")}
}

// Exit codes of train that a sweep tells apart: a non-finite loss, and a
// stop on collapse.
const (
	exitNaN       = 3
	exitCollapsed = 4
)
