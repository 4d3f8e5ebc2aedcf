package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"pix2pix/graphs/input"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/session"
	"pix2pix/pkg/train"
)

const (
	catData    = "Data"
	catTrain   = "Training"
	catRuntime = "Runtime"
)

// kebab gives a flag the kebab-case alias of its original snake_case name.
func kebab(name string) []string {
	if k := strings.ReplaceAll(name, "_", "-"); k != name {
		return []string{k}
	}
	return nil
}

func dataFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "input_dir", Aliases: kebab("input_dir"), Usage: "folder containing the images (*.jpg, else *.png)", Category: catData},
		&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Usage: "where to put output files", Required: true, Category: catData},
		&cli.StringFlag{Name: "which_direction", Aliases: kebab("which_direction"), Value: "AtoB", Usage: "AtoB or BtoA", Category: catData},
		&cli.IntFlag{Name: "scale_size", Aliases: kebab("scale_size"), Value: 286, Usage: "scale images to this size before cropping to 256x256", Category: catData},
		&cli.BoolFlag{Name: "flip", Value: true, Usage: "flip images horizontally (--no_flip to turn off)", Category: catData},
		&cli.BoolFlag{Name: "no_flip", Aliases: kebab("no_flip"), Usage: "don't flip images horizontally", Category: catData},
		&cli.BoolFlag{Name: "allow_odd_width", Aliases: kebab("allow_odd_width"), Usage: "accept paired images of odd width, split at width // 2 as the original does", Category: catData},
		&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "goroutines checking the images up front and preparing input batches", Category: catData},
		&cli.Int64Flag{Name: "max-pixels", Value: 100_000_000, Usage: "refuse images larger than this many pixels, before decoding (0: no limit)", Category: catData},
	}
}

func runtimeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "device", Value: "cpu", Usage: "cpu, gpu or gpu:N", Category: catRuntime},
		&cli.IntFlag{Name: "threads", Usage: "intra-op threads (0: one per core, the original's setting; other counts split sums differently, so numerics change slightly)", Category: catRuntime},
		&cli.IntFlag{Name: "inter-op-threads", Usage: "inter-op threads (0: TensorFlow's choice)", Category: catRuntime},
		&cli.BoolFlag{Name: "xla", Usage: "XLA auto-clustering (fuses kernels; changes numerics slightly)", Category: catRuntime},
		&cli.StringFlag{Name: "precision", Value: session.PrecisionFP32, Usage: "fp32 (the original's) or bf16: mixed precision on a CPU with bfloat16 instructions (avx512_bf16 or amx_bf16), convolutions in bfloat16, variables, Adam and losses in float32; faster, and numerics are no longer the original's", Category: catRuntime},
		&cli.Float64Flag{Name: "gpu-memory-fraction", Usage: "with --device gpu: the most of the GPU's memory TensorFlow may take, in (0, 1] (0: no cap; memory grows as needed either way)", Category: catRuntime},
		&cli.StringFlag{Name: "onednn", Value: session.OneDNNAuto, Usage: "oneDNN CPU kernels: auto (TensorFlow's choice for this CPU, as the original gets), on or off (restart with TF_ENABLE_ONEDNN_OPTS=1 or 0; numerics change slightly)", Category: catRuntime},
	}
}

// sessionOptions reads the runtime flags. --onednn on|off may restart the
// program (see session.SetOneDNN), so commands call this before they write
// anything; a --precision this machine cannot run is a usage error, found
// before that restart.
func sessionOptions(c *cli.Context) (session.Options, error) {
	o := session.Options{Device: c.String("device"), IntraOp: c.Int("threads"), InterOp: c.Int("inter-op-threads"), XLA: c.Bool("xla"),
		Precision: c.String("precision"), GPUMemoryFraction: c.Float64("gpu-memory-fraction")}
	if err := o.CheckPrecision(c.String("onednn")); err != nil {
		return session.Options{}, usage(err)
	}
	if err := session.SetOneDNN(c.String("onednn")); err != nil {
		return session.Options{}, err
	}
	return o, nil
}

func trainCommand() *cli.Command {
	flags := append(dataFlags(), modelFlags()...)
	flags = append(flags,
		&cli.StringFlag{Name: "checkpoint", Usage: "resume from the latest checkpoint in this directory (this program's or the original's)", Category: catTrain},
		&cli.Int64Flag{Name: "max_steps", Aliases: kebab("max_steps"), Usage: "number of training steps (0: use max_epochs)", Category: catTrain},
		&cli.Int64Flag{Name: "max_epochs", Aliases: kebab("max_epochs"), Usage: "number of training epochs", Category: catTrain},
		&cli.Int64Flag{Name: "summary_freq", Aliases: kebab("summary_freq"), Value: 100, Usage: "update summaries every N steps (0: never)", Category: catTrain},
		&cli.Int64Flag{Name: "progress_freq", Aliases: kebab("progress_freq"), Value: 50, Usage: "display progress every N steps", Category: catTrain},
		&cli.Int64Flag{Name: "trace_freq", Aliases: kebab("trace_freq"), Usage: "trace execution every N steps (writes traces/step_N.json)", Category: catTrain},
		&cli.Int64Flag{Name: "display_freq", Aliases: kebab("display_freq"), Usage: "write current training images every N steps", Category: catTrain},
		&cli.Int64Flag{Name: "save_freq", Aliases: kebab("save_freq"), Value: 5000, Usage: "save the model every N steps (0: never)", Category: catTrain},
		&cli.IntFlag{Name: "max-to-keep", Value: 1, Usage: "checkpoints to keep", Category: catTrain},
		&cli.StringFlag{Name: "step-times", Usage: "write each step's start and end time (JSON lines, Unix seconds) to this file, for benchmarks", Category: catTrain},
		&cli.Float64Flag{Name: "aspect_ratio", Aliases: kebab("aspect_ratio"), Value: 1.0, Usage: "aspect ratio of output images (test mode; recorded)", Category: catData},
		&cli.StringFlag{Name: "output_filetype", Aliases: kebab("output_filetype"), Value: "png", Usage: "png or jpeg (export mode; recorded)", Category: catData},
	)
	flags = append(flags, healthFlags()...)
	flags = append(flags, runtimeFlags()...)
	flags = append(flags, towerFlags()...)
	flags = append(flags, clusterFlags("this process's task: train is the chief, task 0")...)
	return &cli.Command{
		Name:  "train",
		Usage: "train a pix2pix model, as the original's --mode train",
		Description: `Trains on paired A|B images (or single images with --lab_colorization),
with the original's options and defaults, writing checkpoints
(model-<step>), TensorBoard summaries and options.json to --output_dir.
--checkpoint DIR resumes from DIR's latest checkpoint, written by this
program or by the original. Ctrl-C saves a checkpoint and stops; a second
Ctrl-C stops at once.

Example:
   pix2pix train --input_dir facades/train --output_dir facades_train \
       --which_direction BtoA --max_epochs 200 --seed 1`,
		Flags:  flags,
		Action: runTrain,
	}
}

func runTrain(c *cli.Context) error {
	o, err := trainOptions(c)
	if err != nil {
		if _, ok := err.(cli.ExitCoder); ok {
			return err
		}
		return usage(err)
	}
	o.Record = recordedOptions(c, o)
	announce(o)
	bar := newBar(os.Stdout)
	if bar != nil {
		o.Bar = bar
	}
	ctx, stop := interruptible()
	defer stop()
	err = train.Run(ctx, o)
	switch {
	case errors.Is(err, train.ErrInterrupted):
		return cli.Exit(err.Error(), 130)
	case errors.Is(err, train.ErrNaN):
		return cli.Exit(err.Error(), exitNaN)
	case errors.Is(err, train.ErrCollapsed):
		return cli.Exit(err.Error(), exitCollapsed)
	case errors.Is(err, train.ErrWorkerLost):
		return cli.Exit(err.Error(), exitWorkerLost)
	}
	return err
}

// interruptible is cancelled by the first SIGINT or SIGTERM, so the loop
// saves and stops; a second signal exits at once.
func interruptible() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s, ok := <-sig
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "\npix2pix: %v: finishing the step and saving a checkpoint (again to stop at once)\n", s)
		cancel()
		if _, ok := <-sig; ok {
			fmt.Fprintln(os.Stderr, "pix2pix: stopped at once")
			os.Exit(130)
		}
	}()
	return ctx, func() { signal.Stop(sig); close(sig); cancel() }
}

// announce says, in one line each, what the run will do that a user may
// not expect: the original's 2^32 steps when no limit is given, and the
// *.png files the original's rule ignores next to *.jpg files.
func announce(o train.Options) {
	if o.MaxSteps == 0 && o.MaxEpochs == 0 {
		fmt.Fprintf(o.Out, "no --max_steps or --max_epochs: training runs %d steps, as the original does; Ctrl-C saves and stops\n", int64(1)<<32)
	}
	if n := dataset.IgnoredPNGs(o.InputDir); n > 0 {
		fmt.Fprintf(o.Out, "%s has *.jpg files, so its %d *.png files are ignored (the original's rule)\n", o.InputDir, n)
	}
}

func trainOptions(c *cli.Context) (train.Options, error) {
	err := checkFlags(c, []string{"workers", "max-pixels"}, []string{"lr", "beta1", "l1_weight", "gan_weight", "bn-momentum", "aspect_ratio", "init-std", "label-smoothing", "discrim-lr"})
	if err != nil {
		return train.Options{}, err
	}
	if ft := c.String("output_filetype"); ft != "png" && ft != "jpeg" {
		return train.Options{}, fmt.Errorf("--output_filetype %q: want png or jpeg", ft)
	}
	if c.Float64("aspect_ratio") <= 0 {
		return train.Options{}, fmt.Errorf("--aspect_ratio must be > 0 (got %g)", c.Float64("aspect_ratio"))
	}
	cfg, err := modelConfig(c)
	if err != nil {
		return train.Options{}, err
	}
	if cfg.LRDecaySteps > 0 && !c.IsSet("lr-decay-start") {
		if c.Int64("max_steps") == 0 {
			return train.Options{}, fmt.Errorf("--lr-decay-steps without --max_steps: give --lr-decay-start, the step at which the decay starts")
		}
		cfg.LRDecayStart = max(0, c.Int64("max_steps")-cfg.LRDecaySteps)
	}
	if !c.IsSet("seed") {
		cfg.Seed = rand.New(rand.NewSource(time.Now().UnixNano())).Int63n(1 << 31)
	}
	in := input.Config{
		LabColorization: c.Bool("lab_colorization"),
		WhichDirection:  c.String("which_direction"),
		ScaleSize:       c.Int("scale_size"),
		CropSize:        int(cfg.Size()),
	}
	if cfg.Setup == pix2pix.SetupYenchenlin && !c.IsSet("which_direction") {
		in.WhichDirection = "BtoA" // that program translates the right half into the left
	}
	if !c.IsSet("scale_size") {
		in.ScaleSize = int(cfg.Size()) * 286 / pix2pix.DefaultCropSize
	}
	if err := in.Validate(); err != nil {
		return train.Options{}, err
	}
	if c.String("input_dir") == "" {
		return train.Options{}, fmt.Errorf("--input_dir is required")
	}
	so, err := sessionOptions(c)
	if err != nil {
		return train.Options{}, err
	}
	o := train.Options{
		InputDir: c.String("input_dir"), OutputDir: c.String("output_dir"), Checkpoint: c.String("checkpoint"),
		MaxSteps: c.Int64("max_steps"), MaxEpochs: c.Int64("max_epochs"),
		SummaryFreq: c.Int64("summary_freq"), ProgressFreq: c.Int64("progress_freq"), TraceFreq: c.Int64("trace_freq"),
		DisplayFreq: c.Int64("display_freq"), SaveFreq: c.Int64("save_freq"), MaxToKeep: c.Int("max-to-keep"),
		Model: cfg, Input: in, BatchSize: c.Int("batch_size"), Flip: c.Bool("flip") && !c.Bool("no_flip"),
		Check: dataset.CheckOptions{AllowOddWidth: c.Bool("allow_odd_width"), MaxPixels: c.Int64("max-pixels"),
			Decode: true, Workers: c.Int("workers"), Progress: os.Stdout},
		Workers: c.Int("workers"), StepTimes: c.String("step-times"),
		Session: so, Health: healthThresholds(c), StopOnCollapse: c.Bool("stop-on-collapse"),
		Out: os.Stdout,
	}
	if err := applyCluster(c, &o); err != nil {
		return train.Options{}, err
	}
	if err := applyTowers(c, &o); err != nil {
		return train.Options{}, err
	}
	// --devices may have made the session's device the GPUs.
	if err := o.Session.CheckPrecision(c.String("onednn")); err != nil {
		return train.Options{}, usage(err)
	}
	return o, o.Validate()
}

// recordedOptions is options.json: every option of the original under
// its name, plus this program's own.
func recordedOptions(c *cli.Context, o train.Options) map[string]interface{} {
	orNil := func(s string) interface{} {
		if s == "" {
			return nil
		}
		return s
	}
	orNilInt := func(v int64) interface{} {
		if v == 0 {
			return nil
		}
		return v
	}
	rec := map[string]interface{}{
		"mode": "train", "input_dir": o.InputDir, "output_dir": o.OutputDir, "seed": o.Model.Seed,
		"checkpoint": orNil(o.Checkpoint), "max_steps": orNilInt(o.MaxSteps), "max_epochs": orNilInt(o.MaxEpochs),
		"summary_freq": o.SummaryFreq, "progress_freq": o.ProgressFreq, "trace_freq": o.TraceFreq,
		"display_freq": o.DisplayFreq, "save_freq": o.SaveFreq, "separable_conv": o.Model.SeparableConv,
		"aspect_ratio": c.Float64("aspect_ratio"), "lab_colorization": o.Input.LabColorization,
		"batch_size": o.BatchSize, "which_direction": o.Input.WhichDirection, "ngf": o.Model.NGF, "ndf": o.Model.NDF,
		"scale_size": o.Input.ScaleSize, "flip": o.Flip, "lr": o.Model.LR, "beta1": o.Model.Beta1,
		"l1_weight": o.Model.L1Weight, "gan_weight": o.Model.GANWeight, "output_filetype": c.String("output_filetype"),
		"dropout": o.Model.Dropout, "discrim_reading": o.Model.Reading.String(), "bn_momentum": o.Model.BNMomentum,
		"max_to_keep": o.MaxToKeep,
	}
	// Only an opt-in precision is recorded, so a default run's file is as
	// before and compare shows no difference against older runs'.
	if p := o.Session.Precision; p != "" && p != session.PrecisionFP32 {
		rec["precision"] = p
	}
	for k, v := range recordedTechniques(o.Model) {
		rec[k] = v
	}
	recordTowers(rec, o)
	return rec
}
