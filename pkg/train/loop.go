package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/health"
	"pix2pix/pkg/options"
	"pix2pix/pkg/pipeline"
	"pix2pix/pkg/report"
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
	// signals are the health signals of the last step that fetched them
	// (in pix2pix.HealthTags order); detector watches them.
	signals  [5]float64
	detector *health.Detector
}

// lossEvery is how often the averaged losses go to losses.csv.
const lossEvery = 10

// Run trains until max steps or until ctx ends (then it saves a
// checkpoint and returns an error wrapping ErrInterrupted).
func Run(ctx context.Context, o Options) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Health == (health.Thresholds{}) {
		o.Health = health.DefaultThresholds()
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
	if o.Model.Setup == pix2pix.SetupYenchenlin {
		if o.Cluster != nil || len(o.Devices) > 0 {
			return fmt.Errorf("the yenchenlin setup trains in one process: drop --cluster")
		}
		return runYenchenlin(ctx, o, paths, keeper)
	}
	return runAffinelayer(ctx, o, paths, keeper)
}

// runAffinelayer is the original's training run: the graph with its
// summaries and display images, the outputs, then the loop.
func runAffinelayer(ctx context.Context, o Options, paths []string, keeper *checkpoint.Keeper) error {
	if o.Cluster != nil {
		if err := startChief(ctx, &o); err != nil {
			return err
		}
	}
	logdir := o.logdir()
	tr, ex, err := newTrainer(o.Model, o.Placement(), o.displayConfig(), o.GlobalBatch(), logdir, o.Session)
	if err != nil {
		return err
	}
	defer tr.Close()
	g, sess := tr.Graph, tr.Sess
	r := &run{o: o, tr: tr, ex: ex, out: o.Out, keeper: keeper, detector: &health.Detector{T: o.Health}}
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
		if err := r.openSummaries(logdir); err != nil {
			return err
		}
		defer sess.Run(nil, nil, []*tf.Operation{ex.summaries.Close})
	}
	pipe, err := pipeline.New(pipeline.Options{Paths: paths, Input: o.Input, Batch: o.GlobalBatch(), Shuffle: true,
		Flip: o.Flip, Seed: o.Model.Seed, Workers: o.Workers})
	if err != nil {
		return err
	}
	defer pipe.Close()
	r.pipe = pipe
	return r.loop(ctx)
}

// openSummaries creates the event file in logdir and writes the graph and
// the meta graph into it, as the original's Supervisor does at each start.
func (r *run) openSummaries(logdir string) error {
	sess := r.tr.Sess
	if _, err := sess.Run(nil, nil, []*tf.Operation{r.ex.summaries.Init}); err != nil {
		return fmt.Errorf("summary writer in %s: %w", logdir, err)
	}
	if err := writeGraphEvents(sess, r.tr.Graph, r.meta, r.ex); err != nil {
		return fmt.Errorf("graph into the event file in %s: %w", logdir, err)
	}
	return nil
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
	return drive(ctx, o, r.out, r.pipe, start, maxSteps, hooks{
		step: func(step, gs int64, b *pipeline.Batch, began time.Time) error {
			if err := r.step(b, step, maxSteps, gs); err != nil {
				return r.workerLost(err, gs)
			}
			if err := r.steps.add(step+1, began, time.Now()); err != nil {
				return err
			}
			if should(lossEvery, step, maxSteps) {
				h := r.signals
				r.lossLog.Add(report.LossPoint{Step: gs, Discrim: float64(r.losses[0]), GenGAN: float64(r.losses[1]), GenL1: float64(r.losses[2]),
					DReal: h[0], DFake: h[1], GenGradNorm: h[2], DiscrimGradNorm: h[3], LR: float64(r.lrs[0]), DiscrimLR: float64(r.lrs[1])})
			}
			return nil
		},
		progress:    func(step, gs int64, t0 time.Time) { r.progress(step, maxSteps, gs, spe, t0) },
		save:        r.save,
		interrupted: r.interrupted,
	})
}
