package infer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/options"
	"pix2pix/pkg/serve"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// Served is a trained generator opened once for many requests (pix2pix
// serve): infer's generator and codec graphs, driven one image or one
// batch at a time instead of over files. It implements serve.Model.
// Dropout is off unless a request asks; the dropout generator is opened
// on the first such request, so a server that never needs it never pays
// its memory.
type Served struct {
	o     Options
	det   *job
	info  serve.ModelInfo
	mu    sync.Mutex
	noisy *job
	// step numbers the batches (their dropout masks); batches may run
	// at once (serve.Config.Runs).
	step atomic.Int64
}

// OpenServed opens o.Model (a training directory or a SavedModel) for
// serving; o.Model, o.BatchSize (the largest batch it will be given),
// o.ExactDeconv, o.Seed, o.PNGCompression and o.Session are used.
func OpenServed(o Options) (*Served, error) {
	o.Dropout = false
	j, err := open(o)
	if err != nil {
		return nil, err
	}
	m := &Served{o: o, det: j, info: serve.ModelInfo{Path: o.Model, Kind: "checkpoint", DropoutChoice: true}}
	if _, ok := trained.SavedModelDir(o.Model); ok {
		m.info.Kind, m.info.DropoutChoice = "SavedModel", false
		return m, nil
	}
	mo, err := options.ReadModel(o.Model)
	if err != nil {
		m.Close()
		return nil, err
	}
	m.info.WhichDirection, m.info.NGF, m.info.LabColorization = mo.WhichDirection, mo.NGF, mo.LabColorization
	if data, err := os.ReadFile(filepath.Join(o.Model, options.FileName)); err == nil {
		_ = json.Unmarshal(data, &m.info.Options) // already parsed by ReadModel; display only
	}
	return m, nil
}

// Info describes the model.
func (m *Served) Info() serve.ModelInfo { return m.info }

// Close releases the sessions.
func (m *Served) Close() {
	for _, j := range []*job{m.det, m.noisy} {
		if j != nil {
			j.closeModel()
			j.codec.Close()
		}
	}
}

// Decode runs infer's decoder on an image's bytes.
func (m *Served) Decode(data []byte) (serve.Input, error) {
	return m.det.decodeBytes(data)
}

// Generate runs one batch through the generator, as infer batches files.
func (m *Served) Generate(batch []serve.Input, dropout bool) ([]serve.Output, error) {
	j := m.det
	if dropout {
		var err error
		if j, err = m.noisyJob(); err != nil {
			return nil, err
		}
	}
	items := make([]*item, len(batch))
	for i, in := range batch {
		it, ok := in.(*item)
		if !ok || it.input == nil {
			return nil, errors.New("generate: input was not made by Decode")
		}
		items[i] = &item{input: it.input} // runBatch consumes input; the caller keeps its own
	}
	n := m.step.Add(1)
	if err := j.runBatch(items, n, n); err != nil {
		return nil, err
	}
	outs := make([]serve.Output, len(items))
	for i, it := range items {
		outs[i] = it.output
	}
	return outs, nil
}

// noisyJob opens the dropout generator once.
func (m *Served) noisyJob() (*job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.info.DropoutChoice {
		return nil, errors.New("this SavedModel fixed dropout when it was exported: re-export (pix2pix export, with or without --no-test-dropout) to change it")
	}
	if m.noisy == nil {
		o := m.o
		o.Dropout = true
		j, err := open(o)
		if err != nil {
			return nil, fmt.Errorf("open the dropout generator: %w", err)
		}
		m.noisy = j
	}
	return m.noisy, nil
}

// Encode runs infer's encoder on one output and returns the image bytes.
func (m *Served) Encode(in serve.Input, out serve.Output, o serve.EncodeOptions) ([]byte, error) {
	it, ok := in.(*item)
	t, ok2 := out.(*tf.Tensor)
	if !ok || !ok2 {
		return nil, errors.New("encode: input or output was not made by this model")
	}
	size := it.size
	if o.Keep256 {
		var err error
		if size, err = tf.NewTensor([]int32{256, 256}); err != nil {
			return nil, fmt.Errorf("output size: %w", err)
		}
	}
	j := m.det
	feeds := map[tf.Output]*tf.Tensor{j.enc.Output: t, j.enc.Size: size}
	if j.lab {
		feeds[j.enc.Lightness] = it.lightness
	}
	fetch := j.enc.PNG
	if o.JPEG {
		fetch = j.enc.JPEG
	}
	res, err := j.codec.Run(feeds, []tf.Output{fetch}, nil)
	if err != nil {
		return nil, fmt.Errorf("encode: %s", session.FirstLine(err))
	}
	data, ok := session.Value(res[0]).(string)
	if !ok {
		return nil, errors.New("encode: not an encoded image")
	}
	return []byte(data), nil
}
