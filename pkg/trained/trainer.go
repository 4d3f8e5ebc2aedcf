// Package trained is a pix2pix model with its session: what training,
// test mode, inference and export (and anything that serves a model
// later) share. It builds the training graph (with placeholders or an
// input pipeline in front, and whatever a caller adds after it) and a
// session on it; initialises, restores, saves and merges its variables;
// opens a training directory's latest checkpoint with the options it was
// trained with and builds and restores a generator graph from it; and
// loads an exported SavedModel. The loop that takes training steps is
// pkg/train's.
package trained

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// Trainer is a built training graph with its session.
type Trainer struct {
	Graph *tf.Graph
	Model *pix2pix.Model
	Vars
}

// Feeds builds the tensors the model trains on. It gets the root scope and
// returns inputs and targets, [batch, 256, 256, channels].
type Feeds func(s *op.Scope) (inputs, targets tf.Output, err error)

// Placeholders feeds the model from placeholders "inputs" and "targets" of
// a fixed batch size (-1 for any).
func Placeholders(cfg pix2pix.Config, batch int64) Feeds {
	return func(s *op.Scope) (tf.Output, tf.Output, error) {
		in := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(batch, cfg.Size(), cfg.Size(), int64(cfg.InChannels))))
		tg := op.Placeholder(s.SubScope("targets"), tf.Float, op.PlaceholderShape(tf.MakeShape(batch, cfg.Size(), cfg.Size(), int64(cfg.OutChannels))))
		return in, tg, s.Err()
	}
}

// Extra adds ops to the training graph after the model and its saver
// (training's summaries and display images): they read the model's
// endpoints and the saver's variable reads.
type Extra func(root *op.Scope, m *pix2pix.Model, sv *pix2pix.Saver) error

// Build makes the training graph and its saver, then the extras, without
// a session.
func Build(cfg pix2pix.Config, feeds Feeds, extras ...Extra) (*tf.Graph, *pix2pix.Model, *pix2pix.Saver, error) {
	return BuildPlaced(cfg, pix2pix.Placement{}, feeds, extras...)
}

// BuildPlaced is Build with towers and variables placed as p says (see
// pix2pix.BuildPlaced); feeds give the global batch, which the graph
// splits over the towers.
func BuildPlaced(cfg pix2pix.Config, p pix2pix.Placement, feeds Feeds, extras ...Extra) (*tf.Graph, *pix2pix.Model, *pix2pix.Saver, error) {
	root := op.NewScope()
	in, tg, err := feeds(root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build inputs: %w", err)
	}
	m, err := pix2pix.BuildPlaced(root, cfg, p, in, tg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build model: %w", err)
	}
	sv := pix2pix.BuildSaver(root, m.Vars.Sorted())
	for _, add := range extras {
		if err := add(root, m, sv); err != nil {
			return nil, nil, nil, err
		}
	}
	g, err := root.Finalize()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build graph: %w", err)
	}
	return g, m, sv, nil
}

// New builds the graph and opens a session on it. The variables are not
// initialised yet: call Init or Restore.
func New(cfg pix2pix.Config, feeds Feeds, opts session.Options, extras ...Extra) (*Trainer, error) {
	return NewPlaced(cfg, pix2pix.Placement{}, feeds, opts, extras...)
}

// NewPlaced is New with towers and variables placed as p says. It fails
// when the session lacks one of p's devices (see session.CheckDevices).
func NewPlaced(cfg pix2pix.Config, p pix2pix.Placement, feeds Feeds, opts session.Options, extras ...Extra) (*Trainer, error) {
	g, m, sv, err := BuildPlaced(cfg, p, feeds, extras...)
	if err != nil {
		return nil, err
	}
	s, err := openPlaced(g, p, opts)
	if err != nil {
		return nil, err
	}
	if err := s.CheckDevices(p.Named()); err != nil {
		s.Close()
		return nil, err
	}
	return &Trainer{Graph: g, Model: m, Vars: Vars{Saver: sv, Sess: s}}, nil
}

// Close releases the session.
func (t *Trainer) Close() error { return t.Sess.Close() }

// Init initialises every variable from the initialisers.
func (t *Trainer) Init() error {
	if _, err := t.Sess.Run(nil, nil, []*tf.Operation{t.Model.Init}); err != nil {
		return fmt.Errorf("initialise variables: %w", err)
	}
	return nil
}
