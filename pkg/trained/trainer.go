// Package trained holds what training, test mode, inference and export
// share about a pix2pix model: building the training graph (with
// placeholders or an input pipeline in front) and a session on it,
// initialising, restoring, saving and merging its variables, and opening a
// training directory's latest checkpoint with the options it was trained
// with. The loop that takes training steps is pkg/train's.
package trained

import (
	"fmt"
	"path/filepath"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// Vars is a session with the save and restore ops of a set of variables:
// what training, test mode and inference share.
type Vars struct {
	Saver *pix2pix.Saver
	Sess  *session.Session
}

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
		in := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(batch, pix2pix.CropSize, pix2pix.CropSize, int64(cfg.InChannels))))
		tg := op.Placeholder(s.SubScope("targets"), tf.Float, op.PlaceholderShape(tf.MakeShape(batch, pix2pix.CropSize, pix2pix.CropSize, int64(cfg.OutChannels))))
		return in, tg, s.Err()
	}
}

// Build makes the training graph and its saver, without a session.
func Build(cfg pix2pix.Config, feeds Feeds) (*tf.Graph, *pix2pix.Model, *pix2pix.Saver, error) {
	root := op.NewScope()
	in, tg, err := feeds(root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build inputs: %w", err)
	}
	m, err := pix2pix.Build(root, cfg, in, tg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build model: %w", err)
	}
	sv := pix2pix.BuildSaver(root, m.Vars.Sorted())
	g, err := root.Finalize()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build graph: %w", err)
	}
	return g, m, sv, nil
}

// New builds the graph and opens a session on it. The variables are not
// initialised yet: call Init or Restore.
func New(cfg pix2pix.Config, feeds Feeds, opts session.Options) (*Trainer, error) {
	g, m, sv, err := Build(cfg, feeds)
	if err != nil {
		return nil, err
	}
	s, err := session.New(g, opts)
	if err != nil {
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

// Restore assigns every variable from the checkpoint at prefix.
func (t *Vars) Restore(prefix string) error {
	p, err := tf.NewTensor(prefix)
	if err != nil {
		return err
	}
	if _, err := t.Sess.Run(map[tf.Output]*tf.Tensor{t.Saver.Prefix: p}, nil, []*tf.Operation{t.Saver.Restore}); err != nil {
		return restoreError(prefix, err)
	}
	return nil
}

// restoreError explains a failed restore. The index was read and checked
// against the graph before (CheckCompatible), so what fails now is reading
// the tensors themselves: the data file is short or damaged. TensorFlow's
// own message ("Read less bytes than requested [[{{node save/RestoreV2}}]]")
// names neither the file nor a remedy.
func restoreError(prefix string, err error) error {
	data, _ := filepath.Glob(prefix + ".data-*")
	file := prefix + ".data-00000-of-00001"
	if len(data) > 0 {
		file = strings.Join(data, ", ")
	}
	return fmt.Errorf("restore %s: cannot read its tensors from %s (%s): the data file is truncated or damaged; copy it again from where the run saved it, or use another checkpoint",
		prefix, file, session.FirstLine(err))
}

// SaveTo writes every variable to the checkpoint at prefix as it stands
// (no temporary name; see the checkpoint package for atomic saves).
func (t *Vars) SaveTo(prefix string) error {
	p, err := tf.NewTensor(prefix)
	if err != nil {
		return err
	}
	if _, err := t.Sess.Run(map[tf.Output]*tf.Tensor{t.Saver.Prefix: p}, nil, []*tf.Operation{t.Saver.Save}); err != nil {
		return fmt.Errorf("save %s: %w", prefix, err)
	}
	return nil
}

// Merge moves the checkpoint at from to prefix to (see pix2pix.Saver).
func (t *Vars) Merge(from, to string) error {
	f, err := tf.NewTensor([]string{from})
	if err != nil {
		return err
	}
	d, err := tf.NewTensor(to)
	if err != nil {
		return err
	}
	_, err = t.Sess.Run(map[tf.Output]*tf.Tensor{t.Saver.MergeFrom: f, t.Saver.MergeTo: d}, nil, []*tf.Operation{t.Saver.Merge})
	return err
}

// GlobalStep reads global_step.
func (t *Vars) GlobalStep() (int64, error) {
	out, err := t.Sess.Run(nil, []tf.Output{t.Saver.Reads["global_step"]}, nil)
	if err != nil {
		return 0, fmt.Errorf("read global_step: %w", err)
	}
	return session.Value(out[0]).(int64), nil
}
