package infer

import (
	"fmt"
	"sort"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/trained"
)

// The values of Options.Resize.
const (
	ResizeCrop   = "crop"
	ResizeNative = "native"
)

// checkResize refuses a --resize value it does not know and options that
// contradict --resize native.
func checkResize(o Options) error {
	switch o.Resize {
	case "", ResizeCrop:
		return nil
	case ResizeNative:
	default:
		return fmt.Errorf("--resize %q: want %s (scale to the crop size and back) or %s (the image's own size)", o.Resize, ResizeCrop, ResizeNative)
	}
	if o.Keep256 {
		return fmt.Errorf("--keep-256 and --resize native contradict each other: native outputs are at the image's own size; drop one")
	}
	if _, ok := trained.SavedModelDir(o.Model); ok {
		return fmt.Errorf("--resize native needs a training directory: the SavedModel %s is fixed at its crop size (use --resize crop, or the training directory it was exported from)", o.Model)
	}
	return nil
}

// nativeGraph is infer's generator with any height and width (multiples
// of cfg.Stride): per-image batch-norm statistics as InferenceGraph, and
// the same variables, so it restores from the same checkpoint.
func nativeGraph(cfg pix2pix.Config, maxBatch int) trained.GraphFunc {
	return func(s *op.Scope) (*pix2pix.Generator, error) {
		inputs := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, -1, -1, int64(cfg.InChannels))))
		return pix2pix.BuildGenerator(s, cfg, inputs, pix2pix.GeneratorOptions{PerImageNorm: true, AnySize: true, MaxBatch: maxBatch})
	}
}

// padded is a side rounded up to a multiple of stride.
func padded(side int, stride int64) int64 {
	return (int64(side) + stride - 1) / stride * stride
}

// checkPadded refuses an image whose padded size exceeds maxPixels: the
// generator's memory grows with it.
func checkPadded(w, h int, stride, maxPixels int64) error {
	pw, ph := padded(w, stride), padded(h, stride)
	if maxPixels > 0 && pw*ph > maxPixels {
		return fmt.Errorf("%dx%d pads to %dx%d (%d pixels, multiples of %d) for --resize native, over --max-pixels %d: raise --max-pixels or use --resize crop",
			w, h, pw, ph, pw*ph, stride, maxPixels)
	}
	return nil
}

// batcher groups decoded images by their input's shape, so that a batch
// stacks images of one padded size (with --resize crop every image has
// the same shape: one group, batched in arrival order as before). At most
// limit images wait in all; past it the fullest group runs early.
type batcher struct {
	size, limit int
	groups      map[string][]*item
	waiting     int
}

func newBatcher(size int) *batcher {
	return &batcher{size: size, limit: 2 * size, groups: map[string][]*item{}}
}

func shapeKey(t *tf.Tensor) string { return fmt.Sprint(t.Shape()) }

// add queues it and returns a batch to run now, if any.
func (b *batcher) add(it *item) []*item {
	k := shapeKey(it.input)
	b.groups[k] = append(b.groups[k], it)
	b.waiting++
	if len(b.groups[k]) == b.size {
		return b.take(k)
	}
	if b.waiting >= b.limit {
		return b.take(b.fullest())
	}
	return nil
}

func (b *batcher) fullest() string {
	best := ""
	for _, k := range b.keys() {
		if best == "" || len(b.groups[k]) > len(b.groups[best]) {
			best = k
		}
	}
	return best
}

func (b *batcher) take(k string) []*item {
	batch := b.groups[k]
	delete(b.groups, k)
	b.waiting -= len(batch)
	return batch
}

// keys are the waiting groups' shapes, sorted (a deterministic order).
func (b *batcher) keys() []string {
	ks := make([]string, 0, len(b.groups))
	for k := range b.groups {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// rest returns every batch still waiting.
func (b *batcher) rest() [][]*item {
	var out [][]*item
	for _, k := range b.keys() {
		out = append(out, b.take(k))
	}
	return out
}
