// Package session opens TensorFlow sessions for the pix2pix graphs: it turns
// the user's device, thread and XLA choices into a ConfigProto, checks that
// the requested device exists, and makes closing explicit so that native
// memory is released when the caller is done rather than when the Go garbage
// collector gets round to it. Around sessions it holds tensor helpers,
// named fetch groups (Fetches), traces, a graph's GraphDef, the GPU kernel
// coverage check, memory tuning, the oneDNN switch and the filter that
// quiets TensorFlow's own log lines.
package session

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// Options are the runtime choices of a session. The zero value runs on the
// CPU with TensorFlow's default thread pools.
type Options struct {
	// Device is "cpu", "gpu" or "gpu:N". Empty means "cpu".
	Device string
	// IntraOp and InterOp size TensorFlow's thread pools; 0 lets TensorFlow
	// pick (one thread per core).
	IntraOp, InterOp int
	// XLA turns on global JIT auto-clustering. It changes numerics slightly
	// (fused kernels), so it is off unless asked for.
	XLA bool
	// Precision is PrecisionFP32 (or empty: the original's float32) or
	// PrecisionBF16, mixed precision on the CPU (see CheckPrecision).
	Precision string
	// GPUMemoryFraction caps the share of the GPU's memory TensorFlow may
	// take (0: no cap). Memory grows as needed either way, rather than
	// TensorFlow's default of taking the whole card at start.
	GPUMemoryFraction float64
	// VirtualCPUs, if > 0, is how many CPU devices the session has
	// (the ConfigProto's device_count "CPU"): /device:CPU:0 to
	// /device:CPU:N-1 share the machine's cores, so towers can be placed
	// and tested on one CPU (--virtual-cpus).
	VirtualCPUs int
	// AllGPUs makes every GPU visible, /device:GPU:N being the N-th of
	// the machine, instead of only Device's as GPU:0: for towers on
	// several GPUs (--devices gpu:0,gpu:1).
	AllGPUs bool

	// Target is the TensorFlow server whose master runs the session
	// ("grpc://host:port", a cluster's chief); empty runs in-process.
	Target string
	// OperationTimeout bounds every Run of the session (TensorFlow's
	// operation_timeout_in_ms; 0: none), so that a step blocked on a
	// cluster task that stopped answering fails instead of waiting for
	// ever.
	OperationTimeout time.Duration
}

// Device is a parsed device choice.
type Device struct {
	Type  string // "CPU" or "GPU"
	Index int
}

// Name is the TensorFlow device specification, e.g. "/device:GPU:0".
func (d Device) Name() string { return fmt.Sprintf("/device:%s:%d", d.Type, d.Index) }

// ParseDevice reads "cpu", "gpu" or "gpu:N" (case-insensitive).
func ParseDevice(s string) (Device, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "" || s == "cpu" || s == "cpu:0":
		return Device{Type: "CPU"}, nil
	case s == "gpu":
		return Device{Type: "GPU"}, nil
	case strings.HasPrefix(s, "gpu:"):
		n, err := strconv.Atoi(s[4:])
		if err != nil || n < 0 {
			return Device{}, fmt.Errorf("device %q: want gpu:N with N a GPU index >= 0", s)
		}
		return Device{Type: "GPU", Index: n}, nil
	}
	return Device{}, fmt.Errorf("device %q: want cpu, gpu or gpu:N", s)
}

// Session is a TensorFlow session with its device resolved.
type Session struct {
	*tf.Session
	Device Device
	// names, when set, translates the endpoints callers hold (of the graph
	// they built) to the graph the session runs (see NewPlaced).
	names *names
	// abandoned sessions are not closed (see Abandon).
	abandoned bool
}

// configProto serialises o into the ConfigProto bytes the C API takes.
func (o Options) configProto(d Device) ([]byte, error) {
	c := &cfgpb.ConfigProto{
		IntraOpParallelismThreads: int32(o.IntraOp),
		InterOpParallelismThreads: int32(o.InterOp),
		// Ops without a kernel on the chosen device (string handling, image
		// decoding) fall back to the CPU instead of failing.
		AllowSoftPlacement:   true,
		OperationTimeoutInMs: o.OperationTimeout.Milliseconds(),
	}
	if d.Type == "CPU" {
		c.DeviceCount = map[string]int32{"GPU": 0}
	} else if o.AllGPUs {
		c.GpuOptions = &cfgpb.GPUOptions{AllowGrowth: true, PerProcessGpuMemoryFraction: o.GPUMemoryFraction}
	} else {
		// Only the chosen GPU is visible; it appears as GPU:0, where
		// TensorFlow places ops by default, so graphs need no device
		// annotations (which the C API's gradients refuse).
		c.GpuOptions = &cfgpb.GPUOptions{AllowGrowth: true, VisibleDeviceList: strconv.Itoa(d.Index),
			PerProcessGpuMemoryFraction: o.GPUMemoryFraction}
	}
	if o.VirtualCPUs > 0 {
		if c.DeviceCount == nil {
			c.DeviceCount = map[string]int32{}
		}
		c.DeviceCount["CPU"] = int32(o.VirtualCPUs)
	}
	if o.XLA {
		c.GraphOptions = &cfgpb.GraphOptions{OptimizerOptions: &cfgpb.OptimizerOptions{
			GlobalJitLevel: cfgpb.OptimizerOptions_ON_1,
		}}
	}
	if r := o.rewriteOptions(); r != nil {
		if c.GraphOptions == nil {
			c.GraphOptions = &cfgpb.GraphOptions{}
		}
		c.GraphOptions.RewriteOptions = r
	}
	return proto.Marshal(c)
}

// Proto is the ConfigProto bytes of o (for APIs that open their own
// session, such as loading a SavedModel).
func (o Options) Proto() ([]byte, error) {
	d, err := ParseDevice(o.Device)
	if err != nil {
		return nil, err
	}
	if err := o.CheckPrecision(OneDNNAuto); err != nil {
		return nil, err
	}
	return o.configProto(d)
}

// New opens a session on g. It fails with a clear message when a GPU is asked
// for and the library sees none (a CPU-only libtensorflow, or no driver).
func New(g *tf.Graph, o Options) (*Session, error) {
	d, err := ParseDevice(o.Device)
	if err != nil {
		return nil, err
	}
	if o.VirtualCPUs < 0 {
		return nil, fmt.Errorf("--virtual-cpus must be >= 0 (got %d)", o.VirtualCPUs)
	}
	if o.IntraOp < 0 || o.InterOp < 0 {
		return nil, fmt.Errorf("thread counts must be >= 0 (got intra %d, inter %d)", o.IntraOp, o.InterOp)
	}
	if err := CheckGPUMemoryFraction(o.GPUMemoryFraction); err != nil {
		return nil, err
	}
	// SetOneDNN has run by now, so the environment says what --onednn
	// asked for.
	if err := o.CheckPrecision(OneDNNAuto); err != nil {
		return nil, err
	}
	cfg, err := o.configProto(d)
	if err != nil {
		return nil, fmt.Errorf("session config: %w", err)
	}
	TuneMemory()
	s, err := tf.NewSession(g, &tf.SessionOptions{Target: o.Target, Config: cfg})
	if err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	if d.Type == "GPU" {
		devs, err := s.ListDevices()
		if err != nil {
			s.Close()
			return nil, err
		}
		if !hasDevice(devs, Device{Type: "GPU"}) {
			s.Close()
			hint := "run with --device cpu, or build with the CUDA build of TensorFlow (make GPU=1 build)"
			if CUDABuild() {
				hint = "this is TensorFlow's CUDA build, so the NVIDIA driver sees no such GPU (check nvidia-smi), or run with --device cpu"
			}
			return nil, fmt.Errorf("device %s: no such GPU is visible to TensorFlow (%s); %s", d.Name(), listNames(devs), hint)
		}
	}
	return &Session{Session: s, Device: d}, nil
}

func hasDevice(devs []tf.Device, d Device) bool {
	want := strings.ToLower(d.Name())
	for _, x := range devs {
		if strings.HasSuffix(strings.ToLower(x.Name), want[len("/device"):]) && strings.EqualFold(x.Type, d.Type) {
			return true
		}
	}
	return false
}

func listNames(devs []tf.Device) string {
	names := make([]string, len(devs))
	for i, d := range devs {
		names[i] = d.Name
	}
	return "devices: " + strings.Join(names, ", ")
}

// CheckGPUMemoryFraction accepts 0 (no cap) or a fraction in (0, 1].
func CheckGPUMemoryFraction(f float64) error {
	if !(f == 0 || (f > 0 && f <= 1)) {
		return fmt.Errorf("--gpu-memory-fraction must be in (0, 1], or 0 for no cap (got %v)", f)
	}
	return nil
}
