package trained

import (
	"fmt"
	"path/filepath"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// Vars is a session with the save and restore ops of a set of variables:
// what training, test mode and inference share.
type Vars struct {
	Saver *pix2pix.Saver
	Sess  *session.Session
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
