package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// small are the options of a fast training run at ngf = ndf = 4.
func small(in, out string, extra ...string) []string {
	return append([]string{"train", "--input_dir", in, "--output_dir", out, "--ngf", "4", "--ndf", "4",
		"--seed", "3", "--progress_freq", "0", "--summary_freq", "0"}, extra...)
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("pix2pix %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestTrainWritesOriginalFiles trains 30 steps with every frequency set
// and checks the files the original writes, under its names.
func TestTrainWritesOriginalFiles(t *testing.T) {
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "run")
	writePairs(t, data, 4, 256, 256)
	log := mustRun(t, small(data, out, "--max_steps", "30", "--summary_freq", "10", "--progress_freq", "10",
		"--display_freq", "15", "--save_freq", "10", "--trace_freq", "30")...)
	for _, want := range []string{"examples count = 4", "parameter_count = 225904", "progress  epoch 8  step 2  image/sec",
		"recording summary", "saving display images", "recording trace", "saving model"} {
		if !strings.Contains(log, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, f := range []string{"options.json", "checkpoint", "model-30.index", "model-30.data-00000-of-00001", "model-30.meta",
		"index.html", "images/00000015-01-inputs.png", "traces/step_30.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	for _, f := range []string{"model-10.index", "model-20.index"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s kept: only the newest checkpoint should remain", f)
		}
	}
	st, err := checkpoint.ReadState(out)
	if err != nil || st.ModelCheckpointPath != "model-30" || len(st.AllModelCheckpointPaths) != 1 {
		t.Errorf("state file: %+v, %v", st, err)
	}
	// index.html references images that exist.
	html, _ := os.ReadFile(filepath.Join(out, "index.html"))
	srcs := regexp.MustCompile(`src='([^']+)'`).FindAllStringSubmatch(string(html), -1)
	if len(srcs) != 6 {
		t.Errorf("index.html references %d images, want 6 (2 display steps x inputs, outputs, targets)", len(srcs))
	}
	for _, m := range srcs {
		if _, err := os.Stat(filepath.Join(out, m[1])); err != nil {
			t.Errorf("index.html references missing %s", m[1])
		}
	}
	checkEvents(t, out)
}

// checkEvents reads the event files with TensorBoard's own reader.
func checkEvents(t *testing.T, dir string) {
	if os.Getenv("PIX2PIX_REF_PYTHON") == "" {
		t.Log("PIX2PIX_REF_PYTHON not set (run `make test`): TensorBoard reader check skipped")
		return
	}
	ev := readEvents(t, dir)[0]
	for _, want := range []struct {
		tags []string
		tag  string
	}{
		{ev.Scalars, "discriminator_loss_1"}, {ev.Scalars, "generator_loss_GAN"}, {ev.Scalars, "generator_loss_L1"},
		{ev.Images, "inputs_summary/inputs/image/0"}, {ev.Images, "targets_summary/targets/image/0"},
		{ev.Images, "outputs_summary/outputs/image/0"}, {ev.Images, "predict_real_summary/predict_real/image/0"},
		{ev.Images, "predict_fake_summary/predict_fake/image/0"},
		{ev.Histograms, "generator/encoder_1/conv2d/kernel/values"}, {ev.Histograms, "generator/encoder_1/conv2d/kernel/gradients"},
		{ev.Histograms, "discriminator/layer_5/conv2d/bias/values"}, {ev.Histograms, "discriminator/layer_5/conv2d/bias/gradients"},
	} {
		if !contains(want.tags, want.tag) {
			t.Errorf("TensorBoard finds no %s tag", want.tag)
		}
	}
	if len(ev.Histograms) != 2*76 {
		t.Errorf("TensorBoard finds %d histogram tags, want %d (values and gradients of 76 trainable variables)", len(ev.Histograms), 2*76)
	}
	if !ev.Graph {
		t.Errorf("TensorBoard finds no graph in the event file")
	}
	if !contains(ev.RunMetadata, "step_30") {
		t.Errorf("TensorBoard finds no step_30 trace, only %q", ev.RunMetadata)
	}
	t.Logf("TensorBoard: scalar points %v, graph %v", ev.ScalarCounts, ev.Graph)
}

// TestResumeReplaysUninterruptedRun: 10 steps, stop, resume 10 more; with
// the seed fixed the weights equal those of 20 uninterrupted steps.
func TestResumeReplaysUninterruptedRun(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	whole, split := filepath.Join(t.TempDir(), "whole"), filepath.Join(t.TempDir(), "split")
	mustRun(t, small(data, whole, "--max_steps", "20", "--save_freq", "20")...)
	mustRun(t, small(data, split, "--max_steps", "10", "--save_freq", "10")...)
	log := mustRun(t, small(data, split, "--max_steps", "10", "--save_freq", "10", "--checkpoint", split)...)
	if !strings.Contains(log, "loading model from checkpoint") {
		t.Errorf("resume did not load the checkpoint:\n%s", log)
	}
	worst, where := checkpointDiff(t, filepath.Join(whole, "model-20"), filepath.Join(split, "model-20"))
	for _, dir := range []string{whole, split} {
		v, err := checkpoint.ReadTensors(filepath.Join(dir, "model-20"), "global_step")
		if err != nil || session.Value(v["global_step"]).(int64) != 20 {
			t.Errorf("%s/model-20: global_step %v (%v), want 20", dir, v["global_step"], err)
		}
	}
	t.Logf("20 steps vs 10 + 10 resumed: max abs difference %.3g (%s)", worst, where)
	if worst > 1e-6 {
		t.Errorf("resumed run differs from the uninterrupted one by %.3g at %s (> 1e-6)", worst, where)
	}
}

// checkpointDiff is the largest |a - b| over two checkpoints' float
// tensors, and where: they must hold the same tensors, global_step
// (int64) equal.
func checkpointDiff(t *testing.T, a, b string) (worst float64, where string) {
	t.Helper()
	ta, err := checkpoint.ReadTensors(a)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := checkpoint.ReadTensors(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ta) != len(tb) {
		t.Errorf("%s holds %d tensors, %s %d", a, len(ta), b, len(tb))
	}
	for name, x := range ta {
		y, ok := tb[name]
		if !ok {
			t.Errorf("%s lacks %s", b, name)
			continue
		}
		if name == "global_step" {
			if session.Value(x).(int64) != session.Value(y).(int64) {
				t.Errorf("global_step %v in %s, %v in %s", session.Value(x), a, session.Value(y), b)
			}
			continue
		}
		if d := maxDiff(t, x, y); d > worst || where == "" {
			worst, where = d, name
		}
	}
	return worst, where
}

// maxDiff is the largest |a - b| over two float32 tensors.
func maxDiff(t *testing.T, a, b *tf.Tensor) float64 {
	fa, err := session.Floats(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := session.Floats(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fa) != len(fb) {
		t.Fatalf("sizes differ: %d, %d", len(fa), len(fb))
	}
	m := 0.0
	for i := range fa {
		m = math.Max(m, math.Abs(float64(fa[i])-float64(fb[i])))
	}
	return m
}

// TestTrainVariants: Lab colorization (both directions), BtoA, separable
// convolutions and batch 2 build and train.
func TestTrainVariants(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	for _, extra := range [][]string{
		{"--lab_colorization"},
		{"--lab_colorization", "--which_direction", "BtoA", "--display_freq", "2"},
		{"--which_direction", "BtoA", "--separable_conv", "--batch_size", "2", "--display_freq", "2"},
	} {
		out := filepath.Join(t.TempDir(), "run")
		mustRun(t, small(data, out, append([]string{"--max_steps", "2", "--save_freq", "2"}, extra...)...)...)
		if _, err := checkpoint.Latest(out); err != nil {
			t.Errorf("%v: %v", extra, err)
		}
	}
}
