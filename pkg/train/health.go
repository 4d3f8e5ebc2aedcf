package train

import (
	"errors"
	"fmt"
	"math"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/health"
	"pix2pix/pkg/session"
)

// ErrNaN is returned when a loss became NaN or infinite; ErrCollapsed
// when --stop-on-collapse saw the discriminator win (after saving).
var (
	ErrNaN       = errors.New("non-finite loss")
	ErrCollapsed = errors.New("the discriminator has won")
)

// checkEvery is how often the detector looks: every summary, or every
// lossEvery steps when summaries are off.
func (r *run) checkEvery() int64 {
	if r.o.SummaryFreq > 0 {
		return r.o.SummaryFreq
	}
	return lossEvery
}

// wantHealth says whether this step fetches the health signals: for
// losses.csv or for the detector.
func (r *run) wantHealth(step, maxSteps int64) bool {
	return should(lossEvery, step, maxSteps) || should(r.checkEvery(), step, maxSteps)
}

// observe keeps the step's health signals for losses.csv and, on a check
// step, shows them to the detector: each warning is printed once, and a
// collapse stops the run with a checkpoint under --stop-on-collapse.
func (r *run) observe(vals []*tf.Tensor, step, maxSteps, gs int64) error {
	for i, t := range vals {
		r.signals[i] = float64(session.Value(t).(float32))
	}
	if !should(r.checkEvery(), step, maxSteps) {
		return nil
	}
	p := health.Point{Step: gs, DiscrimLossAvg: float64(r.losses[0]), DFake: r.signals[1],
		GenGradNorm: r.signals[2], DiscrimGradNorm: r.signals[3]}
	for _, w := range r.detector.Observe(p) {
		fmt.Fprintln(r.out, w)
		if w.Kind == health.Collapse && r.o.StopOnCollapse {
			fmt.Fprintln(r.out, "--stop-on-collapse: saving model")
			if err := r.save(gs); err != nil {
				return fmt.Errorf("%w at step %d; saving failed: %v", ErrCollapsed, gs, err)
			}
			return fmt.Errorf("%w at step %d (%s); saved %s; %s", ErrCollapsed, gs, w.Saw, r.lastSave, health.Remedies)
		}
	}
	return nil
}

// checkFinite stops the run at the first NaN or infinite loss, naming
// the batch, the last good checkpoint and the remedies.
func (r *run) checkFinite(losses []*tf.Tensor, gs int64, paths []string) error {
	for i, name := range []string{"discrim_loss", "gen_loss_GAN", "gen_loss_L1"} {
		v := float64(session.Value(losses[i]).(float32))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			last := r.lastSave
			if last == "" {
				last = "none saved by this run"
			}
			return fmt.Errorf("%w: %s became %v at step %d (images %v); stopping without saving. Last good checkpoint: %s. Check the data; %s",
				ErrNaN, name, v, gs, paths, last, health.Remedies)
		}
	}
	return nil
}

// stepFailed words a failed step's error. TensorFlow's histogram summary
// refuses NaN values and fails the whole step (the original fails so
// too): that is the NaN stop, reached through the summaries.
func (r *run) stepFailed(err error, gs int64) error {
	msg := session.FirstLine(err)
	if !strings.Contains(msg, "Nan in summary histogram") {
		return fmt.Errorf("training step %d: %w", gs, err)
	}
	last := r.lastSave
	if last == "" {
		last = "none saved by this run"
	}
	return fmt.Errorf("%w at step %d (%s); stopping without saving. Last good checkpoint: %s. Check the data; %s",
		ErrNaN, gs, msg, last, health.Remedies)
}
