package trained

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/session"
)

// Yenchenlin is the yenchenlin setup's training graph with its session:
// a placeholder real_A_and_B_images, the model, a saver over every
// variable (what pix2pix writes: the program's 110 and Adam's) and the
// program's own saver over its checkpoint variables (what it writes).
type Yenchenlin struct {
	Graph *tf.Graph
	Model *yenchenlin.Model
	Vars
	// Weights saves and restores the checkpoint variables only.
	Weights Vars
}

// NewYenchenlin builds the setup's graph for batches of batch images
// (-1 for any) and opens a session on it; call Init or Restore next.
func NewYenchenlin(cfg yenchenlin.Config, batch int64, o session.Options) (*Yenchenlin, error) {
	s := op.NewScope()
	in := op.Placeholder(s.SubScope("real_A_and_B_images"), tf.Float,
		op.PlaceholderShape(tf.MakeShape(batch, yenchenlin.Size, yenchenlin.Size, 6)))
	m, err := yenchenlin.Build(s, cfg, in)
	if err != nil {
		return nil, err
	}
	all := pix2pix.BuildSaver(s.SubScope("all"), m.Vars.Sorted())
	weights := pix2pix.BuildSaver(s, m.CheckpointVars)
	g, err := s.Finalize()
	if err != nil {
		return nil, fmt.Errorf("build yenchenlin graph: %w", err)
	}
	sess, err := session.New(g, o)
	if err != nil {
		return nil, err
	}
	return &Yenchenlin{Graph: g, Model: m, Vars: Vars{Saver: all, Sess: sess}, Weights: Vars{Saver: weights, Sess: sess}}, nil
}

// Close releases the session.
func (y *Yenchenlin) Close() error { return y.Sess.Close() }

// Init initialises every variable from the initialisers.
func (y *Yenchenlin) Init() error {
	if _, err := y.Sess.Run(nil, nil, []*tf.Operation{y.Model.Init}); err != nil {
		return fmt.Errorf("initialise variables: %w", err)
	}
	return nil
}

// RestoreAny restores the checkpoint at prefix: every variable when it
// holds them (a pix2pix checkpoint of this setup), else the checkpoint
// variables, with Adam's slots and beta powers initialised afresh (the
// program's own checkpoints hold no Adam state). freshAdam says which.
func (y *Yenchenlin) RestoreAny(prefix string) (freshAdam bool, err error) {
	if y.CheckCompatible(prefix) == nil {
		return false, y.Restore(prefix)
	}
	if err := y.Weights.checkCompatible(prefix, yenchenlinHint); err != nil {
		return false, err
	}
	if err := y.Init(); err != nil {
		return false, err
	}
	return true, y.Weights.Restore(prefix)
}

// yenchenlinHint is the advice on a checkpoint that does not fit the
// setup's graph.
func yenchenlinHint(name string) string {
	return fmt.Sprintf("a checkpoint of yenchenlin/pix2pix-tensorflow or of pix2pix --setup yenchenlin at the same --ngf/--ndf is needed (the program itself always uses 64); %s is missing or has another shape", name)
}
