// Package train runs pix2pix training as the original's train mode does:
// the input pipeline feeds the training graph, and a loop takes steps,
// reports progress, writes summaries, display images and traces at their
// frequencies, and saves checkpoints atomically; it resumes from a
// checkpoint directory and stops cleanly on a signal.
package train

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/codec"
	"pix2pix/graphs/display"
	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/summary"
	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/session"
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
	// health are the signals the loop logs and watches (pkg/health).
	health pix2pix.Health

	// merged is the meta graph's "summaries" entry (see metaCollections):
	// an empty serialized Summary that runs writeAll first.
	merged tf.Output
}

// add returns the Extra that adds the summaries into logdir (none when
// logdir is "") and the display images to the training graph, filling ex.
func (ex *extras) add(dcfg display.Config, logdir string) trained.Extra {
	return func(root *op.Scope, m *pix2pix.Model, sv *pix2pix.Saver) error {
		ex.display = display.Build(root.SubScope("display"), dcfg, m.Inputs, m.Targets, m.Outputs)
		ex.health = pix2pix.BuildHealth(root.SubScope("health"), m)
		if logdir != "" {
			ex.addSummaries(root.SubScope("summaries"), m, sv, logdir)
		}
		return nil
	}
}

// addSummaries adds, as the original, under its tags: images of the
// batch (in <name>_summary scopes), the averaged losses, and a histogram
// of every trainable variable and gradient; and this program's health
// scalars (health/...).
func (ex *extras) addSummaries(ss *op.Scope, m *pix2pix.Model, sv *pix2pix.Saver, logdir string) {
	ex.step = op.Placeholder(ss.SubScope("step"), tf.Int64, op.PlaceholderShape(tf.ScalarShape()))
	w := summary.New(ss, logdir, ex.step)
	w.Image("inputs_summary/inputs", ex.display.Inputs, 3)
	w.Image("targets_summary/targets", ex.display.Targets, 3)
	w.Image("outputs_summary/outputs", ex.display.Outputs, 3)
	w.Image("predict_real_summary/predict_real", codec.ToUint8(ss.SubScope("predict_real"), asImage(ss, m.PredictReal), false), 3)
	w.Image("predict_fake_summary/predict_fake", codec.ToUint8(ss.SubScope("predict_fake"), asImage(ss, m.PredictFake), false), 3)
	// The original's tag: TF1 uniquified the summary's name scope
	// against the discriminator_loss scope of the loss itself.
	w.Scalar("discriminator_loss_1", m.DiscrimLossAvg)
	w.Scalar("generator_loss_GAN", m.GenLossGANAvg)
	w.Scalar("generator_loss_L1", m.GenLossL1Avg)
	for i, h := range ex.health.Outputs() {
		w.Scalar(pix2pix.HealthTags[i], h)
	}
	if m.Config.LRDecaySteps > 0 || m.Config.DiscrimLR > 0 {
		// Not in the original, which has one constant rate.
		w.Scalar("learning_rate", m.GenLR)
		w.Scalar("discriminator_learning_rate", m.DiscrimLR)
	}
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

// asImage shows the scalar discriminator output ([batch, 1]) as a 1x1
// image; the PatchGAN map is one already.
func asImage(s *op.Scope, x tf.Output) tf.Output {
	if x.Shape().NumDimensions() != 2 {
		return x
	}
	s = s.SubScope("scalar_image")
	return op.Reshape(s, x, op.Const(s.SubScope("shape"), []int32{-1, 1, 1, 1}))
}

// newTrainer builds the training graph with placeholders of the batch
// size, plus summaries into logdir and display images, and opens a
// session on it, placed as p says.
func newTrainer(cfg pix2pix.Config, dcfg display.Config, batch int, logdir string, o session.Options, p trained.Placement) (*trained.Trainer, *extras, error) {
	var ex extras
	tr, err := trained.NewPlaced(cfg, trained.Placeholders(cfg, int64(batch)), o, p, ex.add(dcfg, logdir))
	if err != nil {
		return nil, nil, err
	}
	return tr, &ex, nil
}

// Graph is the training graph as a run builds it, with summaries, for
// inspection (kernel coverage, op counts); it opens nothing and writes
// nothing (the summary directory is only named in the graph).
func Graph(cfg pix2pix.Config, dcfg display.Config, batch int) (*tf.Graph, error) {
	if cfg.Setup == pix2pix.SetupYenchenlin {
		return trained.YenchenlinGraph(yenchenlin.FromConfig(cfg), int64(batch))
	}
	var ex extras
	g, _, _, err := trained.Build(cfg, trained.Placeholders(cfg, int64(batch)), ex.add(dcfg, "logdir"))
	return g, err
}
