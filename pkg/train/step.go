package train

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/pipeline"
	"pix2pix/pkg/session"
)

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
	checking := r.wantHealth(step, maxSteps)
	if checking {
		f.Add("health", ex.health.Outputs()...)
	}
	showing := should(o.DisplayFreq, step, maxSteps)
	if showing {
		f.Add("inputs", ex.display.InputPNGs...)
		f.Add("outputs", ex.display.OutputPNGs...)
		f.Add("targets", ex.display.TargetPNGs...)
	}
	out, err := r.runStep(feeds, &f, targets, step, maxSteps, gs)
	if err != nil {
		return err
	}
	if err := r.checkFinite(f.Get(out, "losses"), gs, b.Paths); err != nil {
		return err
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
	if checking {
		if err := r.observe(f.Get(out, "health"), step, maxSteps, gs); err != nil {
			return err
		}
	}
	if showing {
		fmt.Fprintln(r.out, "saving display images")
		if err := writeDisplay(o.OutputDir, gs, b.Paths, f.Get(out, "inputs"), f.Get(out, "outputs"), f.Get(out, "targets")); err != nil {
			return err
		}
	}
	return nil
}

// runStep runs the step, traced when --trace_freq asks.
func (r *run) runStep(feeds map[tf.Output]*tf.Tensor, f *session.Fetches, targets []*tf.Operation, step, maxSteps, gs int64) ([]*tf.Tensor, error) {
	var out []*tf.Tensor
	var err error
	if should(r.o.TraceFreq, step, maxSteps) {
		fmt.Fprintln(r.out, "recording trace")
		out, err = r.traced(feeds, f.Outputs(), targets, gs)
	} else {
		out, err = r.tr.Sess.Run(feeds, f.Outputs(), targets)
	}
	if err != nil {
		return nil, r.stepFailed(err, gs)
	}
	return out, nil
}
