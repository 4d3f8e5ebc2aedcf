package infer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/codec"
	"pix2pix/pkg/options"
	"pix2pix/pkg/session"
)

// DefaultBatchSize is infer's --batch_size on a GPU unless told: one
// run of 4 images at a time, as infer always ran.
const DefaultBatchSize = 4

// On the CPU, infer runs DefaultCPUInFlight generator runs of
// DefaultCPUBatchSize images at once, the cores divided between them
// (intra-op threads: cores / runs): each core then works through its own
// run's ops instead of all waiting at each op's end for the slowest, and
// the small layers and the ops between convolutions no longer leave a
// core idle. Measured on 2 cores of an AMD EPYC with AVX-512 (bench
// model, 192 images, interleaved rounds, medians), against one run of 4
// on both cores: 25.3 -> 27.7 images/s with batches of 1, 28.0 with
// batches of 4 (1050-1075 MiB peak RSS against 850-870 with 1); with
// oneDNN off 22.1 -> 24.0 (1) and 24.5 (4).
const (
	DefaultCPUBatchSize = 1
	DefaultCPUInFlight  = 2
)

// Options of an inference job.
type Options struct {
	// Model is a training output directory (checkpoint and options.json)
	// or a SavedModel written by pix2pix export (the directory itself or
	// one holding it as saved_model/).
	Model string
	// Setup, if set, is the setup of a Model directory without
	// options.json (see trained.OpenCheckpointSetup).
	Setup     string
	Inputs    []string
	OutputDir string
	// BatchSize is the images per generator run; 0 picks
	// DefaultCPUBatchSize on the CPU, DefaultBatchSize on a GPU.
	BatchSize int
	// Keep256 writes 256x256 outputs instead of resizing back to the
	// input's size.
	Keep256 bool
	// Resize is how an image meets the model: ResizeCrop ("" too) scales
	// it to the crop size and back; ResizeNative runs the generator on
	// the image's own size, reflect-padded to a multiple of its stride.
	Resize       string
	SkipExisting bool
	// Dropout at inference, as the original's test mode (on there).
	Dropout bool
	// TestBN is batch norm's statistics (--test-bn; "" is batch).
	TestBN string
	// ExactDeconv keeps TensorFlow's transposed-convolution op instead of
	// the faster, equal-to-rounding sub-pixel form.
	ExactDeconv bool
	Seed        int64
	// PNGCompression is the zlib level of PNG outputs (see
	// codec.PNGDefaultLevel); nil is zlib's default, as the original's.
	PNGCompression *int
	// MaxPixels refuses larger images before decoding them.
	MaxPixels int64
	Workers   int
	Session   session.Options
	// InFlight is how many generator runs (batches) overlap; 0 picks
	// DefaultCPUInFlight on the CPU, 1 on a GPU. On the CPU, a Session
	// without IntraOp gets the cores divided between the runs.
	InFlight int
	// Trace, if set, is where the second generator batch's execution
	// trace goes (Chrome trace format, as train --trace_freq writes), for
	// make bench's per-op breakdown.
	Trace string
	// Out receives a line per failure.
	Out io.Writer
	// Progress, if set, is told after each image is written, skipped or
	// failed (done, total). Calls are serialised.
	Progress func(done, total int)
}

// Failure is an input that could not be processed.
type Failure struct {
	Path string
	Err  error
}

// Summary counts what a job did.
type Summary struct {
	Total, Written, Skipped int
	Failures                []Failure
	Elapsed                 time.Duration
}

// item is one image on its way through the pipeline.
type item struct {
	path      string
	input     *tf.Tensor // [256, 256, c]; padded to multiples of the stride with --resize native
	lightness *tf.Tensor // Lab models
	size      *tf.Tensor // [2] int32
	output    *tf.Tensor // the input's height and width, outCh channels
}

type job struct {
	o     Options
	lab   bool
	outCh int
	// side is the model's image side (256 unless trained with --crop_size).
	side int64
	// native: --resize native, padding to multiples of stride.
	native bool
	stride int64
	// gen runs the generator: inputs -> outputs (+ the dropout step).
	sess           *tf.Session
	inputs, output tf.Output
	step           *tf.Output
	closeModel     func()
	codec          *tf.Session
	dec            codec.Decoder
	enc            codec.Encoder
	mu             sync.Mutex
	summary        Summary
}

// Run processes every input and returns what happened; the error is for
// the job as a whole (a bad model), not for single images.
func Run(ctx context.Context, o Options) (*Summary, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if err := o.fillDefaults(); err != nil {
		return nil, err
	}
	if err := options.CheckBatchSize(o.BatchSize); err != nil {
		return nil, err
	}
	if err := checkResize(o); err != nil {
		return nil, err
	}
	j, err := open(o)
	if err != nil {
		return nil, err
	}
	defer j.closeModel()
	defer j.codec.Close()
	if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
		return nil, fmt.Errorf("output_dir: %w", err)
	}
	start := time.Now()
	j.summary.Total = len(o.Inputs)
	j.pipeline(ctx)
	j.summary.Elapsed = time.Since(start)
	return &j.summary, ctx.Err()
}

// fillDefaults sets what o leaves at zero: the batch size and runs in
// flight for its device, the CPU's cores divided between the runs, a
// decode/encode worker per core.
func (o *Options) fillDefaults() error {
	dev, err := session.ParseDevice(o.Session.Device)
	if err != nil {
		return err
	}
	batch, runs := DefaultBatchSize, 1
	if dev.Type == "CPU" {
		batch, runs = DefaultCPUBatchSize, DefaultCPUInFlight
	}
	if o.BatchSize == 0 {
		o.BatchSize = batch
	}
	if o.InFlight <= 0 {
		o.InFlight = runs
	}
	o.Session = SplitCores(o.Session, o.InFlight)
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	return nil
}

// pngLevel is o's PNGCompression, zlib's default if unset.
func (o Options) pngLevel() int {
	if o.PNGCompression == nil {
		return codec.PNGDefaultLevel
	}
	return *o.PNGCompression
}

// SplitCores gives each of runs concurrent generator runs on the CPU its
// share of the cores as intra-op threads (at least one), unless o sets
// them; on a GPU o is returned as it is.
func SplitCores(o session.Options, runs int) session.Options {
	if dev, err := session.ParseDevice(o.Device); err == nil && dev.Type == "CPU" && o.IntraOp == 0 {
		o.IntraOp = max(1, runtime.NumCPU()/max(1, runs))
	}
	return o
}

func (j *job) fail(path string, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.summary.Failures = append(j.summary.Failures, Failure{path, err})
	fmt.Fprintf(j.o.Out, "skipped %s: %v\n", path, err)
	j.progressLocked()
}

// progressLocked reports progress; j.mu is held.
func (j *job) progressLocked() {
	if j.o.Progress != nil {
		s := j.summary
		j.o.Progress(s.Written+s.Skipped+len(s.Failures), s.Total)
	}
}

func (j *job) outPath(in string) string { return filepath.Join(j.o.OutputDir, outName(in)) }

// pipeline: decode workers (their images put back in input order) -> one
// batching generator loop -> encode workers, connected by bounded
// channels so all three overlap.
func (j *job) pipeline(ctx context.Context) {
	paths := j.feed(ctx)
	decoded := j.decodeInOrder(paths, j.o.Workers, (1+j.o.InFlight)*j.o.BatchSize+j.o.Workers)
	generated := make(chan *item, (1+j.o.InFlight)*j.o.BatchSize)
	go func() {
		defer close(generated)
		j.generate(ctx, decoded, generated)
	}()
	var enc sync.WaitGroup
	for w := 0; w < j.o.Workers; w++ {
		enc.Add(1)
		go func() {
			defer enc.Done()
			for it := range generated {
				j.write(it)
			}
		}()
	}
	enc.Wait()
}

// feed sends the inputs to decode, counting those whose output exists as
// skipped (with --skip-existing), until ctx ends.
func (j *job) feed(ctx context.Context) <-chan string {
	paths := make(chan string)
	go func() {
		defer close(paths)
		for _, p := range j.o.Inputs {
			if j.o.SkipExisting {
				if _, err := os.Stat(j.outPath(p)); err == nil {
					j.mu.Lock()
					j.summary.Skipped++
					j.progressLocked()
					j.mu.Unlock()
					continue
				}
			}
			select {
			case paths <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	return paths
}

// write encodes and writes one output and counts it.
func (j *job) write(it *item) {
	if err := j.encode(it); err != nil {
		j.fail(it.path, err)
		return
	}
	j.mu.Lock()
	j.summary.Written++
	j.progressLocked()
	j.mu.Unlock()
}
