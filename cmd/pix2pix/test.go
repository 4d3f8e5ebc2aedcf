package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/dataset"
	"pix2pix/pkg/testmode"
)

func testCommand() *cli.Command {
	return &cli.Command{
		Name:  "test",
		Usage: "run a trained generator over paired images, as the original's --mode test",
		Description: `Restores the latest checkpoint of --checkpoint (this program's or the
original's), reads which_direction, ngf, ndf and lab_colorization from its
options.json, runs once over --input_dir in order and writes
images/<name>-inputs.png, -outputs.png, -targets.png and index.html to
--output_dir. Dropout stays on, as in the original (the paper's noise);
--no-test-dropout makes the outputs deterministic. Every input is decoded
once before the first step; a bad one is reported and skipped, the rest
are written, and the exit code is then 1.

Example:
   pix2pix test --input_dir facades/val --output_dir facades_test --checkpoint facades_train`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "input_dir", Aliases: kebab("input_dir"), Required: true, Usage: "folder of paired images", Category: catData},
			&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Required: true, Usage: "where to write images/ and index.html", Category: catData},
			&cli.StringFlag{Name: "checkpoint", Required: true, Usage: "training output directory (checkpoint state file, model-N, options.json)", Category: catData},
			&cli.IntFlag{Name: "batch_size", Aliases: kebab("batch_size"), Value: 1, Usage: "images per batch (batch norm uses the batch's statistics, as the original)", Category: catData},
			&cli.Int64Flag{Name: "max_steps", Aliases: kebab("max_steps"), Usage: "stop after N batches (0: all)", Category: catData},
			&cli.Float64Flag{Name: "aspect_ratio", Aliases: kebab("aspect_ratio"), Value: 1.0, Usage: "write images 256 high and round(256*ratio) wide (bicubic)", Category: catData},
			&cli.BoolFlag{Name: "no-test-dropout", Usage: "turn dropout off for deterministic outputs", Category: catData},
			testBNFlag(), setupOpenFlag(),
			&cli.Int64Flag{Name: "seed", Usage: "seed of the dropout masks", Category: catData},
			&cli.BoolFlag{Name: "allow_odd_width", Aliases: kebab("allow_odd_width"), Usage: "accept paired images of odd width", Category: catData},
			&cli.IntFlag{Name: "workers", Value: 0, Usage: "goroutines checking the images up front and preparing batches (0: one per core)", Category: catData},
			&cli.Int64Flag{Name: "max-pixels", Value: 100_000_000, Usage: "skip images larger than this many pixels, before decoding (0: no limit)", Category: catData},
		}, runtimeFlags()...),
		Action: runTest,
	}
}

func runTest(c *cli.Context) error {
	if err := checkFlags(c, []string{"workers", "max_steps", "max-pixels"}, []string{"aspect_ratio"}); err != nil {
		return err
	}
	if err := atLeastOne(c, "batch_size"); err != nil {
		return err
	}
	if c.Float64("aspect_ratio") <= 0 {
		return usage(fmt.Errorf("--aspect_ratio must be > 0 (got %g)", c.Float64("aspect_ratio")))
	}
	so, err := sessionOptions(c)
	if err != nil {
		return err
	}
	if n := dataset.IgnoredPNGs(c.String("input_dir")); n > 0 {
		fmt.Printf("%s has *.jpg files, so its %d *.png files are ignored (the original's rule)\n", c.String("input_dir"), n)
	}
	ctx, stop := interruptible()
	defer stop()
	res, err := testmode.Run(ctx, testmode.Options{
		InputDir: c.String("input_dir"), OutputDir: c.String("output_dir"), Checkpoint: c.String("checkpoint"), Setup: c.String("setup"),
		BatchSize: c.Int("batch_size"), MaxSteps: c.Int64("max_steps"), AspectRatio: c.Float64("aspect_ratio"),
		Dropout: !c.Bool("no-test-dropout"), Seed: c.Int64("seed"), TestBN: c.String("test-bn"),
		Check:   dataset.CheckOptions{AllowOddWidth: c.Bool("allow_odd_width"), MaxPixels: c.Int64("max-pixels")},
		Workers: c.Int("workers"),
		Session: so,
		Out:     os.Stdout,
	})
	if err != nil {
		return err
	}
	fmt.Printf("report: %s (%d images, mean L1 %.4f, mean PSNR %.2f dB)\n", res.Report, res.Images, res.MeanL1, res.MeanPSNR)
	if n := len(res.Failures); n > 0 {
		return cli.Exit(fmt.Sprintf("%d of %d images failed and were skipped (listed above)", n, n+res.Images), 1)
	}
	return nil
}
