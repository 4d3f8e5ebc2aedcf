package trained

import (
	"fmt"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/input"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/options"
	"pix2pix/pkg/session"
)

// Checkpoint is a training output directory as test mode, inference and
// export use it: its latest checkpoint and the model options recorded in
// its options.json.
type Checkpoint struct {
	Dir, Prefix string
	Options     options.Model
	// Config is the model's configuration (channels from the options).
	Config pix2pix.Config
	// Input is the image pipeline the model was trained with, at 256.
	Input input.Config
}

// OpenCheckpoint reads dir's options.json and finds its latest checkpoint.
func OpenCheckpoint(dir string) (*Checkpoint, error) {
	mo, err := options.ReadModel(dir)
	if err != nil {
		return nil, err
	}
	prefix, err := checkpoint.Latest(dir)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Dir: dir, Prefix: prefix, Options: mo}
	c.Input = input.Config{LabColorization: mo.LabColorization, WhichDirection: mo.WhichDirection, ScaleSize: pix2pix.CropSize}
	c.Config = pix2pix.DefaultConfig()
	c.Config.NGF, c.Config.NDF, c.Config.SeparableConv = mo.NGF, mo.NDF, mo.SeparableConv
	c.Config.InChannels, c.Config.OutChannels = c.Input.Channels()
	return c, nil
}

// Restore opens a session on g and restores the saver's variables from the
// checkpoint, after checking they fit.
func (c *Checkpoint) Restore(g *tf.Graph, sv *pix2pix.Saver, o session.Options) (*Vars, error) {
	sess, err := session.New(g, o)
	if err != nil {
		return nil, err
	}
	v := &Vars{Saver: sv, Sess: sess}
	if err := v.checkCompatible(c.Prefix, c.optionsHint); err != nil {
		sess.Close()
		return nil, err
	}
	if err := v.Restore(c.Prefix); err != nil {
		sess.Close()
		return nil, err
	}
	return v, nil
}

// optionsHint is the advice on a mismatch for test, infer and export: they
// take the model's shape from options.json, not from flags, so the file
// and what it records are what to check.
func (c *Checkpoint) optionsHint(string) string {
	return fmt.Sprintf("%s records ngf %d, ndf %d, separable_conv %v, lab_colorization %v, which does not fit this checkpoint; put back the options.json of the run that wrote %s",
		filepath.Join(c.Dir, options.FileName), c.Options.NGF, c.Options.NDF, c.Options.SeparableConv, c.Options.LabColorization, filepath.Base(c.Prefix))
}
