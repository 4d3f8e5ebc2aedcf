package main

import (
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// yenRef runs scripts/reference/yenchenlin_ref.py at ngf = ndf = 4
// without dropout.
func yenRef(t *testing.T, sub string, args ...string) string {
	t.Helper()
	a := append([]string{sub, "--ngf", "4", "--ndf", "4", "--no_dropout", "--seed", "3"}, args...)
	return runRefScript(t, filepath.Join("reference", "yenchenlin_ref.py"), a...)
}

// yenSmall are the options of a fast yenchenlin run.
func yenSmall(in, out string, extra ...string) []string {
	return small(in, out, append([]string{"--setup", "yenchenlin", "--no-dropout"}, extra...)...)
}

// TestYenchenlinSetupCLI: --setup yenchenlin end to end against the
// reference harness. A bad combination is a usage error; a 2-iteration
// CLI run writes a checkpoint (global_step 2, D's beta1_power 0.5^3, G's
// 0.5^5: one D and two G updates per iteration) that the reference
// restores, its forward equal to ours within 1e-5; `pix2pix test` on the
// reference's own checkpoint directory (110 variables, no options.json)
// matches the reference's forward on the same image within 1/255;
// resuming from it says Adam starts afresh; infer and export run.
func TestYenchenlinSetupCLI(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 2, 256, 256)
	checkYenRefused(t, data)

	ours := filepath.Join(t.TempDir(), "ours")
	log := mustRun(t, yenSmall(data, ours, "--max_steps", "2", "--save_freq", "2", "--progress_freq", "1")...)
	if !strings.Contains(log, "d_loss") || !strings.Contains(log, "g_loss") {
		t.Errorf("no d_loss/g_loss progress lines:\n%s", log)
	}
	rec, err := os.ReadFile(filepath.Join(ours, "options.json"))
	if err != nil || !strings.Contains(string(rec), `"setup": "yenchenlin"`) || !strings.Contains(string(rec), `"which_direction": "BtoA"`) {
		t.Errorf("options.json does not record setup yenchenlin and which_direction BtoA (%v):\n%s", err, rec)
	}
	checkYenPowers(t, filepath.Join(ours, "model-2"), 2)

	// Ours -> reference: same forward within 1e-5.
	arrays := filepath.Join(t.TempDir(), "arrays")
	yenRef(t, "data", "--out", arrays)
	fwd := filepath.Join(t.TempDir(), "fwd")
	yenRef(t, "forward", "--ckpt", filepath.Join(ours, "model-2"), "--data", arrays, "--out", fwd)
	compareYenForward(t, filepath.Join(ours, "model-2"), arrays, filepath.Join(fwd, "result"))

	// Reference -> ours: its own directory, no options.json.
	refInit := filepath.Join(t.TempDir(), "init", "model")
	yenRef(t, "init", "--out", refInit)
	refDir := filepath.Join(t.TempDir(), "ref")
	yenRef(t, "step", "--ckpt", refInit, "--data", arrays, "--out", refDir, "--steps", "1")
	testOut := filepath.Join(t.TempDir(), "test")
	mustRun(t, "test", "--checkpoint", refDir, "--setup", "yenchenlin", "--no-test-dropout", "--input_dir", data, "--output_dir", testOut, "--max_steps", "1")
	compareYenTest(t, filepath.Join(data, "01.png"), filepath.Join(testOut, "images", "01-outputs.png"), filepath.Join(refDir, "pix2pix.model-1"))

	again := filepath.Join(t.TempDir(), "again")
	log = mustRun(t, yenSmall(data, again, "--max_steps", "1", "--save_freq", "1", "--checkpoint", refDir)...)
	if !strings.Contains(log, "pix2pix.model-1 holds no Adam state") || !strings.Contains(log, "Adam starts afresh") {
		t.Errorf("resuming from the reference's checkpoint did not say Adam starts afresh:\n%s", log)
	}
	gs, err := checkpoint.ReadTensors(filepath.Join(again, "model-2"), "global_step")
	if err != nil || session.Value(gs["global_step"]).(int64) != 2 {
		t.Errorf("resumed from pix2pix.model-1 for 1 step: want model-2 with global_step 2 (%v)", err)
	}

	inferOut := filepath.Join(t.TempDir(), "infer")
	mustRun(t, "infer", "--model", ours, "--output_dir", inferOut, "--no-test-dropout", data)
	if b := readPNG(t, filepath.Join(inferOut, "01.png")).Bounds(); b.Dx() != 512 || b.Dy() != 256 {
		t.Errorf("infer output is %v, want the input's size, 512x256 (infer resizes back)", b)
	}
	exp := filepath.Join(t.TempDir(), "export")
	mustRun(t, "export", "--checkpoint", ours, "--output_dir", exp)
	for _, f := range []string{"export.meta", "export.index", "saved_model/saved_model.pb"} {
		if _, err := os.Stat(filepath.Join(exp, f)); err != nil {
			t.Errorf("export of a yenchenlin run: %v", err)
		}
	}
	t.Logf("yenchenlin setup: CLI checkpoint restores in the reference, the reference's directory runs in test and resumes with fresh Adam, infer and export run")
}

// checkYenRefused: options the setup fixes are usage errors (exit 2)
// naming the flag.
func checkYenRefused(t *testing.T, data string) {
	t.Helper()
	for _, bad := range [][]string{{"--gen-norm", "instance"}, {"--crop_size", "128"}, {"--kernel-size", "5"}} {
		out, err := run(t, yenSmall(data, filepath.Join(t.TempDir(), "bad"), bad...)...)
		var ec cli.ExitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != exitUsage || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("--setup yenchenlin %s: want a usage error (exit 2) naming %s, got %v\n%s", strings.Join(bad, " "), bad[0], err, out)
		}
	}
}

// checkYenPowers checks global_step and the Adam beta powers of step gs:
// D's beta1_power starts at 0.5 and is multiplied once per D update (one
// per iteration), G's beta1_power_1 once per G update (two).
func checkYenPowers(t *testing.T, prefix string, gs int64) {
	t.Helper()
	v, err := checkpoint.ReadTensors(prefix, "global_step", "beta1_power", "beta1_power_1")
	if err != nil {
		t.Fatal(err)
	}
	d := float64(session.Value(v["beta1_power"]).(float32))
	g := float64(session.Value(v["beta1_power_1"]).(float32))
	t.Logf("%s: global_step %d, beta1_power %g, beta1_power_1 %g", filepath.Base(prefix), session.Value(v["global_step"]), d, g)
	if got := session.Value(v["global_step"]).(int64); got != gs {
		t.Errorf("global_step %d, want %d", got, gs)
	}
	if want := math.Pow(0.5, float64(gs+1)); math.Abs(d-want) > 1e-7 {
		t.Errorf("beta1_power %g, want 0.5^%d", d, gs+1)
	}
	if want := math.Pow(0.5, float64(2*gs+1)); math.Abs(g-want) > 1e-7 {
		t.Errorf("beta1_power_1 %g, want 0.5^%d", g, 2*gs+1)
	}
}

// compareYenForward runs our training graph's forward from the checkpoint
// at prefix on the reference's arrays and compares it with the
// reference's result.
func compareYenForward(t *testing.T, prefix, arrays, result string) {
	t.Helper()
	cfg := yenchenlin.DefaultConfig()
	cfg.NGF, cfg.NDF, cfg.Dropout = 4, 4, false
	y, err := trained.NewYenchenlin(cfg, 1, session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if _, err := y.RestoreAny(prefix); err != nil {
		t.Fatal(err)
	}
	in, err := checkpoint.ReadTensors(arrays)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := checkpoint.ReadTensors(result)
	if err != nil {
		t.Fatal(err)
	}
	m := y.Model
	got, err := y.Sess.Run(map[tf.Output]*tf.Tensor{m.RealAB: in["real_A_and_B"]}, []tf.Output{m.FakeB, m.DLogits, m.DFakeLogits}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []string{"fake_B", "D_logits", "D_logits_"} {
		d := maxDiff(t, got[i], ref[n])
		t.Logf("reference forward from %s: %s max abs difference %.3g", filepath.Base(prefix), n, d)
		if d > 1e-5 {
			t.Errorf("%s differs from the reference's by %.3g > 1e-5", n, d)
		}
	}
}

// compareYenTest feeds the pair image (left half real_B, right half
// real_A, as the program's loader) to the reference's forward from
// prefix and compares its fake_B, as 8-bit, with test mode's output.
func compareYenTest(t *testing.T, pair, output, prefix string) {
	t.Helper()
	img := readPNG(t, pair)
	ab := make([][][][]float32, 1)
	ab[0] = make([][][]float32, 256)
	for y := range 256 {
		ab[0][y] = make([][]float32, 256)
		for x := range 256 {
			ab[0][y][x] = append(pixel(img, x, y), pixel(img, x+256, y)...)
		}
	}
	tens, err := tf.NewTensor(ab)
	if err != nil {
		t.Fatal(err)
	}
	arrays := filepath.Join(t.TempDir(), "image")
	if err := checkpoint.WriteTensors(arrays, map[string]*tf.Tensor{"real_A_and_B": tens}); err != nil {
		t.Fatal(err)
	}
	fwd := filepath.Join(t.TempDir(), "fwd")
	yenRef(t, "forward", "--ckpt", prefix, "--data", arrays, "--out", fwd)
	ref, err := checkpoint.ReadTensors(filepath.Join(fwd, "result"), "fake_B")
	if err != nil {
		t.Fatal(err)
	}
	want, err := session.Floats(ref["fake_B"])
	if err != nil {
		t.Fatal(err)
	}
	out := readPNG(t, output)
	var worst float64
	for y := range 256 {
		for x := range 256 {
			for c, v := range pixel(out, x, y) {
				worst = math.Max(worst, math.Abs(float64(v-want[(y*256+x)*3+c]))/2) // [-1, 1] -> [0, 1]
			}
		}
	}
	t.Logf("pix2pix test on the reference's %s vs its forward: max abs difference %.4f (1/255 = %.4f)", filepath.Base(prefix), worst, 1.0/255)
	if worst > 1.0/255+1e-6 {
		t.Errorf("test output differs from the reference's forward by %.4f > 1/255", worst)
	}
}

// pixel is (x, y) of img in [-1, 1], RGB.
func pixel(img image.Image, x, y int) []float32 {
	r, g, b, _ := img.At(x, y).RGBA()
	f := func(v uint32) float32 { return float32(v>>8)/127.5 - 1 }
	return []float32{f(r), f(g), f(b)}
}
