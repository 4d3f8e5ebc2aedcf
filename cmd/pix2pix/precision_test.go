package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// bf16Cast is in the name of every cast Grappler's bfloat16 rewrite adds
// (a node's output N becomes "<node>-N-CastToBf16-0-AutoMixedPrecision").
const bf16Cast = "CastToBf16"

// TestPrecisionBF16: --precision bf16 is mixed precision. Where this
// machine refuses it (no bfloat16 instructions, or oneDNN switched off;
// no CPU is assumed: the test takes the branch this one allows), it is a
// usage error with the reason, and `version` says no. Where it runs,
// `version` says yes; a training step's convolutions read bfloat16 casts
// in its trace (an fp32 step's none); options.json records the precision
// (an fp32 run's has no such key, as before the option existed); the
// checkpoint's variables are float32; the losses stay within 5% of an
// fp32 run's from the same seed without being equal; infer --precision
// bf16 writes outputs 1 to 16/255 from fp32 inference's; and a cluster
// run refuses it.
func TestPrecisionBF16(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	losses := map[string]map[string]float64{}
	models := map[string]string{}
	train := func(p string) string {
		models[p] = filepath.Join(t.TempDir(), p)
		out := mustRun(t, small(data, models[p], "--max_steps", "3", "--save_freq", "3", "--progress_freq", "3",
			"--trace_freq", "3", "--precision", p)...)
		losses[p] = progressLosses(t, out)
		var rec map[string]interface{}
		if b, err := os.ReadFile(filepath.Join(models[p], "options.json")); err != nil || json.Unmarshal(b, &rec) != nil {
			t.Fatalf("options.json of --precision %s: %v", p, err)
		}
		return fmt.Sprint(rec["precision"])
	}
	if got := train("fp32"); got != "<nil>" {
		t.Errorf("--precision fp32: options.json records precision %s, want no such key", got)
	}
	version := mustRun(t, "version")
	refusal := (session.Options{Precision: session.PrecisionBF16}).CheckPrecision("")
	if refusal != nil {
		_, err := run(t, small(data, filepath.Join(t.TempDir(), "m"), "--max_steps", "1", "--precision", "bf16")...)
		if err == nil || exitCode(err) != exitUsage || err.Error() != refusal.Error() {
			t.Errorf("--precision bf16 where it is refused: %v (exit %d), want a usage error %q", err, exitCode(err), refusal)
		}
		if !strings.Contains(version, "bf16        no: "+refusal.Error()) {
			t.Errorf("version does not give the refusal %q:\n%s", refusal, version)
		}
		t.Logf("--precision bf16 is refused here: %v", refusal)
		return
	}
	if !strings.Contains(version, "bf16        yes: --precision bf16 runs") {
		t.Errorf("version does not say that --precision bf16 runs:\n%s", version)
	}
	out, code := runBin(t, pix2pixBinary(t), "train", "--input_dir", data, "--output_dir", t.TempDir(),
		"--cluster", clusterSpec(freeAddrs(t, 2)), "--task", "0", "--precision", "bf16")
	if code != exitUsage || !strings.Contains(out, "--precision bf16 with --cluster") {
		t.Errorf("train --precision bf16 --cluster: exit %d, want %d and the reason\n%s", code, exitUsage, out)
	}
	if got := train("bf16"); got != "bf16" {
		t.Errorf("--precision bf16: options.json records precision %s", got)
	}
	for _, p := range []string{"fp32", "bf16"} {
		trace, err := os.ReadFile(filepath.Join(models[p], "traces", "step_3.json"))
		if err != nil {
			t.Fatal(err)
		}
		casts := convsReadingBF16(t, trace)
		t.Logf("%s: losses %v; convolutions reading a bfloat16 cast %v", p, losses[p], casts)
		for _, layer := range []string{"generator/encoder_1/", "generator/decoder_1/", "discriminator/layer_1/"} {
			if got, want := casts[layer] > 0, p == "bf16"; got != want {
				t.Errorf("--precision %s: a %s convolution reads a %s op: %v, want %v", p, layer, bf16Cast, got, want)
			}
		}
	}
	for name, want := range losses["fp32"] {
		got, ok := losses["bf16"][name]
		if !ok || got == want || abs(got-want) > 0.05*abs(want) {
			t.Errorf("%s after 3 steps: bf16 %v, fp32 %v: want within 5%% and not equal (equal: no rewrite)", name, got, want)
		}
	}
	entries, err := checkpoint.List(filepath.Join(models["bf16"], "model-3"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.DType != tf.Float && e.Name != "global_step" {
			t.Errorf("bf16 checkpoint: %s is %v, want float32", e.Name, e.DType)
		}
	}
	a := halves(t, data)
	outs := map[string]string{}
	for _, p := range []string{"fp32", "bf16"} {
		outs[p] = filepath.Join(t.TempDir(), "infer-"+p)
		mustRun(t, "infer", "--model", models["bf16"], "--output_dir", outs[p], "--no-test-dropout", "--precision", p, a)
	}
	for _, name := range []string{"01.png", "02.png", "03.png"} {
		d := maxPixelDiff(t, readPNG(t, filepath.Join(outs["bf16"], name)), readPNG(t, filepath.Join(outs["fp32"], name)))
		t.Logf("%s: infer --precision bf16 is %d/255 from fp32", name, d)
		if d == 0 || d > 16 {
			t.Errorf("%s: infer --precision bf16 is %d/255 from fp32, want 1 to 16", name, d)
		}
	}
}

// progressLosses reads the losses train prints at its last progress line.
func progressLosses(t *testing.T, out string) map[string]float64 {
	t.Helper()
	m := map[string]float64{}
	for _, g := range regexp.MustCompile(`(?m)^(discrim_loss|gen_loss_GAN|gen_loss_L1) (\S+)$`).FindAllStringSubmatch(out, -1) {
		v, err := strconv.ParseFloat(g[2], 64)
		if err != nil {
			t.Fatalf("loss line %q: %v", g[0], err)
		}
		m[g[1]] = v
	}
	if len(m) != 3 {
		t.Fatalf("train printed losses %v, want discrim_loss, gen_loss_GAN and gen_loss_L1\n%s", m, out)
	}
	return m
}

// convsReadingBF16 counts, by layer, the traced convolution kernels
// (forward and backward) with an input from a bfloat16 cast.
func convsReadingBF16(t *testing.T, trace []byte) map[string]int {
	t.Helper()
	var tr struct {
		TraceEvents []struct {
			Cat  string `json:"cat"`
			Args struct {
				Label string `json:"label"`
			} `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(trace, &tr); err != nil {
		t.Fatalf("trace: %v", err)
	}
	layer := regexp.MustCompile(`(generator/(en|de)coder_\d+/|discriminator/layer_\d+/)`)
	n := map[string]int{}
	for _, e := range tr.TraceEvents {
		if !strings.Contains(e.Cat, "Conv2D") {
			continue
		}
		node, inputs, ok := strings.Cut(e.Args.Label, " = ")
		if l := layer.FindString(node); ok && l != "" && strings.Contains(inputs, bf16Cast) {
			n[l]++
		}
	}
	return n
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
