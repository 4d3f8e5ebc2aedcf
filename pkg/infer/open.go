package infer

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/codec"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// open loads the generator (a training directory or a SavedModel) and
// builds the codec graphs.
func open(o Options) (*job, error) {
	if err := codec.CheckPNGLevel(o.pngLevel()); err != nil {
		return nil, err
	}
	j := &job{o: o}
	unit := false
	if dir, ok := trained.SavedModelDir(o.Model); ok {
		if err := j.openSavedModel(dir); err != nil {
			return nil, err
		}
		unit = true
	} else if err := j.openCheckpoint(); err != nil {
		return nil, err
	}
	cs := op.NewScope()
	if j.native {
		j.dec = codec.BuildNativeDecoder(cs, j.lab, j.stride)
		j.enc = codec.BuildNativeEncoder(cs, j.outCh, j.lab, o.pngLevel())
	} else {
		j.dec = codec.BuildDecoder(cs, j.lab, unit, j.side)
		j.enc = codec.BuildEncoder(cs, j.outCh, j.lab, unit, j.side, o.pngLevel())
	}
	cg, err := cs.Finalize()
	if err != nil {
		j.closeModel()
		return nil, err
	}
	// One thread per codec run: the workers are the parallelism.
	codec, err := session.New(cg, session.Options{IntraOp: 1, InterOp: 1})
	if err != nil {
		j.closeModel()
		return nil, err
	}
	j.codec = codec.Session
	return j, nil
}

// openSavedModel uses an exported SavedModel's float signature.
func (j *job) openSavedModel(dir string) error {
	m, err := trained.OpenSavedModel(dir, j.o.Session)
	if err != nil {
		return err
	}
	j.sess, j.inputs, j.output = m.Sess, m.Images, m.Outputs
	j.outCh = 3
	j.side = pix2pix.DefaultCropSize
	if n := m.Images.Shape(); n.NumDimensions() == 4 && n.Size(1) > 0 {
		j.side = n.Size(1)
	}
	j.closeModel = func() { m.Close() }
	return nil
}

// openCheckpoint restores the generator from a training directory.
func (j *job) openCheckpoint() error {
	o := j.o
	ck, err := trained.OpenCheckpointSetup(o.Model, o.Setup)
	if err != nil {
		return err
	}
	mo, cfg := ck.Options, ck.Config
	if mo.LabColorization && mo.WhichDirection != "AtoB" {
		return fmt.Errorf("%s is a Lab model trained BtoA (colour to lightness): infer colours greyscale images, so it needs an AtoB model", o.Model)
	}
	cfg, err = ck.WithTestBN(cfg, o.TestBN)
	if err != nil {
		return err
	}
	cfg.Dropout, cfg.Seed = o.Dropout, o.Seed
	cfg.FastForms = !o.ExactDeconv
	build := trained.InferenceGraph(cfg, o.BatchSize)
	if o.Resize == ResizeNative {
		build = nativeGraph(cfg, o.BatchSize)
		j.native, j.stride = true, cfg.Stride()
	}
	gen, err := ck.LoadGenerator("generator", build, o.Session)
	if err != nil {
		return err
	}
	j.lab, j.outCh, j.side = mo.LabColorization, cfg.OutChannels, cfg.Size()
	j.sess, j.inputs, j.output, j.step = gen.Sess.Session, gen.Gen.Inputs, gen.Gen.Outputs, &gen.Gen.Step
	j.closeModel = func() { gen.Close() }
	return nil
}

// GeneratorGraph is infer's generator graph for cfg (the fast forms
// unless exact; of any image size with native) at the GPU's default batch
// size (its graph has every op kind the CPU's batch of 1 has, and the
// slicing of per-image batch norm besides), for inspection (kernel
// coverage); it opens nothing.
func GeneratorGraph(cfg pix2pix.Config, exactDeconv, native bool) (*tf.Graph, error) {
	cfg.FastForms = !exactDeconv
	build := trained.InferenceGraph(cfg, DefaultBatchSize)
	if native {
		build = nativeGraph(cfg, DefaultBatchSize)
	}
	g, _, _, err := trained.BuildGenerator("generator", build)
	return g, err
}
