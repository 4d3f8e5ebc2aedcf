package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/compare"
)

func compareCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Value: ".", Usage: "where to write compare.html (and test/<run>/ with --input_dir)"},
		&cli.StringFlag{Name: "input_dir", Aliases: kebab("input_dir"), Usage: "held-out A|B pairs: run test mode (dropout off) with each run's latest checkpoint and show L1 and PSNR"},
	}
	flags = append(flags, thresholdFlags()...)
	flags = append(flags, runtimeFlags()...)
	return &cli.Command{
		Name:      "compare",
		Usage:     "one HTML page comparing training runs (this program's and the original's)",
		ArgsUsage: "RUN_DIR...",
		Description: `Reads every run's TensorBoard event files (and its options.json, if any)
and writes compare.html: the loss averages and health signals of all runs
overlaid, one plot per signal; the options that differ; per run its
steps, the first NaN and whether the discriminator won (the train
detector replayed over the summaries); with --input_dir, test-mode L1
and PSNR on held-out pairs.

Example:
   pix2pix compare --output_dir cmp --input_dir facades/val run_a run_b original_run`,
		Flags:  flags,
		Action: runCompare,
	}
}

func runCompare(c *cli.Context) error {
	if c.NArg() == 0 {
		return usage(fmt.Errorf("give one or more training run directories"))
	}
	t := healthThresholds(c)
	if err := t.Validate(); err != nil {
		return usage(err)
	}
	so, err := sessionOptions(c)
	if err != nil {
		return usage(err)
	}
	path, _, err := compare.Run(c.Context, compare.Options{Dirs: c.Args().Slice(), OutputDir: c.String("output_dir"),
		InputDir: c.String("input_dir"), Health: t, Session: so, Out: os.Stdout})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d runs)\n", path, c.NArg())
	return nil
}
