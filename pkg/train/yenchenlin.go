package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/options"
	"pix2pix/pkg/pipeline"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// yenRun is a training run of the yenchenlin setup: that program's loop
// (one D update, two G updates, three loss evaluations, each a session
// run of its own) on pix2pix's input pipeline, checkpoints and progress.
type yenRun struct {
	o        Options
	y        *trained.Yenchenlin
	pipe     *pipeline.Pipeline
	keeper   *checkpoint.Keeper
	out      io.Writer
	lastSave string
	restored string
	// dLoss and gLoss are what the program prints: d_loss_fake +
	// d_loss_real and g_loss, evaluated after the updates.
	dLoss, gLoss float32
}

// runYenchenlin trains the yenchenlin setup on paths (Run has checked
// them and opened keeper).
func runYenchenlin(ctx context.Context, o Options, paths []string, keeper *checkpoint.Keeper) error {
	y, err := trained.NewYenchenlin(yenchenlin.FromConfig(o.Model), int64(o.BatchSize), o.Session)
	if err != nil {
		return err
	}
	defer y.Close()
	r := &yenRun{o: o, y: y, keeper: keeper, out: o.Out}
	if err := r.initVariables(); err != nil {
		return err
	}
	if o.SummaryFreq > 0 || o.DisplayFreq > 0 || o.TraceFreq > 0 || o.StepTimes != "" {
		fmt.Fprintln(r.out, "setup yenchenlin: summaries, display images, traces, step times and the health detector are not built for this setup; training goes on without them")
	}
	if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
		return fmt.Errorf("output_dir: %w", err)
	}
	if o.Record != nil {
		if err := options.Write(o.OutputDir, o.Record); err != nil {
			return err
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

// stepSuffix is the counter the program appends to its checkpoints
// (pix2pix.model-<counter>).
var stepSuffix = regexp.MustCompile(`-(\d+)$`)

// initVariables initialises every variable, or restores o.Checkpoint's
// latest checkpoint: all of a pix2pix one; of the program's own (weights
// and batch-norm statistics only) Adam starts afresh and global_step
// takes the counter in its name, and one line says so.
func (r *yenRun) initVariables() error {
	if r.o.Checkpoint == "" {
		return r.y.Init()
	}
	prefix, err := checkpoint.Latest(r.o.Checkpoint)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "loading model from checkpoint %s\n", prefix)
	fresh, err := r.y.RestoreAny(prefix)
	if err != nil {
		return err
	}
	r.restored = prefix
	if !fresh {
		return nil
	}
	var step int64
	if m := stepSuffix.FindStringSubmatch(prefix); m != nil {
		step, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if err := r.y.SetStep(step); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "%s holds no Adam state (a yenchenlin/pix2pix-tensorflow checkpoint: %d weights and batch-norm statistics): Adam starts afresh, global_step %d\n",
		filepath.Base(prefix), len(r.y.Weights.Saver.Vars), step)
	return nil
}

func (r *yenRun) loop(ctx context.Context) error {
	o := r.o
	start, err := r.y.GlobalStep()
	if err != nil {
		return err
	}
	spe := r.pipe.StepsPerEpoch()
	maxSteps := o.maxSteps(spe)
	return drive(ctx, o, r.out, r.pipe, start, maxSteps, hooks{
		step:        func(_, gs int64, b *pipeline.Batch, _ time.Time) error { return r.iteration(b, gs) },
		progress:    func(step, gs int64, t0 time.Time) { r.progress(step, maxSteps, gs, spe, t0) },
		save:        r.save,
		interrupted: r.interrupted,
	})
}

// iteration is the program's loop body for global step gs: d_optim, then
// g_optim twice, then d_loss_fake, d_loss_real and g_loss evaluated in
// runs of their own, as it prints them (they move the unread moving
// averages too, and are kept so that a checkpoint's statistics follow
// the program's). The pipeline's inputs are real_A (the generator's
// input: the right half of an A|B file under the setup's default BtoA),
// its targets real_B. Each run draws its own dropout masks.
func (r *yenRun) iteration(b *pipeline.Batch, gs int64) error {
	m := r.y.Model
	feeds := func(run int64) (map[tf.Output]*tf.Tensor, error) {
		k, err := tf.NewTensor(gs*8 + run)
		return map[tf.Output]*tf.Tensor{m.RealA: b.Inputs, m.RealB: b.Targets, m.Key: k}, err
	}
	updates := [][]*tf.Operation{{m.DOptim}, {m.GOptim}, {m.GOptim, r.y.IncrGlobalStep}}
	losses := make([]float32, 3)
	for i := range 6 {
		f, err := feeds(int64(i))
		if err != nil {
			return err
		}
		if i < 3 {
			_, err = r.y.Sess.Run(f, nil, updates[i])
		} else {
			var out []*tf.Tensor
			out, err = r.y.Sess.Run(f, []tf.Output{[]tf.Output{m.DLossFake, m.DLossReal, m.GLoss}[i-3]}, nil)
			if err == nil {
				losses[i-3] = session.Value(out[0]).(float32)
			}
		}
		if err != nil {
			return fmt.Errorf("step %d (run %d of 6): %s", gs, i+1, session.FirstLine(err))
		}
	}
	r.dLoss, r.gLoss = losses[0]+losses[1], losses[2]
	for _, v := range []float32{r.dLoss, r.gLoss} {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w at step %d: d_loss %g, g_loss %g (batch %v); the last checkpoint is %s", ErrNaN, gs, r.dLoss, r.gLoss, b.Paths, r.lastSave)
		}
	}
	return nil
}

// progress prints the progress block with the program's two losses.
func (r *yenRun) progress(step, maxSteps, gs int64, spe int, t0 time.Time) {
	epoch := int64(math.Ceil(float64(gs) / float64(spe)))
	inEpoch := (gs-1)%int64(spe) + 1
	rate := float64(step+1) * float64(r.o.BatchSize) / time.Since(t0).Seconds()
	remaining := float64(maxSteps-step) * float64(r.o.BatchSize) / rate
	if r.o.Bar != nil {
		r.o.Bar.Set(step+1, fmt.Sprintf("epoch %d step %d  %.1f img/s  d_loss %.3f  g_loss %.3f", epoch, inEpoch, rate, r.dLoss, r.gLoss))
		if !should(r.o.ProgressFreq, step, maxSteps) {
			return
		}
	}
	fmt.Fprintf(r.out, "progress  epoch %d  step %d  image/sec %0.1f  remaining %dm\n", epoch, inEpoch, rate, int64(remaining/60))
	fmt.Fprintln(r.out, "d_loss", r.dLoss)
	fmt.Fprintln(r.out, "g_loss", r.gLoss)
}

// save writes model-<gs> atomically through the Keeper: every variable
// (the program's 110, Adam's, global_step), which that program's Saver
// restores by name, ignoring the rest.
func (r *yenRun) save(gs int64) error {
	prefix, err := r.keeper.Save(r.y, gs, nil)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	r.lastSave = prefix
	return nil
}

// interrupted saves where the run stands (see saveOnInterrupt).
func (r *yenRun) interrupted(gs int64) error {
	return saveOnInterrupt(r.out, r.o.OutputDir, gs, r.restored, func() string { return r.lastSave }, r.save)
}
