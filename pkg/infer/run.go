package infer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // header checks
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/codec"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// Options of an inference job.
type Options struct {
	// Model is a training output directory (checkpoint and options.json)
	// or a SavedModel written by pix2pix export (the directory itself or
	// one holding it as saved_model/).
	Model     string
	Inputs    []string
	OutputDir string
	BatchSize int
	// Keep256 writes 256x256 outputs instead of resizing back to the
	// input's size.
	Keep256      bool
	SkipExisting bool
	// Dropout at inference, as the original's test mode (on there).
	Dropout bool
	// ExactDeconv keeps TensorFlow's transposed-convolution op instead of
	// the faster, equal-to-rounding sub-pixel form.
	ExactDeconv bool
	Seed        int64
	// MaxPixels refuses larger images before decoding them.
	MaxPixels int64
	Workers   int
	Session   session.Options
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
	input     *tf.Tensor // [256, 256, c]
	lightness *tf.Tensor // Lab models
	size      *tf.Tensor // [2] int32
	output    *tf.Tensor // [256, 256, c]
}

type job struct {
	o     Options
	lab   bool
	outCh int
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
	if o.BatchSize < 1 {
		return nil, fmt.Errorf("--batch_size must be >= 1 (got %d)", o.BatchSize)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
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

// pipeline: decode workers -> one batching generator loop -> encode
// workers, connected by bounded channels so all three overlap.
func (j *job) pipeline(ctx context.Context) {
	paths := make(chan string)
	decoded := make(chan *item, 2*j.o.BatchSize)
	generated := make(chan *item, 2*j.o.BatchSize)
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
	var dec sync.WaitGroup
	for w := 0; w < j.o.Workers; w++ {
		dec.Add(1)
		go func() {
			defer dec.Done()
			for p := range paths {
				it, err := j.decode(p)
				if err != nil {
					j.fail(p, err)
					continue
				}
				decoded <- it
			}
		}()
	}
	go func() { dec.Wait(); close(decoded) }()
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
				if err := j.encode(it); err != nil {
					j.fail(it.path, err)
					continue
				}
				j.mu.Lock()
				j.summary.Written++
				j.progressLocked()
				j.mu.Unlock()
			}
		}()
	}
	enc.Wait()
}

// decode checks the file's header (refusing huge images before decoding
// them) and decodes it into the generator's input.
func (j *job) decode(path string) (*item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errors.New("empty file (0 bytes)")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a readable PNG or JPEG (%v)", err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); j.o.MaxPixels > 0 && px > j.o.MaxPixels {
		return nil, fmt.Errorf("%dx%d is over the limit of %d pixels (--max-pixels)", cfg.Width, cfg.Height, j.o.MaxPixels)
	}
	contents, err := tf.NewTensor(string(data))
	if err != nil {
		return nil, err
	}
	fetch := []tf.Output{j.dec.Input, j.dec.Size}
	if j.lab {
		fetch = append(fetch, j.dec.Lightness)
	}
	out, err := j.codec.Run(map[tf.Output]*tf.Tensor{j.dec.Contents: contents}, fetch, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot be decoded: %s", session.FirstLine(err))
	}
	it := &item{path: path, input: out[0], size: out[1]}
	if j.lab {
		it.lightness = out[2]
	}
	return it, nil
}

// generate batches decoded images and runs the generator on each batch.
func (j *job) generate(ctx context.Context, in <-chan *item, out chan<- *item) {
	var batch []*item
	var step int64
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := j.runBatch(batch, step); err != nil {
			for _, it := range batch {
				j.fail(it.path, err)
			}
		} else {
			for _, it := range batch {
				out <- it
			}
		}
		step++
		batch = batch[:0]
	}
	for it := range in {
		if ctx.Err() != nil {
			continue // drain: the decoders stop once paths closes
		}
		batch = append(batch, it)
		if len(batch) == j.o.BatchSize {
			flush()
		}
	}
	if ctx.Err() == nil {
		flush()
	}
}

func (j *job) runBatch(batch []*item, step int64) error {
	var buf bytes.Buffer
	for _, it := range batch {
		if err := session.WriteContents(it.input, &buf); err != nil {
			return err
		}
		it.input = nil
	}
	inCh := int64(3)
	if j.lab {
		inCh = 1
	}
	x, err := tf.ReadTensor(tf.Float, []int64{int64(len(batch)), pix2pix.CropSize, pix2pix.CropSize, inCh}, &buf)
	if err != nil {
		return err
	}
	feeds := map[tf.Output]*tf.Tensor{j.inputs: x}
	if j.step != nil {
		st, err := tf.NewTensor(step)
		if err != nil {
			return fmt.Errorf("dropout step: %w", err)
		}
		feeds[*j.step] = st
	}
	out, err := j.sess.Run(feeds, []tf.Output{j.output}, nil)
	if err != nil {
		return fmt.Errorf("generator: %s", session.FirstLine(err))
	}
	var all bytes.Buffer
	if err := session.WriteContents(out[0], &all); err != nil {
		return err
	}
	per := pix2pix.CropSize * pix2pix.CropSize * j.outCh * 4
	for i, it := range batch {
		t, err := tf.ReadTensor(tf.Float, []int64{pix2pix.CropSize, pix2pix.CropSize, int64(j.outCh)}, bytes.NewReader(all.Bytes()[i*per:(i+1)*per]))
		if err != nil {
			return err
		}
		it.output = t
	}
	return nil
}

// encode resizes one output back, encodes it in the input's format and
// writes it under the input's name, atomically.
func (j *job) encode(it *item) error {
	size := it.size
	if j.o.Keep256 {
		var err error
		if size, err = tf.NewTensor([]int32{pix2pix.CropSize, pix2pix.CropSize}); err != nil {
			return fmt.Errorf("output size: %w", err)
		}
	}
	feeds := map[tf.Output]*tf.Tensor{j.enc.Output: it.output, j.enc.Size: size}
	if j.lab {
		feeds[j.enc.Lightness] = it.lightness
	}
	fetch := j.enc.PNG
	if ext := strings.ToLower(filepath.Ext(it.path)); ext == ".jpg" || ext == ".jpeg" {
		fetch = j.enc.JPEG
	}
	out, err := j.codec.Run(feeds, []tf.Output{fetch}, nil)
	if err != nil {
		return fmt.Errorf("encode: %s", session.FirstLine(err))
	}
	return session.WriteEncoded(j.outPath(it.path), out[0])
}
