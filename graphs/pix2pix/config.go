// Package pix2pix builds the affinelayer pix2pix training graph: the U-Net
// generator, the 70x70 PatchGAN discriminator (two copies sharing one set of
// variables), the losses, the two Adam optimisers with the control
// dependency that makes the generator's update wait for the
// discriminator's, the moving averages of the losses, global_step, and the
// save/restore ops. Variable names, shapes and dtypes are those of the
// original's TensorFlow 1.x checkpoints. It builds graphs only.
package pix2pix

import "fmt"

// DiscrimReading says which values of the discriminator's weights the
// generator's gradient flows back through.
//
// In the original, the generator's gradient ops are created under the
// control dependency on the discriminator's update and read the
// discriminator's reference variables through their shared buffers: the
// backward pass through the discriminator uses the freshly updated weights
// while the forward activations came from the old ones. Resource-variable
// reads are snapshots, so reproducing that needs reads taken after the
// update, which is what ReadFresh builds.
type DiscrimReading int

const (
	// ReadFresh reproduces the original (the default): the backward pass
	// through the discriminator reads its weights after its update.
	ReadFresh DiscrimReading = iota
	// ReadSnapshot uses the weights of the forward pass, as a graph on
	// resource variables (or TensorFlow 2) would: the textbook gradient.
	ReadSnapshot
)

func (r DiscrimReading) String() string {
	switch r {
	case ReadFresh:
		return "fresh"
	case ReadSnapshot:
		return "snapshot"
	}
	return fmt.Sprintf("DiscrimReading(%d)", int(r))
}

// ParseDiscrimReading reads "fresh" or "snapshot".
func ParseDiscrimReading(s string) (DiscrimReading, error) {
	switch s {
	case "fresh", "":
		return ReadFresh, nil
	case "snapshot":
		return ReadSnapshot, nil
	}
	return 0, fmt.Errorf("discriminator reading %q: want fresh (the original's) or snapshot", s)
}

// Config holds the model's options, under the original's names.
type Config struct {
	NGF, NDF      int  // generator / discriminator filters in the first layer
	SeparableConv bool // separable convolutions in the generator

	LR, Beta1           float64 // Adam, for both optimisers
	L1Weight, GANWeight float64 // gen_loss = GANWeight*gen_loss_GAN + L1Weight*gen_loss_L1

	// InChannels and OutChannels: 3 and 3, or 1 and 2 for lab colorization.
	InChannels, OutChannels int

	// Dropout on decoder_8..6 (keep probability 0.5). The original always
	// has it; turning it off is for tests and deterministic output.
	Dropout bool

	// BNMomentum is the batch-norm momentum in TensorFlow's convention
	// (moving = momentum*moving + (1-momentum)*batch). The moving averages
	// are never used or updated by the original, so it changes nothing but
	// the op's attribute; it exists because Torch counts it the other way.
	BNMomentum float64

	// Reading: see DiscrimReading.
	Reading DiscrimReading

	// FastForms builds the generator from faster ops that compute the
	// original's function up to float rounding: the transposed
	// convolutions as four ordinary convolutions with the bias inside
	// each (see subpixelDeconv), and the leaky ReLU as one LeakyRelu op
	// instead of the original's 0.6x + 0.4|x| in three. Off by default
	// (test mode and training keep the original's ops bit for bit); infer
	// and serve turn it on (their 8-bit outputs stay within 1/255 of the
	// original's).
	FastForms bool

	// Seed derives the initialisers' seeds and the dropout masks. Dropout
	// masks are drawn from (Seed, layer, global_step), so a resumed run
	// draws what an uninterrupted one would.
	Seed int64

	// Setup names the program whose graph this is: "affinelayer" (the
	// one this package builds) or "yenchenlin" (graphs/yenchenlin's; see
	// setups.go).
	Setup string
	// CropSize is the image side, a power of two from 64 (0: 256). The
	// U-Net has log2(CropSize) levels.
	CropSize int

	// The techniques (techniques.go), each at affinelayer's value by
	// default: normalisation of each network, the kernels' initialiser
	// and its std (also the batch-norm scale's), the kernel side, the
	// discriminator's output, the GAN loss, generator updates per
	// discriminator update, the real label's target, the
	// discriminator's own learning rate (0: LR), and a linear decay of
	// both learning rates to 0 over LRDecaySteps steps from step
	// LRDecayStart (0 steps: none).
	GenNorm, DiscrimNorm string
	Init                 string
	InitStd              float64
	KernelSize           int
	DiscrimOutput        string
	GANLoss              string
	GenSteps             int
	LabelSmoothing       float64
	DiscrimLR            float64
	LRDecaySteps         int64
	LRDecayStart         int64

	// TestBN chooses the statistics batch norm uses in generator-only
	// graphs (test, infer, export): the batch's (the original's) or the
	// moving averages. BNUpdateMoving makes training update the moving
	// averages, which the original never does.
	TestBN         string
	BNUpdateMoving bool
}

// DefaultConfig is the original's defaults.
func DefaultConfig() Config {
	return Config{
		NGF: 64, NDF: 64,
		LR: 0.0002, Beta1: 0.5,
		L1Weight: 100.0, GANWeight: 1.0,
		InChannels: 3, OutChannels: 3,
		Dropout:    true,
		BNMomentum: 0.1,
		Reading:    ReadFresh,
		Setup:      SetupAffinelayer, CropSize: DefaultCropSize,
		GenNorm: NormBatch, DiscrimNorm: NormBatch,
		Init: InitNormal, InitStd: 0.02, KernelSize: 4,
		DiscrimOutput: OutputPatch, GANLoss: LossEps,
		GenSteps: 1, LabelSmoothing: 1,
		TestBN: TestBNBatch,
	}
}

// Validate rejects options the graph cannot be built with.
func (c Config) Validate() error {
	switch {
	case c.NGF < 1 || c.NDF < 1:
		return fmt.Errorf("ngf and ndf must be >= 1 (got ngf %d, ndf %d)", c.NGF, c.NDF)
	case c.InChannels < 1 || c.OutChannels < 1:
		return fmt.Errorf("channel counts must be >= 1 (got in %d, out %d)", c.InChannels, c.OutChannels)
	case c.LR <= 0:
		return fmt.Errorf("lr must be > 0 (got %g)", c.LR)
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return fmt.Errorf("beta1 must be in [0, 1) (got %g)", c.Beta1)
	case c.BNMomentum < 0 || c.BNMomentum > 1:
		return fmt.Errorf("batch-norm momentum must be in [0, 1] (got %g)", c.BNMomentum)
	case c.Setup == SetupYenchenlin:
		return c.validateYenchenlin()
	}
	return c.validateTechniques()
}

// Fixed constants of the original.
const (
	// eps keeps the logs of the losses finite.
	eps = 1e-12
	// bnEpsilon is batch norm's variance epsilon.
	bnEpsilon = 1e-5
	// Adam's constants that the original leaves at TensorFlow's defaults.
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
	// emaDecay is the decay of the loss averages.
	emaDecay = 0.99
	// dropoutRate is 1 - keep probability on decoder_8..6.
	dropoutRate = 0.5
)
