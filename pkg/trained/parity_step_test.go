package trained

import (
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"pix2pix/pkg/session"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
)

// parityConfig is the original's graph at ngf = ndf = 8 without dropout
// (its masks are random streams the two programs cannot share).
func parityConfig() pix2pix.Config {
	c := pix2pix.DefaultConfig()
	c.NGF, c.NDF = 8, 8
	c.Seed = 11
	c.Dropout = false
	return c
}

// writeData writes random inputs and targets for batch images as a
// checkpoint the reference reads, and returns them as feeds.
func writeData(t *testing.T, prefix string, m *pix2pix.Model, batch int) map[tf.Output]*tf.Tensor {
	t.Helper()
	rng := rand.New(rand.NewSource(5))
	in := randomImages(t, rng, batch, m.Config.InChannels)
	tg := randomImages(t, rng, batch, m.Config.OutChannels)
	if err := checkpoint.WriteTensors(prefix, map[string]*tf.Tensor{"inputs": in, "targets": tg}); err != nil {
		t.Fatal(err)
	}
	return map[tf.Output]*tf.Tensor{m.Inputs: in, m.Targets: tg}
}

// TestForwardMatchesReference: same weights, same inputs, dropout off:
// outputs and both discriminator copies agree within 1e-5, with the
// weights written by Go and read by the reference, and the other way; for
// the default graph, the separable one and Lab colorization.
func TestForwardMatchesReference(t *testing.T) {
	variants := []struct {
		name  string
		batch int
		mod   func(*pix2pix.Config)
	}{
		{"default", 1, func(*pix2pix.Config) {}},
		{"batch2-separable", 2, func(c *pix2pix.Config) { c.SeparableConv = true }},
		{"lab", 1, func(c *pix2pix.Config) { c.InChannels, c.OutChannels = 1, 2 }},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			cfg := parityConfig()
			v.mod(&cfg)
			dir := t.TempDir()
			tr := newTrainer(t, cfg, int64(v.batch))
			feeds := writeData(t, filepath.Join(dir, "data"), tr.Model, v.batch)
			writers := []string{"go", "reference"}
			if v.name != "default" {
				writers = writers[:1]
			}
			for _, writer := range writers {
				prefix := filepath.Join(dir, writer+"-init")
				if writer == "go" {
					if err := tr.SaveTo(prefix); err != nil {
						t.Fatal(err)
					}
				} else {
					runRef(t, "init", cfg, v.batch, "--seed", "3", "--out", prefix)
					if err := tr.Restore(prefix); err != nil {
						t.Fatal(err)
					}
				}
				out := filepath.Join(dir, writer+"-forward")
				runRef(t, "forward", cfg, v.batch, "--ckpt", prefix, "--data", filepath.Join(dir, "data"), "--out", out)
				ref, err := checkpoint.ReadTensors(filepath.Join(out, "result"))
				if err != nil {
					t.Fatal(err)
				}
				m := tr.Model
				names := []string{"outputs", "predict_real", "predict_fake", "discrim_loss", "gen_loss_GAN", "gen_loss_L1"}
				got, err := tr.Sess.Run(feeds, []tf.Output{m.Outputs, m.PredictReal, m.PredictFake, m.DiscrimLoss, m.GenLossGAN, m.GenLossL1}, nil)
				if err != nil {
					t.Fatal(err)
				}
				var line []string
				for i, n := range names {
					d := maxAbsDiff(floats(got[i]), floats(ref[n]))
					line = append(line, fmt.Sprintf("%s %.3g", n, d))
					if d > 1e-5 {
						t.Errorf("weights from %s: %s differs from the reference by %.3g > 1e-5", writer, n, d)
					}
				}
				t.Logf("weights written by %s; max abs differences: %s", writer, strings.Join(line, ", "))
			}
		})
	}
}

// stepFigures compares one training step with the reference's.
type stepFigures struct {
	worstGradRel     float64 // max over variables of ||g - g_ref|| / ||g_ref||
	worstGradVar     string
	worstGenGradRel  float64
	worstDisGradRel  float64
	weightsOutside   int64   // elements differing by more than 1e-5
	weightsTotal     int64   //
	worstWeightDiff  float64 // max abs difference over all weights
	worstMomentRel   float64
	worstMomentName  string
	powersDiff       float64
	emaDiff          float64
	globalStepEquals bool
}

// TestTrainStepMatchesReference takes one training step from the same
// weights and inputs in Go and in the reference (the original's graph on
// TensorFlow 1.x reference variables), with both readings of the
// discriminator for the generator's gradient, and compares gradients,
// weights, Adam moments, beta powers, loss averages and global_step.
func TestTrainStepMatchesReference(t *testing.T) {
	cfg := parityConfig()
	const batch = 2
	dir := t.TempDir()
	init := newTrainer(t, cfg, batch)
	data := filepath.Join(dir, "data")
	writeData(t, data, init.Model, batch)
	if err := init.SaveTo(filepath.Join(dir, "init")); err != nil {
		t.Fatal(err)
	}
	refOut := filepath.Join(dir, "ref")
	runRef(t, "step", cfg, batch, "--ckpt", filepath.Join(dir, "init"), "--data", data, "--out", refOut, "--steps", "1")
	ref, err := checkpoint.ReadTensors(filepath.Join(refOut, "result"))
	if err != nil {
		t.Fatal(err)
	}
	refAfter, err := checkpoint.ReadTensors(filepath.Join(refOut, "model-1"))
	if err != nil {
		t.Fatal(err)
	}

	figures := map[pix2pix.DiscrimReading]stepFigures{}
	for _, reading := range []pix2pix.DiscrimReading{pix2pix.ReadFresh, pix2pix.ReadSnapshot} {
		c := cfg
		c.Reading = reading
		tr := newTrainer(t, c, batch)
		if err := tr.Restore(filepath.Join(dir, "init")); err != nil {
			t.Fatal(err)
		}
		feeds := writeData(t, filepath.Join(dir, "data-"+reading.String()), tr.Model, batch)
		f := compareStep(t, tr, feeds, ref, refAfter, filepath.Join(dir, "go-"+reading.String()))
		figures[reading] = f
		t.Logf("reading %-8s gradients: worst relative difference %.2e (%s); generator %.2e, discriminator %.2e",
			reading, f.worstGradRel, f.worstGradVar, f.worstGenGradRel, f.worstDisGradRel)
		t.Logf("reading %-8s weights: %d of %d elements differ by > 1e-5 (%.4f%%), worst %.3g (2 x lr = %.3g)",
			reading, f.weightsOutside, f.weightsTotal, 100*float64(f.weightsOutside)/float64(f.weightsTotal), f.worstWeightDiff, 2*cfg.LR)
		t.Logf("reading %-8s Adam moments: worst relative %.2e (%s); beta powers %.2g; EMA shadows %.2g; global_step equal %v",
			reading, f.worstMomentRel, f.worstMomentName, f.powersDiff, f.emaDiff, f.globalStepEquals)
	}

	// The default must match the reference on every count.
	f := figures[pix2pix.ReadFresh]
	if f.worstGradRel > 1e-4 {
		t.Errorf("fresh reading: gradient of %s differs from the reference by %.3g relative > 1e-4", f.worstGradVar, f.worstGradRel)
	}
	if float64(f.weightsOutside) > 0.001*float64(f.weightsTotal) {
		t.Errorf("fresh reading: %d of %d weights differ by more than 1e-5 (> 0.1%%)", f.weightsOutside, f.weightsTotal)
	}
	if f.worstWeightDiff > 2*cfg.LR {
		t.Errorf("fresh reading: a weight differs by %.3g > 2 x lr", f.worstWeightDiff)
	}
	if f.worstMomentRel > 1e-4 {
		t.Errorf("fresh reading: Adam moment %s differs by %.3g relative > 1e-4", f.worstMomentName, f.worstMomentRel)
	}
	if f.powersDiff > 1e-7 || f.emaDiff > 1e-6 || !f.globalStepEquals {
		t.Errorf("fresh reading: beta powers differ by %.3g, EMA shadows by %.3g, global_step equal %v", f.powersDiff, f.emaDiff, f.globalStepEquals)
	}
	// The snapshot reading is the other behaviour: its generator
	// gradients must be measurably further from the original's.
	if s := figures[pix2pix.ReadSnapshot]; s.worstGenGradRel < 10*math.Max(f.worstGenGradRel, 1e-6) {
		t.Errorf("snapshot reading's generator gradients are as close to the reference (%.3g) as the fresh reading's (%.3g): the test does not tell the readings apart",
			s.worstGenGradRel, f.worstGenGradRel)
	}
}

// compareStep runs one training step on tr, saves the result under dir,
// and measures it against the reference's result and after-step checkpoint.
func compareStep(t *testing.T, tr *Trainer, feeds map[tf.Output]*tf.Tensor, ref, refAfter map[string]*tf.Tensor, dir string) stepFigures {
	t.Helper()
	m := tr.Model
	grads := append(append([]pix2pix.Grad{}, m.DiscrimGrads...), m.GenGrads...)
	fetches := []tf.Output{m.DiscrimLossAvg, m.GenLossGANAvg, m.GenLossL1Avg}
	for _, g := range grads {
		fetches = append(fetches, g.Grad)
	}
	out, err := tr.Sess.Run(feeds, fetches, []*tf.Operation{m.Train})
	if err != nil {
		t.Fatal(err)
	}
	var f stepFigures
	gradNorm := map[string]float64{}
	for _, g := range grads {
		gradNorm[g.Var.Name] = norm(floats(ref["step_1/grad/"+g.Var.Name]))
	}
	for i, g := range grads {
		r, ok := ref["step_1/grad/"+g.Var.Name]
		if !ok {
			t.Fatalf("reference result has no gradient for %s", g.Var.Name)
		}
		if kernel := zeroGradient(g.Var.Name, m); kernel != "" {
			// Both sides' values are rounding noise; check that they are.
			scale := 1e-5 * gradNorm[kernel]
			if a, b := norm(floats(out[3+i])), norm(floats(r)); a > scale || b > scale {
				t.Errorf("%s: gradient norm %.3g (reference %.3g) should be zero up to rounding (< 1e-5 x |grad %s| = %.3g)", g.Var.Name, a, b, kernel, scale)
			}
			continue
		}
		rel := relNorm(floats(out[3+i]), floats(r))
		if rel > f.worstGradRel {
			f.worstGradRel, f.worstGradVar = rel, g.Var.Name
		}
		if strings.HasPrefix(g.Var.Name, "generator/") {
			f.worstGenGradRel = math.Max(f.worstGenGradRel, rel)
		} else {
			f.worstDisGradRel = math.Max(f.worstDisGradRel, rel)
		}
	}
	prefix := filepath.Join(dir, "model-1")
	if err := tr.SaveTo(prefix); err != nil {
		t.Fatal(err)
	}
	after, err := checkpoint.ReadTensors(prefix)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(after))
	for n := range after {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(after) != len(refAfter) {
		t.Errorf("checkpoint after the step: Go %d tensors, reference %d", len(after), len(refAfter))
	}
	for _, n := range names {
		r, ok := refAfter[n]
		if !ok {
			t.Errorf("reference checkpoint has no %s", n)
			continue
		}
		switch {
		case n == "global_step":
			f.globalStepEquals = session.Value(after[n]).(int64) == session.Value(r).(int64) && session.Value(r).(int64) == 1
		case strings.HasSuffix(n, "_power"):
			f.powersDiff = math.Max(f.powersDiff, maxAbsDiff(floats(after[n]), floats(r)))
		case strings.HasSuffix(n, "ExponentialMovingAverage"):
			f.emaDiff = math.Max(f.emaDiff, maxAbsDiff(floats(after[n]), floats(r)))
		case strings.HasSuffix(n, "/Adam") || strings.HasSuffix(n, "/Adam_1"):
			if zeroGradient(strings.TrimSuffix(strings.TrimSuffix(n, "_1"), "/Adam"), m) != "" {
				// Moments of rounding noise: tiny on both sides.
				if d := maxAbsDiff(floats(after[n]), floats(r)); d > 1e-5 {
					t.Errorf("%s: moment of a zero gradient differs by %.3g", n, d)
				}
				continue
			}
			if rel := relNorm(floats(after[n]), floats(r)); rel > f.worstMomentRel {
				f.worstMomentRel, f.worstMomentName = rel, n
			}
		default: // weights, biases, batch-norm parameters and statistics
			a, b := floats(after[n]), floats(r)
			for i := range a {
				d := math.Abs(float64(a[i]) - float64(b[i]))
				if d > 1e-5 {
					f.weightsOutside++
				}
				f.worstWeightDiff = math.Max(f.worstWeightDiff, d)
			}
			f.weightsTotal += int64(len(a))
		}
	}
	// The averages fetched with the step equal the saved shadows.
	for i, n := range []string{"discrim_loss", "gen_loss_GAN", "gen_loss_L1"} {
		f.emaDiff = math.Max(f.emaDiff, maxAbsDiff(floats(out[i]), floats(ref["step_1/ema/"+n])))
	}
	return f
}

func norm(a []float32) float64 {
	var n float64
	for _, x := range a {
		n += float64(x) * float64(x)
	}
	return math.Sqrt(n)
}

// zeroGradient reports whether name is a convolution bias followed by batch
// norm: batch norm subtracts the batch mean, so such a bias has a gradient
// of exactly zero in exact arithmetic, and its computed gradient is
// rounding noise that no two programs share. It returns the name of the
// same layer's kernel, whose gradient sets the scale of that noise, or "".
func zeroGradient(name string, m *pix2pix.Model) string {
	i := strings.LastIndex(name, "/")
	j := strings.LastIndex(name[:max(i, 0)], "/")
	if i < 0 || j < 0 || name[i+1:] != "bias" {
		return ""
	}
	layer, conv := name[:j], name[j+1:i]
	if m.Vars.Lookup(layer+"/batch_normalization/gamma") == nil {
		return ""
	}
	for _, k := range []string{"kernel", "pointwise_kernel"} {
		if m.Vars.Lookup(layer+"/"+conv+"/"+k) != nil {
			return layer + "/" + conv + "/" + k
		}
	}
	return ""
}
