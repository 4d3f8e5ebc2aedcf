package infer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	ginfer "pix2pix/graphs/infer"
	"pix2pix/graphs/input"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// open loads the generator (a training directory or a SavedModel) and
// builds the codec graphs.
func open(o Options) (*job, error) {
	j := &job{o: o}
	unit := false
	if dir, ok := SavedModelDir(o.Model); ok {
		if err := j.openSavedModel(dir); err != nil {
			return nil, err
		}
		unit = true
	} else if err := j.openCheckpoint(); err != nil {
		return nil, err
	}
	cs := op.NewScope()
	j.dec = ginfer.BuildDecoder(cs, j.lab, unit)
	j.enc = ginfer.BuildEncoder(cs, j.outCh, j.lab, unit)
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

// SavedModelDir reports whether dir is (or holds, as saved_model/) an
// exported SavedModel.
func SavedModelDir(dir string) (string, bool) {
	for _, d := range []string{dir, filepath.Join(dir, "saved_model")} {
		if _, err := os.Stat(filepath.Join(d, "saved_model.pb")); err == nil {
			return d, true
		}
	}
	return "", false
}

// openSavedModel uses an exported SavedModel's float signature.
func (j *job) openSavedModel(dir string) error {
	cfg, err := j.o.Session.Proto()
	if err != nil {
		return err
	}
	session.TuneMemory()
	m, err := tf.LoadSavedModel(dir, []string{"serve"}, &tf.SessionOptions{Config: cfg})
	if err != nil {
		return fmt.Errorf("load SavedModel %s: %w", dir, err)
	}
	sig, ok := m.Signatures["translate"]
	if !ok {
		m.Session.Close()
		return fmt.Errorf("SavedModel %s has no \"translate\" signature: export it with pix2pix export", dir)
	}
	in, out := m.Graph.Operation(opName(sig.Inputs["images"].Name)), m.Graph.Operation(opName(sig.Outputs["outputs"].Name))
	if in == nil || out == nil {
		m.Session.Close()
		return fmt.Errorf("SavedModel %s: the translate signature's tensors are missing", dir)
	}
	j.sess, j.inputs, j.output = m.Session, in.Output(0), out.Output(0)
	j.outCh = 3
	j.closeModel = func() { m.Session.Close() }
	return nil
}

func opName(tensor string) string {
	if i := strings.LastIndexByte(tensor, ':'); i >= 0 {
		return tensor[:i]
	}
	return tensor
}

// openCheckpoint restores the generator from a training directory.
func (j *job) openCheckpoint() error {
	o := j.o
	ck, err := trained.OpenCheckpoint(o.Model)
	if err != nil {
		return err
	}
	mo, cfg := ck.Options, ck.Config
	if mo.LabColorization && mo.WhichDirection != "AtoB" {
		return fmt.Errorf("%s is a Lab model trained BtoA (colour to lightness): infer colours greyscale images, so it needs an AtoB model", o.Model)
	}
	cfg.Dropout, cfg.Seed = o.Dropout, o.Seed
	cfg.SubpixelDeconv = !o.ExactDeconv
	g, gen, sv, err := generatorGraph(cfg)
	if err != nil {
		return err
	}
	vars, err := ck.Restore(g, sv, o.Session)
	if err != nil {
		return err
	}
	if gen.Prepare != nil {
		if _, err := vars.Sess.Run(nil, nil, []*tf.Operation{gen.Prepare}); err != nil {
			vars.Sess.Close()
			return fmt.Errorf("prepare generator: %w", err)
		}
	}
	j.lab, j.outCh = mo.LabColorization, cfg.OutChannels
	j.sess, j.inputs, j.output, j.step = vars.Sess.Session, gen.Inputs, gen.Outputs, &gen.Step
	j.closeModel = func() { vars.Sess.Close() }
	return nil
}

// generatorGraph is infer's generator: batches of any size, per-image
// batch-norm statistics, and its saver.
func generatorGraph(cfg pix2pix.Config) (*tf.Graph, *pix2pix.Generator, *pix2pix.Saver, error) {
	s := op.NewScope()
	inputs := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, input.CropSize, input.CropSize, int64(cfg.InChannels))))
	gen, err := pix2pix.BuildGenerator(s, cfg, inputs, pix2pix.GeneratorOptions{PerImageNorm: true})
	if err != nil {
		return nil, nil, nil, err
	}
	sv := pix2pix.BuildSaver(s, gen.Vars.Sorted())
	g, err := s.Finalize()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build generator graph: %w", err)
	}
	return g, gen, sv, nil
}

// GeneratorGraph is infer's generator graph for cfg (sub-pixel
// deconvolutions unless exact), for inspection (kernel coverage); it opens
// nothing.
func GeneratorGraph(cfg pix2pix.Config, exactDeconv bool) (*tf.Graph, error) {
	cfg.SubpixelDeconv = !exactDeconv
	g, _, _, err := generatorGraph(cfg)
	return g, err
}
