package session

import (
	"fmt"
	"os"
	"strings"
	"sync"

	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
)

// Precisions a session computes in (--precision). fp32 is the original's:
// every op in float32. bf16 is mixed precision: Grappler's
// auto_mixed_precision_onednn_bfloat16 pass rewrites the graph so that
// convolutions, matrix products, their gradients and the element-wise ops
// between them run in bfloat16, with casts at the edges; variables, their
// reads, Adam's updates and the losses' reductions stay float32, so a
// checkpoint is float32 either way and every program (the original too)
// loads it. bfloat16 keeps float32's range with an 8-bit mantissa, so
// results are not the original's: it is an opt-in for speed on CPUs whose
// vector units multiply bfloat16 natively (twice float32's rate).
const (
	PrecisionFP32 = "fp32"
	PrecisionBF16 = "bf16"
)

// bf16Features are the CPU flags (as /proc/cpuinfo spells them) with
// native bfloat16 products, which oneDNN's bfloat16 kernels use. Without
// one, oneDNN emulates bfloat16 through float32 and the rewrite is slower
// than not rewriting.
var bf16Features = []string{"avx512_bf16", "amx_bf16"}

var cpuBF16 = sync.OnceValue(func() []string { return cpuFlags(bf16Features) })

// CPUHasBF16 reports whether this CPU has one of bf16Features, which
// --precision bf16 needs.
func CPUHasBF16() bool { return len(cpuBF16()) > 0 }

// BF16Features lists the bf16Features this CPU has, comma-separated.
func BF16Features() string { return strings.Join(cpuBF16(), ", ") }

// CheckPrecision checks the precision of o for its device, given the
// --onednn mode (auto, on or off; "" is auto). bf16 needs the CPU,
// bfloat16 instructions, and TensorFlow's oneDNN kernels: the rewrite is
// oneDNN's, and without them Grappler would skip it and the session would
// quietly compute in float32. That is decided from the CPU's flags and
// the switch, not measured (OneDNNKernels opens a session, and the
// process's first session sizes TensorFlow's thread pools for all).
// TensorFlow turns oneDNN on by default on every CPU with bf16Features.
func (o Options) CheckPrecision(oneDNN string) error {
	switch o.Precision {
	case "", PrecisionFP32:
		return nil
	case PrecisionBF16:
	default:
		return fmt.Errorf("--precision %q: want fp32 or bf16", o.Precision)
	}
	d, err := ParseDevice(o.Device)
	if err != nil {
		return err
	}
	if d.Type != "CPU" {
		return fmt.Errorf("--precision bf16 is for the CPU (TensorFlow's oneDNN bfloat16 rewrite), not %s: use --precision fp32 there", d.Name())
	}
	if o.XLA {
		return fmt.Errorf("--precision bf16 and --xla: XLA compiles its clusters with its own CPU kernels, not oneDNN's bfloat16 ones; use one of them")
	}
	if !CPUHasBF16() {
		return fmt.Errorf("--precision bf16: this CPU has no bfloat16 instructions (none of %s in /proc/cpuinfo), so bfloat16 would be emulated, slower than float32; use --precision fp32",
			strings.Join(bf16Features, ", "))
	}
	off := oneDNN == OneDNNOff
	if oneDNN == "" || oneDNN == OneDNNAuto {
		v, ok := envBool(os.Getenv(oneDNNEnv))
		off = ok && !v
	}
	if off {
		return fmt.Errorf("--precision bf16 needs TensorFlow's oneDNN kernels, which --onednn off or %s=0 turns off; drop one of them", oneDNNEnv)
	}
	return nil
}

// rewriteOptions is the Grappler configuration of o's precision: nil (all
// of Grappler's defaults) for float32.
func (o Options) rewriteOptions() *cfgpb.RewriterConfig {
	if o.Precision != PrecisionBF16 {
		return nil
	}
	return &cfgpb.RewriterConfig{AutoMixedPrecisionOnednnBfloat16: cfgpb.RewriterConfig_ON}
}
