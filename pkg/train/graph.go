// Package train runs pix2pix training as the original's train mode does:
// the input pipeline feeds the training graph, and a loop takes steps,
// reports progress, writes summaries, display images and traces at their
// frequencies, and saves checkpoints atomically; it resumes from a
// checkpoint directory and stops cleanly on a signal.
package train

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/display"
	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/summary"
	"pix2pix/pkg/trained"
)

// extras are the ops the loop runs besides the train op.
type extras struct {
	summaries *summary.Writer
	writeAll  *tf.Operation
	step      tf.Output // int64 placeholder: the step summaries are keyed by
	// graphDef is the string placeholder writeGraph writes to the event
	// file as its graph; fed the serialized training graph once per start.
	graphDef   tf.Output
	writeGraph *tf.Operation
	// event is the string placeholder writeEvent writes as one whole
	// tensorflow.Event (the meta graph's).
	event      tf.Output
	writeEvent *tf.Operation
	display    display.Images

	// merged is the meta graph's "summaries" entry (see metaCollections):
	// an empty serialized Summary that runs writeAll first.
	merged tf.Output
}

// buildGraph makes the training graph with placeholders of the batch
// size, plus summaries into logdir and display images.
func buildGraph(cfg pix2pix.Config, dcfg display.Config, batch int, logdir string) (*tf.Graph, *pix2pix.Model, *pix2pix.Saver, *extras, error) {
	var ex extras
	feeds := trained.Placeholders(cfg, int64(batch))
	var g *tf.Graph
	var m *pix2pix.Model
	var sv *pix2pix.Saver
	root := op.NewScope()
	in, tg, err := feeds(root)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	m, err = pix2pix.Build(root, cfg, in, tg)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	sv = pix2pix.BuildSaver(root, m.Vars.Sorted())
	ex.display = display.Build(root.SubScope("display"), dcfg, m.Inputs, m.Targets, m.Outputs)
	if logdir != "" {
		ss := root.SubScope("summaries")
		ex.step = op.Placeholder(ss.SubScope("step"), tf.Int64, op.PlaceholderShape(tf.ScalarShape()))
		w := summary.New(ss, logdir, ex.step)
		// As the original, under its tags: images of the batch (in
		// <name>_summary scopes), the averaged losses, and a histogram of
		// every trainable variable and gradient.
		w.Image("inputs_summary/inputs", ex.display.Inputs, 3)
		w.Image("targets_summary/targets", ex.display.Targets, 3)
		w.Image("outputs_summary/outputs", ex.display.Outputs, 3)
		w.Image("predict_real_summary/predict_real", display.ToUint8(ss.SubScope("predict_real"), m.PredictReal, false), 3)
		w.Image("predict_fake_summary/predict_fake", display.ToUint8(ss.SubScope("predict_fake"), m.PredictFake, false), 3)
		// The original's tag: TF1 uniquified the summary's name scope
		// against the discriminator_loss scope of the loss itself.
		w.Scalar("discriminator_loss_1", m.DiscrimLossAvg)
		w.Scalar("generator_loss_GAN", m.GenLossGANAvg)
		w.Scalar("generator_loss_L1", m.GenLossL1Avg)
		for _, v := range m.Vars.Trainable("") {
			w.Histogram(v.Name+"/values", sv.Reads[v.Name])
		}
		for _, gr := range append(append([]pix2pix.Grad{}, m.DiscrimGrads...), m.GenGrads...) {
			w.Histogram(gr.Var.Name+"/gradients", gr.Grad)
		}
		ex.writeAll = w.Group()
		host := ss.WithDevice(nn.HostDevice)
		ex.merged = op.Identity(host.WithControlDependencies(ex.writeAll).SubScope("merged"), op.Const(host.SubScope("no_summary"), ""))
		ex.graphDef, ex.writeGraph = w.Graph()
		ex.event, ex.writeEvent = w.Event()
		ex.summaries = w
	}
	g, err = root.Finalize()
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("build training graph: %w", err)
	}
	return g, m, sv, &ex, nil
}

// Graph is the training graph as a run builds it, with summaries, for
// inspection (kernel coverage, op counts); it opens nothing and writes
// nothing (the summary directory is only named in the graph).
func Graph(cfg pix2pix.Config, dcfg display.Config, batch int) (*tf.Graph, error) {
	g, _, _, _, err := buildGraph(cfg, dcfg, batch, "logdir")
	return g, err
}
