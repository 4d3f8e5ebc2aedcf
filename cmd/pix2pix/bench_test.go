package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// stepTime is one line of a --step-times file (both programs write it).
type stepTime struct {
	Step       int64
	Start, End float64
}

func readStepTimes(t *testing.T, path string) []stepTime {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []stepTime
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var s stepTime
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("%s: line %q: %v", path, line, err)
		}
		out = append(out, s)
	}
	return out
}

// checkStepTimes: one line per step, numbered from 1, each ending after it
// starts and after the previous one ends.
func checkStepTimes(t *testing.T, who string, steps []stepTime, n int) {
	t.Helper()
	if len(steps) != n {
		t.Fatalf("%s: %d step lines, want %d", who, len(steps), n)
	}
	for i, s := range steps {
		if s.Step != int64(i+1) || s.End < s.Start || (i > 0 && s.End <= steps[i-1].End) || s.Start < 1.7e9 {
			t.Errorf("%s: bad line %d: %+v", who, i+1, s)
		}
	}
}

// TestStepTimesOfBothPrograms runs the two sides of `make bench`'s training
// timing: pix2pix train --step-times and the reference harness's train
// (the original's queue pipeline and loop), three steps each, and checks
// the step logs they write.
func TestStepTimesOfBothPrograms(t *testing.T) {
	data, dir := filepath.Join(t.TempDir(), "data"), t.TempDir()
	writePairs(t, data, 3, 512, 256)
	goLog := filepath.Join(dir, "go.jsonl")
	mustRun(t, small(data, filepath.Join(dir, "run"), "--max_steps", "3", "--save_freq", "0", "--step-times", goLog)...)
	checkStepTimes(t, "pix2pix", readStepTimes(t, goLog), 3)

	refLog := filepath.Join(dir, "ref.jsonl")
	out := refHarness(t, "train", "--input_dir", data, "--ngf", "4", "--ndf", "4", "--batch_size", "2",
		"--max_steps", "3", "--step_times", refLog)
	if !strings.Contains(out, "examples count = 3") || !strings.Contains(out, "parameter_count = 225904") {
		t.Errorf("reference train output:\n%s", out)
	}
	checkStepTimes(t, "reference", readStepTimes(t, refLog), 3)

	// A step log that cannot be written stops the run before it starts.
	run2 := filepath.Join(dir, "run2")
	if _, err := run(t, small(data, run2, "--max_steps", "1",
		"--step-times", filepath.Join(dir, "missing", "x.jsonl"))...); err == nil || !strings.Contains(err.Error(), "--step-times") {
		t.Errorf("unwritable --step-times: got error %v, want one naming --step-times", err)
	}
	if _, err := os.Stat(run2); err == nil {
		t.Errorf("unwritable --step-times left %s behind", run2)
	}
}

// convMACs is one convolution's multiply-adds: output elements x kh x kw x
// C_in (4x4 kernels throughout pix2pix).
func convMACs(outH, outW, cOut, cIn int64) int64 { return outH * outW * cOut * 16 * cIn }

// TestFlopCountsMatchTheArithmetic checks the FLOP counts `make bench`
// reports (scripts/bench/ref_bench.py's `flops`, from TensorFlow's cost
// statistics) against multiply-adds counted by hand at ngf = ndf = 64,
// batch 1: the generator's forward pass, and the three kinds of
// convolution in a training step.
func TestFlopCountsMatchTheArithmetic(t *testing.T) {
	out := refBench(t, "flops", "--batch_size", "1")
	var got struct {
		Gen   int64            `json:"generator_forward_flops"`
		Train int64            `json:"train_step_flops"`
		Types map[string]int64 `json:"train_step_by_type"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &got); err != nil {
		t.Fatalf("flops output: %v\n%s", err, out)
	}
	const ngf, ndf = 64, 64
	// Generator: encoder_k halves the size; decoder_k (transposed) doubles
	// it, so its multiply-adds are counted on its input side.
	enc := []int64{3, ngf, ngf * 2, ngf * 4, ngf * 8, ngf * 8, ngf * 8, ngf * 8, ngf * 8}
	var mEnc, mDec int64
	for k := 1; k <= 8; k++ {
		size := int64(256 >> k)
		mEnc += convMACs(size, size, enc[k], enc[k-1])
		// decoder_k maps size x size x (2 C, or C for decoder_8) to
		// 2size x 2size x enc[k-1] (3 for decoder_1).
		cIn := 2 * enc[k]
		if k == 8 {
			cIn = enc[8]
		}
		mDec += convMACs(size, size, cIn, enc[k-1])
	}
	mEnc1 := convMACs(128, 128, ngf, 3)
	// Discriminator on 6 channels: 4x4 convs on 1-padded inputs, VALID:
	// 256->128->64->32 (stride 2), then 34->31 and 33->30 (stride 1).
	mD1 := convMACs(128, 128, ndf, 6)
	mD := mD1 + convMACs(64, 64, ndf*2, ndf) + convMACs(32, 32, ndf*4, ndf*2) +
		convMACs(31, 31, ndf*8, ndf*4) + convMACs(30, 30, 1, ndf*8)
	if want := 2 * (mEnc + mDec); got.Gen < want || float64(got.Gen) > 1.01*float64(want) {
		t.Errorf("generator forward: %d FLOPs, want convolutions' %d plus under 1%%", got.Gen, want)
	}
	// A step: forward (G, D twice); backward of G (kernel grads everywhere,
	// input grads but for encoder_1's), of D for its loss (kernel grads
	// twice, input grads of layers 2-5 twice), and of the fake D for the
	// generator's loss (input grads of all 5 layers).
	want := map[string]int64{
		"Conv2DBackpropFilter": 2 * (mEnc + mDec + 2*mD),
		"Conv2DBackpropInput":  2 * (mDec + mEnc - mEnc1 + 2*(mD-mD1) + mD),
	}
	for typ, w := range want {
		if got.Types[typ] != w {
			t.Errorf("%s: %d FLOPs, want %d", typ, got.Types[typ], w)
		}
	}
	// Forward convolutions, plus the transposed convolutions' input
	// gradients (ordinary convolutions); some appear fused with BiasAdd.
	conv := got.Types["Conv2D"] + got.Types["_FusedConv2D"]
	if w := 2 * (mEnc + 2*mD + mDec); conv != w {
		t.Errorf("Conv2D: %d FLOPs, want %d", conv, w)
	}
	// Convolutions are nearly all of it; the rest (batch norm, Adam,
	// elementwise ops) is counted too.
	convs := conv + got.Types["Conv2DBackpropFilter"] + got.Types["Conv2DBackpropInput"]
	if got.Train <= convs || float64(convs) < 0.97*float64(got.Train) {
		t.Errorf("training step %d FLOPs, of which convolutions %d: want convolutions 97%%-100%%", got.Train, convs)
	}
	t.Logf("generator forward %.2f GFLOP, training step %.2f GFLOP", float64(got.Gen)/1e9, float64(got.Train)/1e9)
}

// TestOneDNNFollowsTensorFlow: --onednn auto (the default) runs the kernel
// family that the reference harness gets in the same environment, which
// is TensorFlow's own choice for this CPU (so no CPU is assumed here); on
// and off restart the program with the switch set, and their kernels run.
func TestOneDNNFollowsTensorFlow(t *testing.T) {
	bin := pix2pixBinary(t)
	data, dir := filepath.Join(t.TempDir(), "data"), t.TempDir()
	writePairs(t, data, 2, 512, 256)
	env := withoutEnv(os.Environ(), "TF_ENABLE_ONEDNN_OPTS")
	ran := map[string]bool{}
	for _, mode := range []string{"auto", "on", "off"} {
		out := filepath.Join(dir, mode)
		args := small(data, out, "--max_steps", "1", "--save_freq", "0", "--trace_freq", "1", "--onednn", mode)
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if log, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pix2pix %v: %v\n%s", args, err, log)
		}
		trace, err := os.ReadFile(filepath.Join(out, "traces", "step_1.json"))
		if err != nil {
			t.Fatal(err)
		}
		ran[mode] = strings.Contains(string(trace), "_MklNative")
	}
	if !ran["on"] || ran["off"] {
		t.Errorf("oneDNN kernels in the trace: --onednn on %v (want true), off %v (want false)", ran["on"], ran["off"])
	}
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run with `make test` to compare auto with the reference")
	}
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command(py, filepath.Join(filepath.Dir(file), "..", "..", "scripts", "reference", "pix2pix_ref.py"), "onednn")
	cmd.Env = env
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference onednn: %v", err)
	}
	var ref struct {
		OneDNNKernels bool `json:"onednn_kernels"`
	}
	if err := json.Unmarshal(outb, &ref); err != nil {
		t.Fatalf("reference onednn output %q: %v", outb, err)
	}
	if ran["auto"] != ref.OneDNNKernels {
		t.Errorf("--onednn auto: oneDNN kernels %v, the reference in the same environment %v", ran["auto"], ref.OneDNNKernels)
	}
	t.Logf("oneDNN kernels: auto %v (reference %v), on %v, off %v", ran["auto"], ref.OneDNNKernels, ran["on"], ran["off"])
}

// withoutEnv drops every setting of name from env.
func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
