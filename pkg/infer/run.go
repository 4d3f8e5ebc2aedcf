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

// DefaultBatchSize is infer's --batch_size unless told: on two cores,
// the generator alone ran faster per image in batches of 4 than of 2 or 8
// (26.3, 21.9 and 24.1 images/s on the bench's ngf-64 model, in separate
// runs of a Go harness).
const DefaultBatchSize = 4

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
	// MaxPixels refuses larger images before decoding them.
	MaxPixels int64
	Workers   int
	Session   session.Options
	// InFlight is how many generator runs (batches) overlap; 0 picks
	// DefaultInFlight. Two can keep both cores busy through the parts of
	// a run that use one (small layers, the ops between convolutions).
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

// DefaultInFlight is one generator run at a time. Measured end to end
// (2 cores of an AMD EPYC with AVX-512, interleaved runs under load from
// other jobs), two overlapping runs gave 0 to 9% more images/s once
// started with oneDNN's kernels, but a later first output (the bench's
// start-up figure grew by about 0.3 s), and 3 to 10% fewer images/s with
// TensorFlow's standard kernels; on the quiet machine the two were within
// 3% either way: not a clear gain, so it is opt-in.
const DefaultInFlight = 1

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
	if err := options.CheckBatchSize(o.BatchSize); err != nil {
		return nil, err
	}
	if err := checkResize(o); err != nil {
		return nil, err
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.InFlight <= 0 {
		o.InFlight = DefaultInFlight
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
