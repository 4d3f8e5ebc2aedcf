package trained

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
)

// TestGenStepsAdamPowers: with --gen-steps 2 the generator's Adam runs
// twice per step, each after the previous: after k steps its beta1 power
// is beta1^(1+2k) (it starts at beta1), the discriminator's beta1^(1+k).
func TestGenStepsAdamPowers(t *testing.T) {
	tr := newTrainer(t, techConfig(func(c *pix2pix.Config) { c.GenSteps = 2 }), 1)
	fd := feeds(t, tr, 1, 2)
	b1 := tr.Model.Config.Beta1
	for k := 1; k <= 3; k++ {
		run(t, tr, fd, nil, tr.Model.Train)
		g := float64(readVar(t, tr, "generator_train/beta1_power")[0])
		d := float64(readVar(t, tr, "discriminator_train/beta1_power")[0])
		t.Logf("after %d steps: generator beta1_power %.7g (beta1^%d = %.7g), discriminator %.7g (beta1^%d = %.7g)",
			k, g, 1+2*k, math.Pow(b1, float64(1+2*k)), d, 1+k, math.Pow(b1, float64(1+k)))
		if math.Abs(g-math.Pow(b1, float64(1+2*k))) > 1e-7 || math.Abs(d-math.Pow(b1, float64(1+k))) > 1e-7 {
			t.Fatalf("after %d steps: generator %g, discriminator %g", k, g, d)
		}
	}
}

// TestLRDecayAndDiscrimLR: the learning-rate tensors of each step equal
// lr0 * max(0, 1 - max(0, step - start)/N) (N 4, start 2), the
// discriminator's from its own --discrim-lr; and the first Adam step
// moves each weight by about its optimiser's rate (Adam's first step is
// lr * g/|g| up to epsilon), so D's largest move is 1e-3, G's 2e-4.
func TestLRDecayAndDiscrimLR(t *testing.T) {
	cfg := techConfig(func(c *pix2pix.Config) { c.LRDecaySteps, c.LRDecayStart, c.DiscrimLR = 4, 2, 1e-3 })
	tr := newTrainer(t, cfg, 1)
	fd := feeds(t, tr, 1, 4)
	dName, gName := "discriminator/layer_1/conv2d/kernel", "generator/encoder_1/conv2d/kernel"
	d0, g0 := readVar(t, tr, dName), readVar(t, tr, gName)
	for step := 0; step < 8; step++ {
		out := run(t, tr, fd, []tf.Output{tr.Model.GenLR, tr.Model.DiscrimLR}, tr.Model.Train)
		factor := math.Max(0, 1-math.Max(0, float64(step-2))/4)
		gl, dl := float64(out[0].Value().(float32)), float64(out[1].Value().(float32))
		t.Logf("step %d: lr %.6g (formula %.6g), discrim lr %.6g (formula %.6g)", step, gl, 2e-4*factor, dl, 1e-3*factor)
		if math.Abs(gl-2e-4*factor) > 1e-10 || math.Abs(dl-1e-3*factor) > 1e-9 {
			t.Errorf("step %d: lr %g and %g, want %g and %g", step, gl, dl, 2e-4*factor, 1e-3*factor)
		}
		if step == 0 {
			dm, gm := maxAbsDiff(readVar(t, tr, dName), d0), maxAbsDiff(readVar(t, tr, gName), g0)
			t.Logf("first step: largest move of %s %.6g, of %s %.6g", dName, dm, gName, gm)
			if math.Abs(dm-1e-3) > 1e-6 || math.Abs(gm-2e-4) > 2e-7 {
				t.Errorf("first Adam step sizes %g (D) and %g (G), want 1e-3 and 2e-4", dm, gm)
			}
		}
	}
}

// TestCrop512: at --crop_size 512 the U-Net has nine levels (encoder_9,
// widths capped at ngf*8), outputs 512x512 and the PatchGAN 62x62; a run
// saved after one step and resumed takes its second step from the
// restored global_step and weights, equal to an uninterrupted run's.
func TestCrop512(t *testing.T) {
	cfg := smallConfig()
	cfg.CropSize, cfg.Dropout = 512, false
	tr := newTrainer(t, cfg, 1)
	if v := tr.Model.Vars.Lookup("generator/encoder_9/conv2d/kernel"); v == nil || v.Shape[3] != int64(8*cfg.NGF) {
		t.Fatalf("no encoder_9 of width ngf*8: %v", v)
	}
	fd := feeds(t, tr, 1, 6)
	out := run(t, tr, fd, []tf.Output{tr.Model.Outputs, tr.Model.PredictReal}, tr.Model.Train)
	t.Logf("crop 512: outputs %v, PatchGAN %v", out[0].Shape(), out[1].Shape())
	if fmt.Sprint(out[0].Shape()) != "[1 512 512 3]" || fmt.Sprint(out[1].Shape()) != "[1 62 62 1]" {
		t.Errorf("shapes %v and %v, want [1 512 512 3] and [1 62 62 1]", out[0].Shape(), out[1].Shape())
	}
	prefix := filepath.Join(t.TempDir(), "model-1")
	if err := tr.SaveTo(prefix); err != nil {
		t.Fatal(err)
	}
	run(t, tr, fd, nil, tr.Model.Train)
	want := readVar(t, tr, "generator/encoder_9/conv2d/kernel")

	resumed := newTrainer(t, cfg, 1)
	if err := resumed.CheckCompatible(prefix); err != nil {
		t.Fatal(err)
	}
	if err := resumed.Restore(prefix); err != nil {
		t.Fatal(err)
	}
	fd2 := map[tf.Output]*tf.Tensor{resumed.Model.Inputs: fd[tr.Model.Inputs], resumed.Model.Targets: fd[tr.Model.Targets]}
	run(t, resumed, fd2, nil, resumed.Model.Train)
	gs, err := resumed.GlobalStep()
	if err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(readVar(t, resumed, "generator/encoder_9/conv2d/kernel"), want)
	t.Logf("resumed at 512: global_step %d, encoder_9 kernel max abs difference from the uninterrupted run %g", gs, d)
	if gs != 2 || d != 0 {
		t.Errorf("resumed run: global_step %d (want 2), difference %g (want 0)", gs, d)
	}
}
