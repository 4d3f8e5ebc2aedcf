package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// breakdownRow is one op type or layer of scripts/bench/breakdown.py's
// JSON output.
type breakdownRow struct {
	Us         float64  `json:"us"`
	ConvUs     float64  `json:"conv_us"`
	Share      float64  `json:"share"`
	FlopsShare *float64 `json:"flops_share"`
}

type breakdownOut struct {
	SpanUs   float64                 `json:"span_us"`
	BusyUs   float64                 `json:"busy_us"`
	ByType   map[string]breakdownRow `json:"by_type"`
	ByLayer  map[string]breakdownRow `json:"by_layer"`
	Fraction float64                 `json:"fraction_of_peak"`
	ConvFrac float64                 `json:"conv_fraction_of_peak"`
}

// runBreakdown aggregates a trace with breakdown.py, against the
// reference's FLOPs at ngf = ndf = 4 (flops, a ref_bench.py flops
// output) and a nominal 100 GFLOP/s peak.
func runBreakdown(t *testing.T, trace, flops, which string, images int) breakdownOut {
	t.Helper()
	out := filepath.Join(t.TempDir(), "breakdown.json")
	runRefScript(t, filepath.Join("bench", "breakdown.py"), trace, "--flops", flops, "--which", which,
		"--images", fmt.Sprint(images), "--peak", "100", "--json", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got breakdownOut
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	return got
}

// checkBreakdown: shares of op types and of layers each sum to 1; every
// layer named in want ran a convolution (so gradient nodes, named without
// a layer scope, were attributed by their inputs); the FLOP shares by
// layer sum to 1 too; the fractions of the peak are positive.
func checkBreakdown(t *testing.T, who string, b breakdownOut, wantTypes []string, layers []string) {
	t.Helper()
	sum := func(rows map[string]breakdownRow, f func(breakdownRow) float64) float64 {
		s := 0.0
		for _, r := range rows {
			s += f(r)
		}
		return s
	}
	share := func(r breakdownRow) float64 { return r.Share }
	t.Logf("%s: span %.1f ms, op time %.1f ms, %d op types, %d layers, fraction of peak %.3f (convolutions %.3f)",
		who, b.SpanUs/1e3, b.BusyUs/1e3, len(b.ByType), len(b.ByLayer), b.Fraction, b.ConvFrac)
	if s := sum(b.ByType, share); math.Abs(s-1) > 1e-9 {
		t.Errorf("%s: op-type shares sum to %v", who, s)
	}
	if s := sum(b.ByLayer, share); math.Abs(s-1) > 1e-9 {
		t.Errorf("%s: layer shares sum to %v", who, s)
	}
	fs := sum(b.ByLayer, func(r breakdownRow) float64 {
		if r.FlopsShare == nil {
			return math.NaN()
		}
		return *r.FlopsShare
	})
	// Layers that ran nothing but cost FLOPs in the reference would make
	// the sum below 1.
	if math.Abs(fs-1) > 1e-6 {
		t.Errorf("%s: FLOP shares of the traced layers sum to %v", who, fs)
	}
	var types []string
	for k := range b.ByType {
		types = append(types, k)
	}
	for _, w := range wantTypes {
		if !strings.Contains(strings.Join(types, " "), w) {
			t.Errorf("%s: no op type containing %q among %v", who, w, types)
		}
	}
	for _, l := range layers {
		if r := b.ByLayer[l]; r.ConvUs <= 0 {
			t.Errorf("%s: layer %s ran no convolution (%+v)", who, l, r)
		}
	}
	if b.Fraction <= 0 || b.ConvFrac <= b.Fraction*0.5 {
		t.Errorf("%s: fractions of the peak %v (whole), %v (convolutions)", who, b.Fraction, b.ConvFrac)
	}
}

func layerNames(prefix string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("%s_%d", prefix, i))
	}
	return out
}

// TestBreakdownOfTracedRuns: make bench's per-op breakdown, on a real
// training-step trace (train --trace_freq) and a real inference-batch
// trace (infer --trace) of a tiny model.
func TestBreakdownOfTracedRuns(t *testing.T) {
	data, dir := filepath.Join(t.TempDir(), "data"), t.TempDir()
	writePairs(t, data, 4, 512, 256)
	flops := filepath.Join(dir, "flops.json")
	out := refBench(t, "flops", "--batch_size", "2", "--ngf", "4", "--ndf", "4")
	if err := os.WriteFile(flops, []byte(out[strings.Index(out, "{"):]), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "model")
	mustRun(t, small(data, model, "--max_steps", "2", "--batch_size", "2", "--save_freq", "2", "--trace_freq", "2")...)
	gen := append(layerNames("generator/encoder", 8), layerNames("generator/decoder", 8)...)
	train := runBreakdown(t, filepath.Join(model, "traces", "step_2.json"), flops, "train_step", 1)
	checkBreakdown(t, "training step", train, []string{"Conv2DBackpropFilter", "Conv2DBackpropInput", "ApplyAdam"},
		append(gen, layerNames("discriminator/layer", 5)...))

	trace := filepath.Join(dir, "infer.json")
	a := halves(t, data)
	mustRun(t, "infer", "--model", model, "--output_dir", filepath.Join(dir, "out"), "--no-test-dropout",
		"--batch_size", "2", "--trace", trace, a)
	inf := runBreakdown(t, trace, flops, "generator_forward", 2)
	checkBreakdown(t, "inference batch", inf, []string{"Conv2D", "DepthToSpace"}, gen)
	if _, ok := inf.ByLayer["discriminator/layer_1"]; ok {
		t.Errorf("inference trace has discriminator layers: %v", inf.ByLayer)
	}
}
