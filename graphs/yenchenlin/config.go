// Package yenchenlin builds the graph of the second TensorFlow pix2pix the
// project reproduces, yenchenlin/pix2pix-tensorflow (its TensorFlow 1.0
// head): 5x5 kernels, truncated-normal convolution weights, contrib-style
// batch norm that updates its moving averages on every run, a
// discriminator with one logit per image (d_h3_lin), sigmoid cross-entropy
// losses on the logits and one Adam per network, under that program's
// variable names, so that its checkpoints restore here and ours there.
// Like graphs/pix2pix it builds graphs only: no sessions, no files.
package yenchenlin

import "fmt"

// Size is the side of the images the program trains on (its loader fixes
// it at 256).
const Size = 256

// The program's constants (model.py, ops.py, main.py's defaults).
const (
	kernel     = 5    // every convolution and transposed convolution is 5x5
	weightStd  = 0.02 // truncated normal (conv), normal (deconv, linear)
	bnDecay    = 0.9  // contrib batch_norm decay: moving = 0.9 moving + 0.1 batch
	bnEpsilon  = 1e-5
	lreluSlope = 0.2
	l1Lambda   = 100.0
	adamBeta2  = 0.999
	adamEps    = 1e-8
	dropRate   = 0.5 // keep_prob 0.5 after the norm of d1, d2, d3
)

// Config is the setup's model options. The original's main.py never passes
// --ngf/--ndf to the model (64 always); here they are free so that tests
// run at small widths.
type Config struct {
	NGF, NDF  int
	LR, Beta1 float64
	// Dropout keeps the d1-d3 dropout (on in the original, at test time
	// too); off only for parity tests, whose masks cannot be shared.
	Dropout bool
	// Seed derives the initial weights and the dropout masks.
	Seed int64
}

// DefaultConfig is the original's: ngf = ndf = 64, lr 0.0002, beta1 0.5.
func DefaultConfig() Config {
	return Config{NGF: 64, NDF: 64, LR: 0.0002, Beta1: 0.5, Dropout: true}
}

// Validate refuses widths and rates the graph cannot be built with.
func (c Config) Validate() error {
	if c.NGF < 1 || c.NDF < 1 {
		return fmt.Errorf("yenchenlin setup: ngf %d and ndf %d must be at least 1", c.NGF, c.NDF)
	}
	if c.LR <= 0 || c.Beta1 < 0 || c.Beta1 >= 1 {
		return fmt.Errorf("yenchenlin setup: lr %g must be > 0 and beta1 %g in [0, 1)", c.LR, c.Beta1)
	}
	return nil
}
