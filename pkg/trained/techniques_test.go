package trained

import (
	"fmt"
	"math"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
)

// TestInstanceNormIsPerImageAndChannel: with --gen-norm instance, the
// normalised encoder_2 activations of each image and channel have mean 0
// and variance 1 (within 1e-5; --init-std 1 keeps the variance far above
// the 1e-5 epsilon), in a batch of 2.
func TestInstanceNormIsPerImageAndChannel(t *testing.T) {
	cfg := techConfig(func(c *pix2pix.Config) { c.GenNorm, c.InitStd = pix2pix.NormInstance, 1 })
	tr := newTrainer(t, cfg, 2)
	y := opOutput(t, tr.Graph, "generator/encoder_2/instance_norm/output")
	out := run(t, tr, feeds(t, tr, 2, 3), []tf.Output{y})[0]
	sh := out.Shape()
	v := floats(out)
	n, hw, c := int(sh[0]), int(sh[1]*sh[2]), int(sh[3])
	var worstMean, worstVar float64
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			var s, s2 float64
			for p := 0; p < hw; p++ {
				x := float64(v[(b*hw+p)*c+ch])
				s += x
				s2 += x * x
			}
			m := s / float64(hw)
			worstMean = math.Max(worstMean, math.Abs(m))
			worstVar = math.Max(worstVar, math.Abs(s2/float64(hw)-m*m-1))
		}
	}
	t.Logf("instance norm %v: max |mean| %.3g, max |variance-1| %.3g", sh, worstMean, worstVar)
	if worstMean > 1e-5 || worstVar > 1e-5 {
		t.Errorf("per image and channel: max |mean| %g, max |variance-1| %g, want both <= 1e-5", worstMean, worstVar)
	}
	for _, v := range tr.Model.Vars.All() {
		if strings.HasPrefix(v.Name, "generator/") && strings.Contains(v.Name, "batch_normalization") {
			t.Errorf("instance norm model has batch-norm variable %s", v.Name)
		}
	}
}

// lossFormula computes the GAN losses of issue 16 in float64 from the
// fetched discriminator outputs: probabilities p and logits l.
func lossFormula(loss string, f float64, pr, pf, lr, lf []float32) (d, g float64) {
	n := float64(len(pr))
	sce := func(x, z float64) float64 { return math.Max(x, 0) - x*z + math.Log1p(math.Exp(-math.Abs(x))) }
	for i := range pr {
		r, fk, a, b := float64(pr[i]), float64(pf[i]), float64(lr[i]), float64(lf[i])
		switch loss {
		case pix2pix.LossEps:
			d += -(f*math.Log(r+1e-12) + (1-f)*math.Log(1-r+1e-12) + math.Log(1-fk+1e-12))
			g += -math.Log(fk + 1e-12)
		case pix2pix.LossLogits:
			d += sce(a, f) + sce(b, 0)
			g += sce(b, 1)
		case pix2pix.LossLSGAN:
			d += 0.5 * ((a-f)*(a-f) + b*b)
			g += (b - 1) * (b - 1)
		case pix2pix.LossHinge:
			d += math.Max(0, 1-a) + math.Max(0, 1+b)
			g += -b
		}
	}
	return d / n, g / n
}

// TestGANLossesEqualTheirFormulas: for each --gan-loss (and label
// smoothing 0.9 where it applies), discrim_loss and gen_loss_GAN equal
// the formula computed from the fetched discriminator outputs.
func TestGANLossesEqualTheirFormulas(t *testing.T) {
	cases := []struct {
		loss   string
		smooth float64
		output string
	}{
		{pix2pix.LossEps, 1, pix2pix.OutputPatch}, {pix2pix.LossEps, 0.9, pix2pix.OutputPatch},
		{pix2pix.LossLogits, 0.9, pix2pix.OutputPatch}, {pix2pix.LossLSGAN, 1, pix2pix.OutputPatch},
		{pix2pix.LossLSGAN, 0.9, pix2pix.OutputScalar}, {pix2pix.LossHinge, 1, pix2pix.OutputPatch},
	}
	for _, k := range cases {
		t.Run(fmt.Sprintf("%s_%g_%s", k.loss, k.smooth, k.output), func(t *testing.T) {
			cfg := techConfig(func(c *pix2pix.Config) {
				c.GANLoss, c.LabelSmoothing, c.DiscrimOutput, c.InitStd = k.loss, k.smooth, k.output, 0.2
			})
			tr := newTrainer(t, cfg, 2)
			m := tr.Model
			out := run(t, tr, feeds(t, tr, 2, 5), []tf.Output{m.PredictReal, m.PredictFake, m.RealLogits, m.FakeLogits, m.DiscrimLoss, m.GenLossGAN})
			d, g := lossFormula(k.loss, k.smooth, floats(out[0]), floats(out[1]), floats(out[2]), floats(out[3]))
			gotD, gotG := float64(out[4].Value().(float32)), float64(out[5].Value().(float32))
			t.Logf("discrim_loss %.7g (formula %.7g), gen_loss_GAN %.7g (formula %.7g)", gotD, d, gotG, g)
			if math.Abs(gotD-d) > 1e-5*math.Max(1, math.Abs(d)) || math.Abs(gotG-g) > 1e-5*math.Max(1, math.Abs(g)) {
				t.Errorf("losses differ from the formula: D %g vs %g, G %g vs %g", gotD, d, gotG, g)
			}
		})
	}
}

// TestShapesOfTheOptions: --kernel-size 5 gives 5x5 kernels everywhere,
// --discrim-output scalar a [batch, 1] output with a dense layer, and the
// PatchGAN is 30x30 at 256 (shape only, not run) and 6x6 at 64.
func TestShapesOfTheOptions(t *testing.T) {
	tr := newTrainer(t, techConfig(func(c *pix2pix.Config) { c.KernelSize = 5; c.DiscrimOutput = pix2pix.OutputScalar }), 2)
	kernels := 0
	for _, v := range tr.Model.Vars.All() {
		if strings.HasSuffix(v.Name, "/kernel") && !strings.Contains(v.Name, "dense") && !strings.Contains(v.Name, "/Adam") {
			kernels++
			if v.Shape[0] != 5 || v.Shape[1] != 5 {
				t.Errorf("%s is %v, want 5x5", v.Name, v.Shape)
			}
		}
	}
	out := run(t, tr, feeds(t, tr, 2, 1), []tf.Output{tr.Model.PredictReal})[0]
	t.Logf("kernel-size 5: %d kernels 5x5; scalar output shape %v", kernels, out.Shape())
	if fmt.Sprint(out.Shape()) != "[2 1]" {
		t.Errorf("scalar output shape %v, want [2 1]", out.Shape())
	}
	if v := tr.Model.Vars.Lookup("discriminator/layer_5/dense/kernel"); v == nil || v.Shape[1] != 1 {
		t.Errorf("no dense [n, 1] layer_5 kernel")
	}
	_, m, _, err := Build(smallConfig(), Placeholders(smallConfig(), 1))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(m.PredictReal.Shape()); got != "[1, 30, 30, 1]" {
		t.Errorf("PatchGAN at 256 is %s, want [1, 30, 30, 1]", got)
	}
}

// TestTruncatedNormalInit: --init truncated_normal draws no kernel
// weight beyond 2 std (here 0.05), where N(0, std) draws many.
func TestTruncatedNormalInit(t *testing.T) {
	count := func(init string) (beyond int, max float64) {
		tr := newTrainer(t, techConfig(func(c *pix2pix.Config) { c.Init, c.InitStd = init, 0.05 }), 1)
		for _, v := range tr.Model.Vars.All() {
			if !strings.HasSuffix(v.Name, "/kernel") {
				continue
			}
			for _, x := range readVar(t, tr, v.Name) {
				a := math.Abs(float64(x))
				max = math.Max(max, a)
				if a > 2*0.05 {
					beyond++
				}
			}
		}
		return beyond, max
	}
	tb, tm := count(pix2pix.InitTruncated)
	nb, nm := count(pix2pix.InitNormal)
	t.Logf("truncated_normal: %d weights beyond 2 std (max |w| %.4f); normal: %d (max %.4f)", tb, tm, nb, nm)
	if tb != 0 || nb == 0 {
		t.Errorf("beyond 2 std: truncated %d (want 0), normal %d (want > 0)", tb, nb)
	}
}
