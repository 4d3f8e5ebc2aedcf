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
	return fromOptions(dir, prefix, mo)
}

// fromOptions is the checkpoint at prefix with the model options mo.
func fromOptions(dir, prefix string, mo options.Model) (*Checkpoint, error) {
	c := &Checkpoint{Dir: dir, Prefix: prefix, Options: mo}
	c.Config = pix2pix.DefaultConfig()
	c.Config.NGF, c.Config.NDF, c.Config.SeparableConv = mo.NGF, mo.NDF, mo.SeparableConv
	applyTechniques(&c.Config, mo.Techniques)
	if err := c.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w; put back the options.json the training run wrote", filepath.Join(dir, options.FileName), err)
	}
	size := int(c.Config.Size())
	c.Input = input.Config{LabColorization: mo.LabColorization, WhichDirection: mo.WhichDirection, ScaleSize: size, CropSize: size}
	c.Config.InChannels, c.Config.OutChannels = c.Input.Channels()
	return c, nil
}

// applyTechniques sets the recorded techniques that shape the generator;
// a key absent (an older run's, or the original's options.json) keeps
// the original's value.
func applyTechniques(cfg *pix2pix.Config, t options.Techniques) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.Setup, t.Setup)
	set(&cfg.GenNorm, t.GenNorm)
	set(&cfg.DiscrimNorm, t.DiscrimNorm)
	set(&cfg.DiscrimOutput, t.DiscrimOutput)
	if t.CropSize != 0 {
		cfg.CropSize = t.CropSize
	}
	if t.KernelSize != 0 {
		cfg.KernelSize = t.KernelSize
	}
	cfg.BNUpdateMoving = t.BNUpdateMoving
}

// WithTestBN returns the checkpoint's config with batch norm's test-time
// statistics set to mode (--test-bn), refusing the moving averages of a
// run that never updated them: they would still be their initial 0 and 1.
func (c *Checkpoint) WithTestBN(cfg pix2pix.Config, mode string) (pix2pix.Config, error) {
	if mode == "" {
		mode = pix2pix.TestBNBatch
	}
	cfg.TestBN = mode
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("--test-bn: %w", err)
	}
	if mode == pix2pix.TestBNMoving && !c.Config.BNUpdateMoving {
		return cfg, fmt.Errorf("--test-bn moving: the run in %s did not update its batch-norm moving averages (its %s has no bn_update_moving true), so they are still 0 and 1; train with --bn-update-moving, or use --test-bn batch", c.Dir, options.FileName)
	}
	return cfg, nil
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
	return fmt.Sprintf("%s records ngf %d, ndf %d, separable_conv %v, lab_colorization %v, crop_size %d, gen_norm %s, kernel_size %d, which does not fit this checkpoint; put back the options.json of the run that wrote %s",
		filepath.Join(c.Dir, options.FileName), c.Options.NGF, c.Options.NDF, c.Options.SeparableConv, c.Options.LabColorization,
		c.Config.Size(), c.Config.GenNorm, c.Config.KernelSize, filepath.Base(c.Prefix))
}
