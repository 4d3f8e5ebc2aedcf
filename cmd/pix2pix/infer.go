package main

import (
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/infer"
)

func inferCommand() *cli.Command {
	return &cli.Command{
		Name:      "infer",
		Usage:     "translate single images (no B half) with a trained generator, batched and fast",
		ArgsUsage: "DIR | GLOB | LIST_FILE",
		Description: `Runs the generator of --model (a training output directory) over images of
any size: each is scaled to 256x256, translated, and scaled back to its own
size (or left at 256x256 with --keep-256; with --resize native the model
runs on the image's own size instead, reflect-padded to a multiple of its
stride and cropped back), then written to --output_dir under its own name
and format. Decoding, the generator runs and encoding overlap on all cores;
on the CPU, two runs of one image each go at once, the cores divided
between them (--batch_size, --in-flight, --threads). Batch norm uses each
image's own statistics (as the original at batch size 1), so outputs do not
depend on batching.
A bad file is reported and skipped; the exit code is 1 if any failed.

Examples:
   pix2pix infer --model facades_train --output_dir out photos/
   pix2pix infer --model facades_train --output_dir out --skip-existing --shard 2/4 'photos/*.jpg'
   pix2pix infer --model facades_train --output_dir out --png-compression 0 photos/   # fastest, larger files`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "model", Required: true, Usage: "training output directory (checkpoint state file, model-N, options.json)", Category: catData},
			&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Required: true, Usage: "where to write the outputs", Category: catData},
			&cli.IntFlag{Name: "batch_size", Aliases: kebab("batch_size"), Usage: fmt.Sprintf("images per generator run (0: %d on the CPU, %d on a GPU)", infer.DefaultCPUBatchSize, infer.DefaultBatchSize), Category: catData},
			&cli.BoolFlag{Name: "keep-256", Usage: "write 256x256 outputs instead of resizing back", Category: catData},
			&cli.StringFlag{Name: "resize", Value: infer.ResizeCrop, Usage: "`crop`: scale each image to the model's crop size and back; native: run on the image's own size, reflect-padded to a multiple of the model's stride (256 at crop 256) and cropped back", Category: catData},
			&cli.BoolFlag{Name: "skip-existing", Usage: "skip inputs whose output exists (resume a large job)", Category: catData},
			&cli.StringFlag{Name: "shard", Usage: "process part `K/N` of the inputs (every N-th from the K-th, 1 <= K <= N)", Category: catData},
			&cli.BoolFlag{Name: "no-test-dropout", Usage: "turn dropout off for deterministic outputs (the original keeps it on)", Category: catData},
			testBNFlag(), setupOpenFlag(),
			&cli.Int64Flag{Name: "seed", Usage: "seed of the dropout masks", Category: catData},
			&cli.BoolFlag{Name: "exact-deconv", Usage: "use the original's ops (TensorFlow's transposed convolution, its three-op leaky ReLU) instead of the faster forms (sub-pixel convolutions, one LeakyRelu op; equal up to float rounding, outputs differ by at most 1/255)", Category: catData},
			pngCompressionFlag(),
			&cli.Int64Flag{Name: "max-pixels", Value: 100_000_000, Usage: "refuse images larger than this many pixels, before decoding", Category: catData},
			&cli.IntFlag{Name: "workers", Usage: "decode and encode goroutines (0: one per core)", Category: catData},
			&cli.IntFlag{Name: "in-flight", Usage: fmt.Sprintf("generator batches run at once (0: %d on the CPU, 1 on a GPU)", infer.DefaultCPUInFlight), Category: catRuntime},
			&cli.StringFlag{Name: "trace", Usage: "write the execution trace of the second generator batch (the first if there is only one) to `FILE` (Chrome trace format, as train's traces/step_N.json)", Category: catRuntime},
		}, withUsage(runtimeFlags(), "threads", runThreadsUsage)...),
		Action: runInfer,
	}
}

func runInfer(c *cli.Context) error {
	if c.NArg() != 1 {
		return cli.Exit("infer takes one input: a directory, a glob or a list file (see --help)", 2)
	}
	if err := checkFlags(c, []string{"workers", "max-pixels", "in-flight", "batch_size"}, nil); err != nil {
		return err
	}
	png, err := pngCompression(c)
	if err != nil {
		return err
	}
	shard, err := infer.ParseShard(c.String("shard"))
	if err != nil {
		return usage(err)
	}
	inputs, err := infer.Inputs(c.Args().First(), shard)
	if err != nil {
		return err
	}
	if err := infer.CheckNotOverwriting(inputs, c.String("output_dir")); err != nil {
		return usage(err)
	}
	so, err := sessionOptions(c)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	sum, err := infer.Run(ctx, infer.Options{
		Model: c.String("model"), Setup: c.String("setup"), Inputs: inputs, OutputDir: c.String("output_dir"),
		BatchSize: c.Int("batch_size"), Keep256: c.Bool("keep-256"), Resize: c.String("resize"), SkipExisting: c.Bool("skip-existing"),
		Dropout: !c.Bool("no-test-dropout"), Seed: c.Int64("seed"), MaxPixels: c.Int64("max-pixels"), TestBN: c.String("test-bn"),
		ExactDeconv:    c.Bool("exact-deconv"),
		PNGCompression: png,
		Workers:        c.Int("workers"),
		Trace:          c.String("trace"),
		InFlight:       c.Int("in-flight"),
		Session:        so,
		Out:            os.Stderr,
		Progress:       progressReporter(os.Stderr),
	})
	if sum != nil {
		rate := 0.0
		if s := sum.Elapsed.Seconds(); s > 0 {
			rate = float64(sum.Written) / s
		}
		fmt.Printf("%d images: %d written, %d skipped (output exists), %d failed; %.1f images/sec\n",
			sum.Total, sum.Written, sum.Skipped, len(sum.Failures), rate)
	}
	if err != nil {
		return err
	}
	if n := len(sum.Failures); n > 0 {
		return cli.Exit(fmt.Sprintf("%d of %d images failed (listed above)", n, sum.Total), 1)
	}
	return nil
}

// progressReporter shows a progress bar on a terminal, and otherwise a
// line every 10 seconds and at the end.
func progressReporter(f *os.File) func(done, total int) {
	if bar := countBar(f, "img"); bar != nil {
		return bar
	}
	start, last := time.Now(), time.Now()
	return func(done, total int) {
		if time.Since(last) < 10*time.Second && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(f, "progress: %d/%d images, %.1f images/sec\n", done, total, float64(done)/time.Since(start).Seconds())
	}
}
