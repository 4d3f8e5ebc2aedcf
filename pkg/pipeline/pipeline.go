// Package pipeline feeds the model: it runs the input graph
// (graphs/input) on a pool of goroutines, a few batches ahead of the
// training step, so that reading, decoding and augmentation overlap with
// the step. Memory is bounded by the prefetch depth, whatever the number
// of images.
package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/input"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/options"
	"pix2pix/pkg/session"
)

// Options configure a pipeline.
type Options struct {
	Paths []string
	Input input.Config
	Batch int
	// Shuffle draws a new order every epoch (training); otherwise the
	// listed order (test).
	Shuffle bool
	// Flip enables the random left-right flip.
	Flip bool
	// Seed drives the shuffles and transforms (see dataset.Order).
	Seed int64
	// Workers preprocess examples in parallel (default: the cores).
	Workers int
	// Prefetch is how many batches may wait ready (default 2 per worker).
	Prefetch int
}

// Batch is one batch of examples.
type Batch struct {
	Step            int64 // the global step it is for
	Paths           []string
	Inputs, Targets *tf.Tensor // [batch, 256, 256, channels]
}

// Pipeline runs the input graph.
type Pipeline struct {
	opts    Options
	sess    *tf.Session
	dec     input.Decoder
	tr      input.Transform
	in, out int // channels
}

// New builds the input graph and its session.
func New(o Options) (*Pipeline, error) {
	if len(o.Paths) == 0 {
		return nil, fmt.Errorf("no images")
	}
	if err := options.CheckBatchSize(o.Batch); err != nil {
		return nil, err
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Prefetch <= 0 {
		o.Prefetch = 2 * o.Workers
	}
	o.Input.PNG = strings.EqualFold(filepath.Ext(o.Paths[0]), ".png")
	s := op.NewScope()
	p := &Pipeline{opts: o, dec: input.BuildDecoder(s, o.Input.PNG)}
	tr, err := input.BuildTransform(s, o.Input)
	if err != nil {
		return nil, err
	}
	p.tr = tr
	p.in, p.out = o.Input.Channels()
	g, err := s.Finalize()
	if err != nil {
		return nil, fmt.Errorf("build input graph: %w", err)
	}
	// One intra-op thread per run: parallelism comes from the workers,
	// and the training session keeps the cores it is given.
	sess, err := session.New(g, session.Options{IntraOp: 1, InterOp: 1})
	if err != nil {
		return nil, err
	}
	p.sess = sess.Session
	return p, nil
}

// Close releases the session.
func (p *Pipeline) Close() error { return p.sess.Close() }

// StepsPerEpoch is ceil(images / batch).
func (p *Pipeline) StepsPerEpoch() int { return dataset.StepsPerEpoch(len(p.opts.Paths), p.opts.Batch) }

// Example loads one image: decodes it, checks it has 3 channels, and
// applies transform t. It returns inputs and targets [256, 256, channels].
// Headers are checked once, before a run (dataset.CheckHeaders), not here
// in every step.
func (p *Pipeline) Example(path string, t dataset.Transform) (*tf.Tensor, *tf.Tensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s: %w", path, err)
	}
	contents, err := tf.NewTensor(string(data))
	if err != nil {
		return nil, nil, err
	}
	img, err := p.sess.Run(map[tf.Output]*tf.Tensor{p.dec.Contents: contents}, []tf.Output{p.dec.Image}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s cannot be decoded: %v", path, session.FirstLine(err))
	}
	sh := img[0].Shape()
	if len(sh) != 3 || sh[2] != 3 {
		return nil, nil, fmt.Errorf("image %s has %s, want 3 (RGB)", path, dataset.ChannelWord(sh[len(sh)-1]))
	}
	flip, err := tf.NewTensor(t.Flip)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s: flip: %w", path, err)
	}
	off, err := tf.NewTensor([]int32{int32(t.OffsetY), int32(t.OffsetX)})
	if err != nil {
		return nil, nil, fmt.Errorf("image %s: crop offset: %w", path, err)
	}
	out, err := p.sess.Run(map[tf.Output]*tf.Tensor{p.tr.Image: img[0], p.tr.Flip: flip, p.tr.Offset: off},
		[]tf.Output{p.tr.Inputs, p.tr.Targets}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s: %v", path, session.FirstLine(err))
	}
	return out[0], out[1], nil
}

// examplesAt returns the paths and transforms of the batch for step: the
// examples step*batch .. step*batch+batch-1 of the endless sequence of
// epochs, each epoch in its own order, as the original's queue delivers
// them across epoch boundaries.
func (p *Pipeline) examplesAt(step int64) ([]string, []dataset.Transform) {
	n := int64(len(p.opts.Paths))
	paths := make([]string, p.opts.Batch)
	trs := make([]dataset.Transform, p.opts.Batch)
	var order []int
	orderEpoch := int64(-1)
	for i := range paths {
		k := step*int64(p.opts.Batch) + int64(i)
		epoch, pos := k/n, int(k%n)
		if epoch != orderEpoch {
			order = dataset.Order(int(n), p.opts.Seed, epoch, p.opts.Shuffle)
			orderEpoch = epoch
		}
		paths[i] = p.opts.Paths[order[pos]]
		trs[i] = dataset.RandomTransform(p.opts.Seed, epoch, pos, p.opts.Flip, p.opts.Input.ScaleSize, p.opts.Input.Crop())
	}
	return paths, trs
}

// Load builds the batch for step.
func (p *Pipeline) Load(step int64) (*Batch, error) {
	paths, trs := p.examplesAt(step)
	var ins, tgs bytes.Buffer
	for i, path := range paths {
		in, tg, err := p.Example(path, trs[i])
		if err != nil {
			return nil, err
		}
		if err := session.WriteContents(in, &ins); err != nil {
			return nil, err
		}
		if err := session.WriteContents(tg, &tgs); err != nil {
			return nil, err
		}
	}
	b := int64(len(paths))
	in, err := tf.ReadTensor(tf.Float, []int64{b, int64(p.opts.Input.Crop()), int64(p.opts.Input.Crop()), int64(p.in)}, &ins)
	if err != nil {
		return nil, err
	}
	tg, err := tf.ReadTensor(tf.Float, []int64{b, int64(p.opts.Input.Crop()), int64(p.opts.Input.Crop()), int64(p.out)}, &tgs)
	if err != nil {
		return nil, err
	}
	return &Batch{Step: step, Paths: paths, Inputs: in, Targets: tg}, nil
}

// Result is a batch or the error that stopped the stream.
type Result struct {
	*Batch
	Err error
}

// Stream delivers the batches for steps first, first+1, ... in order,
// until end (exclusive) or ctx ends, preparing up to Prefetch of them
// ahead on Workers goroutines. After an error it delivers nothing more.
func (p *Pipeline) Stream(ctx context.Context, first, end int64) <-chan Result {
	out := make(chan Result)
	futures := make(chan chan Result, p.opts.Prefetch)
	jobs := make(chan func(), p.opts.Prefetch)
	for w := 0; w < p.opts.Workers; w++ {
		go func() {
			for job := range jobs {
				job()
			}
		}()
	}
	// Dispatcher: one future per step, in order.
	go func() {
		defer close(futures)
		defer close(jobs)
		for step := first; step < end; step++ {
			f := make(chan Result, 1)
			select {
			case futures <- f:
			case <-ctx.Done():
				return
			}
			s := step
			select {
			case jobs <- func() {
				b, err := p.Load(s)
				f <- Result{Batch: b, Err: err}
			}:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Collector: results in step order.
	go func() {
		defer close(out)
		for f := range futures {
			var r Result
			select {
			case r = <-f:
			case <-ctx.Done():
				return
			}
			select {
			case out <- r:
			case <-ctx.Done():
				return
			}
			if r.Err != nil {
				return
			}
		}
	}()
	return out
}
