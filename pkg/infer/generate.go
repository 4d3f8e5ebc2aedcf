package infer

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/dataset"
	"pix2pix/pkg/session"
)

// decode checks the file's header (refusing huge images before decoding
// them) and decodes it into the generator's input.
func (j *job) decode(path string) (*item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	hdr, _, err := dataset.ReadHeader(bytes.NewReader(data), int64(len(data)), j.o.MaxPixels)
	if err != nil {
		return nil, err
	}
	if j.native {
		if err := checkPadded(hdr.Width, hdr.Height, j.stride, j.o.MaxPixels); err != nil {
			return nil, err
		}
	}
	it, err := j.decodeBytes(data)
	if err != nil {
		return nil, err
	}
	it.path = path
	return it, nil
}

// decodeBytes runs the codec's decoder on an image's bytes: the
// generator's input, the image's size and, for a Lab model, its lightness.
func (j *job) decodeBytes(data []byte) (*item, error) {
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
	it := &item{input: out[0], size: out[1]}
	if j.lab {
		it.lightness = out[2]
	}
	return it, nil
}

// generate batches decoded images (of one input shape each batch: see
// batcher) and runs the generator on each batch, Options.InFlight batches
// at a time. A batch's number (the order it was formed in) picks the
// traced batch; its dropout masks are keyed by its first image's name
// (dropoutKey).
func (j *job) generate(ctx context.Context, in <-chan *item, out chan<- *item) {
	type numbered struct {
		items []*item
		step  int64
	}
	batches := make(chan numbered)
	var runs sync.WaitGroup
	for r := 0; r < j.o.InFlight; r++ {
		runs.Add(1)
		go func() {
			defer runs.Done()
			for nb := range batches {
				if err := j.runBatch(nb.items, nb.step, dropoutKey(nb.items[0].path)); err != nil {
					for _, it := range nb.items {
						j.fail(it.path, err)
					}
					continue
				}
				for _, it := range nb.items {
					out <- it
				}
			}
		}()
	}
	b := newBatcher(j.o.BatchSize)
	var step int64
	send := func(batch []*item) {
		if len(batch) > 0 {
			batches <- numbered{batch, step}
			step++
		}
	}
	for it := range in {
		if ctx.Err() != nil {
			continue // drain: the decoders stop once paths closes
		}
		send(b.add(it))
	}
	if ctx.Err() == nil {
		for _, batch := range b.rest() {
			send(batch)
		}
	}
	close(batches)
	runs.Wait()
}

// dropoutKey is infer's dropout key for a batch whose first image is path
// (with --seed, which keys each layer): a hash of the output's name, not
// the batch's number, so that at batch size 1 an image's output depends
// on its name and pixels alone, and --skip-existing, --shard, a failed or
// an added file elsewhere in the inputs leave it the same. (serve's
// requests have no names: they are keyed by their batch's number.)
func dropoutKey(path string) int64 {
	h := fnv.New64a()
	h.Write([]byte(outName(path)))
	return int64(h.Sum64())
}

// runBatch runs batch through the generator: step is the batch's number
// (it picks the traced batch), key its dropout masks' key.
func (j *job) runBatch(batch []*item, step, key int64) error {
	// [height, width, channels] of every input in the batch (the
	// batcher groups them by shape).
	hwc := batch[0].input.Shape()
	var buf bytes.Buffer
	for _, it := range batch {
		if err := session.WriteContents(it.input, &buf); err != nil {
			return err
		}
		it.input = nil
	}
	x, err := tf.ReadTensor(tf.Float, append([]int64{int64(len(batch))}, hwc...), &buf)
	if err != nil {
		return err
	}
	feeds := map[tf.Output]*tf.Tensor{j.inputs: x}
	if j.step != nil {
		st, err := tf.NewTensor(key)
		if err != nil {
			return fmt.Errorf("dropout step: %w", err)
		}
		feeds[*j.step] = st
	}
	out, err := j.runGenerator(feeds, step)
	if err != nil {
		return fmt.Errorf("generator: %s", session.FirstLine(err))
	}
	var all bytes.Buffer
	if err := session.WriteContents(out[0], &all); err != nil {
		return err
	}
	per := int(hwc[0]*hwc[1]) * j.outCh * 4
	for i, it := range batch {
		t, err := tf.ReadTensor(tf.Float, []int64{hwc[0], hwc[1], int64(j.outCh)}, bytes.NewReader(all.Bytes()[i*per:(i+1)*per]))
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
		if size, err = tf.NewTensor([]int32{int32(j.side), int32(j.side)}); err != nil {
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
