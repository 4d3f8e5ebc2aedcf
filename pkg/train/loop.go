package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/options"
	"pix2pix/pkg/pipeline"
	"pix2pix/pkg/report"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// ErrInterrupted is returned when the context ended the run early; the
// checkpoint saved on the way out is named in the wrapping error.
var ErrInterrupted = errors.New("interrupted")

// run holds one training run's state.
type run struct {
	o        Options
	tr       *trained.Trainer
	ex       *extras
	meta     []byte
	pipe     *pipeline.Pipeline
	out      io.Writer
	lastSave string
	// restored is the prefix the variables were loaded from, if any.
	restored string
	// keeper saves into o.OutputDir and deletes only what it saved.
	keeper *checkpoint.Keeper
	// losses are the averaged losses after the last step; lrs its
	// learning rates (generator, discriminator).
	losses [3]float32
	lrs    [2]float32
	// lossLog records them every lossEvery steps, for the report's plot.
	lossLog *report.LossLog
	// steps records each step's wall time (--step-times), or is nil.
	steps *stepLog
}

// lossEvery is how often the averaged losses go to losses.csv.
const lossEvery = 10

// Run trains until max steps or until ctx ends (then it saves a
// checkpoint and returns an error wrapping ErrInterrupted).
func Run(ctx context.Context, o Options) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if err := o.validate(); err != nil {
		return err
	}
	paths, err := inputs(o)
	if err != nil {
		return err
	}
	keeper, err := openKeeper(o.OutputDir, o.MaxToKeep, o.Out)
	if err != nil {
		return err
	}
	o.Model.InChannels, o.Model.OutChannels = o.Input.Channels()

	logdir := o.logdir()
	tr, ex, err := newTrainer(o.Model, o.displayConfig(), o.BatchSize, logdir, o.Session)
	if err != nil {
		return err
	}
	defer tr.Close()
	g, sess := tr.Graph, tr.Sess
	r := &run{o: o, tr: tr, ex: ex, out: o.Out, keeper: keeper}
	if r.meta, err = metaGraph(g, tr.Model, tr.Saver, ex, o.MaxToKeep); err != nil {
		return fmt.Errorf("meta graph: %w", err)
	}
	if err := r.initVariables(); err != nil {
		return err
	}
	if r.steps, err = openStepLog(o.StepTimes); err != nil {
		return err
	}
	defer r.steps.Close()
	// Everything checked: only now does the output directory appear.
	if err := r.openOutputs(); err != nil {
		return err
	}
	defer r.lossLog.Close()
	if ex.summaries != nil {
		if _, err := sess.Run(nil, nil, []*tf.Operation{ex.summaries.Init}); err != nil {
			return fmt.Errorf("summary writer in %s: %w", logdir, err)
		}
		defer sess.Run(nil, nil, []*tf.Operation{ex.summaries.Close})
		if err := writeGraphEvents(sess, g, r.meta, ex); err != nil {
			return fmt.Errorf("graph into the event file in %s: %w", logdir, err)
		}
	}
	pipe, err := pipeline.New(pipeline.Options{Paths: paths, Input: o.Input, Batch: o.BatchSize, Shuffle: true,
		Flip: o.Flip, Seed: o.Model.Seed, Workers: o.Workers})
	if err != nil {
		return err
	}
	defer pipe.Close()
	r.pipe = pipe
	return r.loop(ctx)
}

// inputs lists the input directory and checks every file's header up
// front: a bad image stops the run now, by name, not hours in.
func inputs(o Options) ([]string, error) {
	paths, err := dataset.List(o.InputDir)
	if err != nil {
		return nil, err
	}
	o.Check.Paired = !o.Input.LabColorization
	if err := dataset.CheckHeaders(paths, o.Check); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Out, "examples count = %d\n", len(paths))
	return paths, nil
}

// openOutputs creates the output directory, writes options.json and
// opens the loss log.
func (r *run) openOutputs() error {
	o := r.o
	if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
		return fmt.Errorf("output_dir: %w", err)
	}
	if o.Record != nil {
		if err := options.Write(o.OutputDir, o.Record); err != nil {
			return err
		}
	}
	var err error
	r.lossLog, err = report.OpenLossLog(o.OutputDir)
	return err
}

// initVariables restores the latest checkpoint of o.Checkpoint, or
// initialises every variable.
func (r *run) initVariables() error {
	if r.o.Checkpoint == "" {
		return r.tr.Init()
	}
	prefix, err := checkpoint.Latest(r.o.Checkpoint)
	if err != nil {
		return err
	}
	if err := r.tr.CheckCompatible(prefix); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "loading model from checkpoint %s\n", prefix)
	r.restored = prefix
	return r.tr.Restore(prefix)
}

func (r *run) loop(ctx context.Context) error {
	o, m := r.o, r.tr.Model
	start, err := r.tr.GlobalStep()
	if err != nil {
		return err
	}
	spe := r.pipe.StepsPerEpoch()
	maxSteps := o.maxSteps(spe)
	fmt.Fprintf(r.out, "parameter_count = %d\n", m.ParamCount("generator")+m.ParamCount("discriminator"))

	streamCtx, stop := context.WithCancel(context.Background())
	defer stop()
	batches := r.pipe.Stream(streamCtx, start, start+maxSteps)
	if o.Bar != nil {
		o.Bar.Start(maxSteps)
		defer o.Bar.Finish()
	}
	t0 := time.Now()
	for step := int64(0); step < maxSteps; step++ {
		if ctx.Err() != nil {
			return r.interrupted(start + step)
		}
		stepStart := time.Now()
		var b pipeline.Result
		select {
		case b = <-batches:
		case <-ctx.Done():
			return r.interrupted(start + step)
		}
		if b.Err != nil {
			return b.Err
		}
		gs := start + step + 1 // global_step after this step
		if err := r.step(b.Batch, step, maxSteps, gs); err != nil {
			return err
		}
		if err := r.steps.add(step+1, stepStart, time.Now()); err != nil {
			return err
		}
		if should(lossEvery, step, maxSteps) {
			r.lossLog.Add(report.LossPoint{Step: gs, Discrim: float64(r.losses[0]), GenGAN: float64(r.losses[1]), GenL1: float64(r.losses[2]),
				LR: float64(r.lrs[0]), DiscrimLR: float64(r.lrs[1])})
		}
		if should(o.ProgressFreq, step, maxSteps) || o.Bar != nil {
			r.progress(step, maxSteps, gs, spe, t0)
		}
		if should(o.SaveFreq, step, maxSteps) {
			fmt.Fprintln(r.out, "saving model")
			if err := r.save(gs); err != nil {
				return err
			}
		}
	}
	return nil
}

// step runs one training step with whatever the frequencies ask for.
func (r *run) step(b *pipeline.Batch, step, maxSteps, gs int64) error {
	o, m, ex := r.o, r.tr.Model, r.ex
	feeds := map[tf.Output]*tf.Tensor{m.Inputs: b.Inputs, m.Targets: b.Targets}
	var f session.Fetches
	f.Add("losses", m.DiscrimLoss, m.GenLossGAN, m.GenLossL1)
	f.Add("averages", m.DiscrimLossAvg, m.GenLossGANAvg, m.GenLossL1Avg)
	f.Add("lrs", m.GenLR, m.DiscrimLR)
	targets := []*tf.Operation{m.Train}
	summarize := ex.summaries != nil && should(o.SummaryFreq, step, maxSteps)
	if summarize {
		t, err := tf.NewTensor(gs)
		if err != nil {
			return fmt.Errorf("summary step %d: %w", gs, err)
		}
		feeds[ex.step] = t
		targets = append(targets, ex.writeAll, ex.summaries.Flush)
	}
	showing := should(o.DisplayFreq, step, maxSteps)
	if showing {
		f.Add("inputs", ex.display.InputPNGs...)
		f.Add("outputs", ex.display.OutputPNGs...)
		f.Add("targets", ex.display.TargetPNGs...)
	}
	var out []*tf.Tensor
	var err error
	if should(o.TraceFreq, step, maxSteps) {
		fmt.Fprintln(r.out, "recording trace")
		out, err = r.traced(feeds, f.Outputs(), targets, gs)
	} else {
		out, err = r.tr.Sess.Run(feeds, f.Outputs(), targets)
	}
	if err != nil {
		return fmt.Errorf("training step %d: %w", gs, err)
	}
	for i, name := range []string{"discrim_loss", "gen_loss_GAN", "gen_loss_L1"} {
		v := float64(session.Value(f.Get(out, "losses")[i]).(float32))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			last := r.lastSave
			if last == "" {
				last = "none saved by this run"
			}
			return fmt.Errorf("%s became %v at step %d (images %v); stopping without saving. Last good checkpoint: %s. Lower --lr or check the data", name, v, gs, b.Paths, last)
		}
	}
	for i, t := range f.Get(out, "averages") {
		r.losses[i] = session.Value(t).(float32)
	}
	for i, t := range f.Get(out, "lrs") {
		r.lrs[i] = session.Value(t).(float32)
	}
	if summarize {
		fmt.Fprintln(r.out, "recording summary")
	}
	if showing {
		fmt.Fprintln(r.out, "saving display images")
		if err := writeDisplay(o.OutputDir, gs, b.Paths, f.Get(out, "inputs"), f.Get(out, "outputs"), f.Get(out, "targets")); err != nil {
			return err
		}
	}
	return nil
}
