package session

import (
	"strings"
	"testing"

	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// TestPrecisionConfig: fp32 (or no choice) leaves the ConfigProto's graph
// options as they were, so the default session is the original's; bf16
// turns on the oneDNN bfloat16 rewrite and nothing else of Grappler's.
func TestPrecisionConfig(t *testing.T) {
	for _, p := range []string{"", PrecisionFP32, PrecisionBF16} {
		b, err := Options{Precision: p}.configProto(Device{Type: "CPU"})
		if err != nil {
			t.Fatal(err)
		}
		var c cfgpb.ConfigProto
		if err := proto.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		want := &cfgpb.RewriterConfig{AutoMixedPrecisionOnednnBfloat16: cfgpb.RewriterConfig_ON}
		if p != PrecisionBF16 {
			want = nil
			if c.GraphOptions != nil {
				t.Errorf("precision %q: graph options %v, want none", p, c.GraphOptions)
			}
		}
		if got := c.GetGraphOptions().GetRewriteOptions(); !proto.Equal(got, want) {
			t.Errorf("precision %q: rewrite options %v, want %v", p, got, want)
		}
	}
}

// TestBF16FeaturesTurnOneDNNOn: CheckPrecision takes oneDNN to be on
// unless switched off, which holds while TensorFlow's default turns it on
// for every CPU flag that bf16 accepts.
func TestBF16FeaturesTurnOneDNNOn(t *testing.T) {
	on := map[string]bool{}
	for _, f := range oneDNNDefaultFeatures {
		on[f] = true
	}
	for _, f := range bf16Features {
		if !on[f] {
			t.Errorf("%s lets --precision bf16 run, but is not among oneDNN's default features %v", f, oneDNNDefaultFeatures)
		}
	}
}

// TestCheckPrecision: the refusals that do not depend on the CPU, and the
// one that does, whichever this CPU gets (no CPU is assumed).
func TestCheckPrecision(t *testing.T) {
	for _, c := range []struct {
		o      Options
		oneDNN string
		want   string // in the error; "" for none
	}{
		{Options{}, "", ""},
		{Options{Precision: PrecisionFP32, Device: "gpu", XLA: true}, OneDNNOff, ""},
		{Options{Precision: "fp16"}, "", `--precision "fp16": want fp32 or bf16`},
		{Options{Precision: PrecisionBF16, Device: "gpu:1"}, "", "is for the CPU (TensorFlow's oneDNN bfloat16 rewrite), not /device:GPU:1"},
		{Options{Precision: PrecisionBF16, XLA: true}, "", "--precision bf16 and --xla"},
	} {
		err := c.o.CheckPrecision(c.oneDNN)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v with --onednn %q: %v, want %q", c.o, c.oneDNN, err, c.want)
		}
	}
	bf16 := Options{Precision: PrecisionBF16}
	if !CPUHasBF16() {
		if err := bf16.CheckPrecision(OneDNNOn); err == nil || !strings.Contains(err.Error(), "avx512_bf16, amx_bf16") {
			t.Errorf("bf16 on a CPU without bfloat16 instructions: %v, want a refusal naming them", err)
		}
		return
	}
	if err := bf16.CheckPrecision(OneDNNOn); err != nil {
		t.Errorf("bf16 with --onednn on, on a CPU with %s: %v", BF16Features(), err)
	}
	if err := bf16.CheckPrecision(OneDNNOff); err == nil || !strings.Contains(err.Error(), "--onednn off") {
		t.Errorf("bf16 with --onednn off: %v, want a refusal", err)
	}
	t.Setenv(oneDNNEnv, "0")
	if err := bf16.CheckPrecision(OneDNNAuto); err == nil || !strings.Contains(err.Error(), oneDNNEnv+"=0") {
		t.Errorf("bf16 with %s=0: %v, want a refusal", oneDNNEnv, err)
	}
}
