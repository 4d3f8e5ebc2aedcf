// Package testmode runs the original's test mode: restore the generator
// from a checkpoint directory, run it once over the inputs in order, and
// write each example's input, output and target images and an index.html.
package testmode

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/display"
	"pix2pix/graphs/input"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/options"
	"pix2pix/pkg/pipeline"
	"pix2pix/pkg/report"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// Options of a test run.
type Options struct {
	InputDir, OutputDir, Checkpoint string
	// Setup, if set, is the setup of a Checkpoint without options.json
	// (see trained.OpenCheckpointSetup).
	Setup     string
	BatchSize int
	// MaxSteps, if > 0, stops after that many batches (the original's
	// min(steps_per_epoch, max_steps)).
	MaxSteps    int64
	AspectRatio float64
	// Dropout at test time (on in the original: the paper's noise).
	Dropout bool
	// TestBN is batch norm's statistics (--test-bn; "" is batch).
	TestBN  string
	Seed    int64
	Check   dataset.CheckOptions
	Workers int
	Session session.Options
	Out     io.Writer
}

// Result says what a run wrote.
type Result struct {
	Index  string
	Images int
	// Report is report.html: the images with L1 and PSNR against the
	// targets, the training loss curves and the run's options.
	Report           string
	MeanL1, MeanPSNR float64
	// Failures are the inputs that were skipped as unreadable (reported on
	// Out, as infer does); the index and report cover the rest.
	Failures []dataset.Failure
}

// Run restores the latest checkpoint of o.Checkpoint, reads the model's
// options from its options.json, and writes the test images.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Checkpoint == "" {
		return Result{}, fmt.Errorf("--checkpoint is required for test mode")
	}
	if err := options.CheckBatchSize(o.BatchSize); err != nil {
		return Result{}, err
	}
	ck, err := trained.OpenCheckpointSetup(o.Checkpoint, o.Setup)
	if err != nil {
		return Result{}, err
	}
	mo := ck.Options
	for _, kv := range []struct {
		k string
		v interface{}
	}{{"which_direction", mo.WhichDirection}, {"ngf", mo.NGF}, {"ndf", mo.NDF}, {"lab_colorization", mo.LabColorization}, {"setup", ck.Config.Setup}} {
		fmt.Fprintln(o.Out, "loaded", kv.k, "=", kv.v)
	}
	paths, err := dataset.List(o.InputDir)
	if err != nil {
		return Result{}, err
	}
	in := ck.Input
	paths, fails, err := usable(paths, in, o)
	if err != nil {
		return Result{}, err
	}
	cfg, err := ck.WithTestBN(ck.Config, o.TestBN)
	if err != nil {
		return Result{}, err
	}
	cfg.Dropout, cfg.Seed = o.Dropout, o.Seed
	fmt.Fprintf(o.Out, "loading model from checkpoint %s\n", ck.Prefix)
	r, err := build(ck, cfg, o)
	if err != nil {
		return Result{}, err
	}
	defer r.gen.Close()
	pipe, err := pipeline.New(pipeline.Options{Paths: paths, Input: in, Batch: o.BatchSize, Workers: o.Workers})
	if err != nil {
		return Result{}, err
	}
	defer pipe.Close()
	steps := int64(pipe.StepsPerEpoch())
	if o.MaxSteps > 0 && o.MaxSteps < steps {
		steps = o.MaxSteps
	}
	res, err := r.loop(ctx, pipe, steps)
	res.Failures = fails
	return res, err
}

type testRun struct {
	o   Options
	ck  *trained.Checkpoint
	gen *trained.Generator
	tg  tf.Output
	im  display.Images
	// l1 and mse compare each displayed output with its target ([batch]).
	l1, mse tf.Output
}

func build(ck *trained.Checkpoint, cfg pix2pix.Config, o Options) (*testRun, error) {
	r := &testRun{o: o, ck: ck}
	gen, err := ck.LoadGenerator("test", r.graph(cfg, ck.Input), o.Session)
	if err != nil {
		return nil, err
	}
	r.gen = gen
	return r, nil
}

// Graph is the test-mode graph for a model trained with in, for
// inspection (kernel coverage); it opens nothing.
func Graph(cfg pix2pix.Config, in input.Config, o Options) (*tf.Graph, error) {
	r := &testRun{o: o}
	g, _, _, err := trained.BuildGenerator("test", r.graph(cfg, in))
	return g, err
}

// graph adds the generator on placeholders of the batch size, the display
// images and the per-image metrics.
func (r *testRun) graph(cfg pix2pix.Config, in input.Config) trained.GraphFunc {
	return func(s *op.Scope) (*pix2pix.Generator, error) {
		b := int64(r.o.BatchSize)
		inputs := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(b, cfg.Size(), cfg.Size(), int64(cfg.InChannels))))
		r.tg = op.Placeholder(s.SubScope("targets"), tf.Float, op.PlaceholderShape(tf.MakeShape(b, cfg.Size(), cfg.Size(), int64(cfg.OutChannels))))
		gen, err := pix2pix.BuildGenerator(s, cfg, inputs, pix2pix.GeneratorOptions{})
		if err != nil {
			return nil, err
		}
		r.im = display.Build(s.SubScope("display"), display.Config{LabColorization: in.LabColorization, WhichDirection: in.WhichDirection,
			AspectRatio: r.o.AspectRatio, Batch: r.o.BatchSize}, inputs, r.tg, gen.Outputs)
		ms := s.SubScope("metrics")
		toUnit := func(name string, x tf.Output) tf.Output {
			return op.Div(ms.SubScope(name), op.Cast(ms.SubScope(name), x, tf.Float), op.Const(ms.SubScope(name+"_255"), float32(255)))
		}
		diff := op.Sub(ms, toUnit("outputs", r.im.Outputs), toUnit("targets", r.im.Targets))
		axes := op.Const(ms.SubScope("axes"), []int32{1, 2, 3})
		r.l1 = op.Mean(ms.SubScope("l1"), op.Abs(ms, diff), axes)
		r.mse = op.Mean(ms.SubScope("mse"), op.Square(ms, diff), axes)
		return gen, nil
	}
}

// loop runs the batches in order; the last one wraps around to the first
// images, as the original's queue does, and those are not written twice.
func (r *testRun) loop(ctx context.Context, pipe *pipeline.Pipeline, steps int64) (Result, error) {
	imgDir := filepath.Join(r.o.OutputDir, "images")
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		return Result{}, err
	}
	done := map[string]bool{}
	res := Result{}
	var page []report.ImageRow
	start := time.Now()
	stream, stop := context.WithCancel(ctx)
	defer stop()
	batches := pipe.Stream(stream, 0, steps)
	for step := int64(0); step < steps; step++ {
		var b pipeline.Result
		select {
		case b = <-batches:
		case <-ctx.Done():
			return res, ctx.Err()
		}
		if b.Err != nil {
			return res, b.Err
		}
		rows, err := r.batch(b.Batch, step, imgDir, done)
		if err != nil {
			return res, err
		}
		page = append(page, rows...)
		plain := make([]report.Row, len(rows))
		for i, row := range rows {
			plain[i] = row.Row
		}
		idx, err := report.AppendIndex(r.o.OutputDir, plain, false)
		if err != nil {
			return res, err
		}
		res.Index = idx
		res.Images += len(rows)
	}
	fmt.Fprintln(r.o.Out, "wrote index at", res.Index)
	if err := r.writeReport(&res, page); err != nil {
		return res, err
	}
	if res.Images > 0 {
		fmt.Fprintf(r.o.Out, "rate %.3f s/image (%d images)\n", time.Since(start).Seconds()/float64(res.Images), res.Images)
	}
	return res, nil
}

// batch runs the generator on one batch and writes each image not written
// yet (done) into imgDir, returning their rows with L1 and PSNR.
func (r *testRun) batch(b *pipeline.Batch, step int64, imgDir string, done map[string]bool) ([]report.ImageRow, error) {
	st, err := tf.NewTensor(step)
	if err != nil {
		return nil, fmt.Errorf("test step %d: %w", step, err)
	}
	var f session.Fetches
	f.Add("l1", r.l1)
	f.Add("mse", r.mse)
	f.Add("inputs", r.im.InputPNGs...)
	f.Add("outputs", r.im.OutputPNGs...)
	f.Add("targets", r.im.TargetPNGs...)
	out, err := r.gen.Sess.Run(map[tf.Output]*tf.Tensor{r.gen.Gen.Inputs: b.Inputs, r.tg: b.Targets, r.gen.Gen.Step: st}, f.Outputs(), nil)
	if err != nil {
		return nil, fmt.Errorf("test step %d: %w", step, err)
	}
	l1s, mses := session.Value(f.Get(out, "l1")[0]).([]float32), session.Value(f.Get(out, "mse")[0]).([]float32)
	ins, outs, tgs := f.Get(out, "inputs"), f.Get(out, "outputs"), f.Get(out, "targets")
	var rows []report.ImageRow
	for i, p := range b.Paths {
		name := dataset.Name(p)
		if done[p] {
			continue
		}
		done[p] = true
		row := report.Row{Name: name}
		for _, k := range []struct {
			kind string
			t    *tf.Tensor
			dst  *string
		}{{"inputs", ins[i], &row.Inputs}, {"outputs", outs[i], &row.Outputs}, {"targets", tgs[i], &row.Targets}} {
			file := name + "-" + k.kind + ".png"
			if err := session.WriteEncoded(filepath.Join(imgDir, file), k.t); err != nil {
				return nil, err
			}
			*k.dst = filepath.Join("images", file)
		}
		rows = append(rows, report.ImageRow{Row: row, L1: float64(l1s[i]), PSNR: report.PSNR(float64(mses[i]))})
		fmt.Fprintln(r.o.Out, "evaluated image", name)
	}
	return rows, nil
}

// writeReport writes report.html over the images of the run.
func (r *testRun) writeReport(res *Result, page []report.ImageRow) error {
	losses, err := report.ReadLosses(r.ck.Dir)
	if err != nil {
		return err
	}
	p := report.Page{Title: "pix2pix test of " + r.ck.Prefix, Rows: page, Losses: losses, Options: report.ReadOptions(r.ck.Dir)}
	if res.Report, err = report.Write(r.o.OutputDir, p); err != nil {
		return err
	}
	res.MeanL1, res.MeanPSNR = p.MeanL1(), p.MeanPSNR()
	fmt.Fprintf(r.o.Out, "wrote report at %s (mean L1 %.4f, mean PSNR %.2f dB)\n", res.Report, res.MeanL1, res.MeanPSNR)
	return nil
}
