package train

import (
	"context"
	"io"
	"time"

	"pix2pix/pkg/pipeline"
)

// hooks are what a setup's training run does in the loop that drive runs
// for both setups.
type hooks struct {
	// step takes global step gs on batch b; began is when its batch was
	// asked for (so waiting for input counts in the step's time).
	step        func(step, gs int64, b *pipeline.Batch, began time.Time) error
	progress    func(step, gs int64, t0 time.Time)
	save        func(gs int64) error
	interrupted func(gs int64) error
}

// drive runs maxSteps steps from global step start on the pipeline's
// stream: a signal between steps saves and stops (hooks.interrupted), and
// progress and checkpoints follow their frequencies.
func drive(ctx context.Context, o Options, out io.Writer, pipe *pipeline.Pipeline, start, maxSteps int64, h hooks) error {
	streamCtx, stop := context.WithCancel(context.Background())
	defer stop()
	batches := pipe.Stream(streamCtx, start, start+maxSteps)
	if o.Bar != nil {
		o.Bar.Start(maxSteps)
		defer o.Bar.Finish()
	}
	t0 := time.Now()
	for step := int64(0); step < maxSteps; step++ {
		if ctx.Err() != nil {
			return h.interrupted(start + step)
		}
		began := time.Now()
		var b pipeline.Result
		select {
		case b = <-batches:
		case <-ctx.Done():
			return h.interrupted(start + step)
		}
		if b.Err != nil {
			return b.Err
		}
		gs := start + step + 1 // global_step after this step
		if err := h.step(step, gs, b.Batch, began); err != nil {
			return err
		}
		progress := func() { h.progress(step, gs, t0) }
		if err := afterStep(o, out, step, maxSteps, gs, progress, h.save); err != nil {
			return err
		}
	}
	return nil
}
