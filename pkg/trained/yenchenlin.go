package trained

import (
	"fmt"
	"sort"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/session"
)

// Yenchenlin is the yenchenlin setup's training graph with its session:
// a placeholder real_A_and_B_images, the model, a saver over every
// variable (what pix2pix writes: the program's 110, Adam's and our
// global_step) and the program's own saver over its checkpoint variables
// (what it writes).
type Yenchenlin struct {
	Graph *tf.Graph
	Model *yenchenlin.Model
	Vars
	// Weights saves and restores the checkpoint variables only.
	Weights Vars
	// IncrGlobalStep adds one to global_step, a variable of pix2pix's
	// outside the program's graph (its loop keeps a Python counter):
	// pix2pix's checkpoints hold it, the program's Saver ignores it.
	IncrGlobalStep *tf.Operation
	// SetGlobalStep assigns GlobalStepValue (int64) to global_step.
	SetGlobalStep   *tf.Operation
	GlobalStepValue tf.Output
}

// buildYenchenlin builds the graph and the savers of NewYenchenlin.
func buildYenchenlin(cfg yenchenlin.Config, batch int64) (*Yenchenlin, error) {
	s := op.NewScope()
	in := op.Placeholder(s.SubScope("real_A_and_B_images"), tf.Float,
		op.PlaceholderShape(tf.MakeShape(batch, yenchenlin.Size, yenchenlin.Size, 6)))
	m, err := yenchenlin.Build(s, cfg, in)
	if err != nil {
		return nil, err
	}
	y := &Yenchenlin{Model: m}
	steps := nn.NewStore(s, 0)
	gs := steps.Get("global_step", tf.Int64, []int64{}, func(s *op.Scope, _ []int64, _ tf.DataType, _ int64) tf.Output {
		return op.Const(s.SubScope("zero"), int64(0))
	}, false)
	y.IncrGlobalStep = op.AssignAddVariableOp(s.SubScope("incr_global_step"), gs.Handle, op.Const(s.SubScope("one"), int64(1)))
	y.GlobalStepValue = op.Placeholder(s.SubScope("global_step_value"), tf.Int64, op.PlaceholderShape(tf.ScalarShape()))
	y.SetGlobalStep = op.AssignVariableOp(s.SubScope("set_global_step"), gs.Handle, y.GlobalStepValue)
	all := append(m.Vars.Sorted(), gs)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	y.Vars.Saver = pix2pix.BuildSaver(s.SubScope("all"), all)
	y.Weights.Saver = pix2pix.BuildSaver(s, m.CheckpointVars)
	// Init covers global_step too.
	m.Init = op.NoOp(s.WithControlDependencies(m.Init, gs.Init).SubScope("init_all"))
	if y.Graph, err = s.Finalize(); err != nil {
		return nil, fmt.Errorf("build yenchenlin graph: %w", err)
	}
	return y, nil
}

// YenchenlinGraph is the setup's training graph as NewYenchenlin builds
// it, without a session (kernel coverage).
func YenchenlinGraph(cfg yenchenlin.Config, batch int64) (*tf.Graph, error) {
	y, err := buildYenchenlin(cfg, batch)
	if err != nil {
		return nil, err
	}
	return y.Graph, nil
}

// NewYenchenlin builds the setup's graph for batches of batch images
// (-1 for any) and opens a session on it; call Init or Restore next.
func NewYenchenlin(cfg yenchenlin.Config, batch int64, o session.Options) (*Yenchenlin, error) {
	y, err := buildYenchenlin(cfg, batch)
	if err != nil {
		return nil, err
	}
	sess, err := session.New(y.Graph, o)
	if err != nil {
		return nil, err
	}
	y.Vars.Sess, y.Weights.Sess = sess, sess
	return y, nil
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

// SetStep assigns global_step (resuming from the program's checkpoint,
// whose name carries its counter).
func (y *Yenchenlin) SetStep(step int64) error {
	v, err := tf.NewTensor(step)
	if err != nil {
		return err
	}
	if _, err := y.Sess.Run(map[tf.Output]*tf.Tensor{y.GlobalStepValue: v}, nil, []*tf.Operation{y.SetGlobalStep}); err != nil {
		return fmt.Errorf("set global_step: %w", err)
	}
	return nil
}
