package train

import (
	"fmt"
	"io"
	"time"

	"pix2pix/graphs/display"
	"pix2pix/graphs/input"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/cluster"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/health"
	"pix2pix/pkg/options"
	"pix2pix/pkg/session"
)

// Options are a training run's settings, under the original's names.
type Options struct {
	InputDir, OutputDir string
	// Checkpoint, if set, is a directory whose latest checkpoint the run
	// resumes from (weights, Adam, averages, global_step).
	Checkpoint string

	MaxSteps, MaxEpochs int64
	SummaryFreq         int64
	ProgressFreq        int64
	TraceFreq           int64
	DisplayFreq         int64
	SaveFreq            int64
	// MaxToKeep checkpoints are kept (the original keeps 1).
	MaxToKeep int

	Model     pix2pix.Config
	Input     input.Config
	BatchSize int
	// Devices are full TensorFlow device names (session.ParseDeviceList),
	// one tower each, each training on its own BatchSize images: the
	// global batch is BatchSize*len(Devices). Empty: one tower and the
	// original's graph, without device strings.
	Devices []string
	// VariableDevice is where the variables live with several Devices
	// ("": the first tower's; see pix2pix.Placement). A cluster run
	// fills both from the cluster when unset: a tower on every task, the
	// variables on the chief's.
	VariableDevice string
	Flip           bool
	// Check is applied to every image's header.
	Check dataset.CheckOptions
	// Workers for the input pipeline (0: the cores).
	Workers int

	Session session.Options

	// Cluster, if set, makes this run the chief (task 0) of a TensorFlow
	// cluster; ClusterTimeout bounds the wait for its workers at start.
	Cluster        *cluster.Config
	ClusterTimeout time.Duration

	// Record is written to output_dir/options.json once the inputs and
	// the graph are known to be good.
	Record map[string]interface{}

	// StepTimes, if set, is a file that gets one JSON line per step
	// ({"step", "start", "end"}, Unix seconds): wall time around the
	// session run and the wait for its batch, for benchmarks.
	StepTimes string

	// Health says when the detector warns; StopOnCollapse stops the run
	// with a checkpoint when it sees the discriminator win.
	Health         health.Thresholds
	StopOnCollapse bool

	// Out receives progress and notices ("saving model").
	Out io.Writer
	// Bar, if set, is told each step's progress (a terminal progress bar).
	Bar ProgressBar
}

// ProgressBar is what the loop reports to a terminal progress bar.
type ProgressBar interface {
	Start(total int64)
	Set(done int64, desc string)
	Finish()
}

// maxSteps is the original's rule: max_steps if given, else max_epochs
// times the steps per epoch, else 2^32.
func (o Options) maxSteps(stepsPerEpoch int) int64 {
	switch {
	case o.MaxSteps > 0:
		return o.MaxSteps
	case o.MaxEpochs > 0:
		return o.MaxEpochs * int64(stepsPerEpoch)
	}
	return 1 << 32
}

// logdir is where summaries and traces go: the output directory, or ""
// for none when neither is asked for.
func (o Options) logdir() string {
	if o.SummaryFreq > 0 || o.TraceFreq > 0 {
		return o.OutputDir
	}
	return ""
}

func (o Options) displayConfig() display.Config {
	return display.Config{LabColorization: o.Input.LabColorization, WhichDirection: o.Input.WhichDirection, AspectRatio: 1, Batch: o.GlobalBatch()}
}

// Placement is where the towers and variables go.
func (o Options) Placement() pix2pix.Placement {
	return pix2pix.Placement{Devices: o.Devices, VariableDevice: o.VariableDevice}
}

// GlobalBatch is the images one step trains on: BatchSize per tower.
func (o Options) GlobalBatch() int { return o.BatchSize * o.Placement().Towers() }

// should is the original's event rule: freq > 0 and (step+1) % freq == 0,
// or the last step.
func should(freq, step, maxSteps int64) bool {
	return freq > 0 && ((step+1)%freq == 0 || step == maxSteps-1)
}

// Validate checks the options that need no files, so that a command can
// refuse bad values as usage errors before anything is created.
func (o Options) Validate() error { return o.validate() }

func (o Options) validate() error {
	if o.OutputDir == "" {
		return fmt.Errorf("--output_dir is required")
	}
	if err := options.CheckBatchSize(o.BatchSize); err != nil {
		return err
	}
	for name, f := range map[string]int64{"summary_freq": o.SummaryFreq, "progress_freq": o.ProgressFreq,
		"trace_freq": o.TraceFreq, "display_freq": o.DisplayFreq, "save_freq": o.SaveFreq, "max_steps": o.MaxSteps, "max_epochs": o.MaxEpochs} {
		if f < 0 {
			return fmt.Errorf("--%s must be >= 0 (got %d)", name, f)
		}
	}
	if o.MaxToKeep < 1 {
		return fmt.Errorf("--max-to-keep must be >= 1 (got %d)", o.MaxToKeep)
	}
	if o.VariableDevice != "" && len(o.Devices) == 0 {
		return fmt.Errorf("--variable-device %s needs --devices (the towers' devices)", o.VariableDevice)
	}
	if err := o.Placement().Check(o.Model); err != nil {
		return err
	}
	if err := o.Health.Validate(); err != nil {
		return err
	}
	if err := o.checkCluster(); err != nil {
		return err
	}
	return o.Input.Validate()
}
