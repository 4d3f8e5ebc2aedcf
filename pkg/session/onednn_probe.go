package session

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
	"google.golang.org/protobuf/proto"
)

// OneDNNKernels reports whether this process's TensorFlow runs its oneDNN
// CPU kernels. No API answers that, and TensorFlow decides it from the
// environment and the CPU (see OneDNNReason), so it is measured: one small
// convolution is run with a full trace, and the kernel that ran is read
// from the trace (oneDNN's are the _Mkl* ops its graph pass rewrites to).
func OneDNNKernels() (bool, error) {
	s := op.NewScope()
	// Fed, not constant: Grappler would fold a convolution of constants.
	x := op.Placeholder(s.SubScope("x"), tf.Float, op.PlaceholderShape(tf.MakeShape(1, 2, 2, 1)))
	k := op.Placeholder(s.SubScope("k"), tf.Float, op.PlaceholderShape(tf.MakeShape(1, 1, 1, 1)))
	y := op.Conv2D(s, x, k, []int64{1, 1, 1, 1}, "SAME")
	g, err := s.Finalize()
	if err != nil {
		return false, fmt.Errorf("oneDNN probe graph: %w", err)
	}
	sess, err := New(g, Options{})
	if err != nil {
		return false, fmt.Errorf("oneDNN probe: %w", err)
	}
	defer sess.Close()
	xv, err := tf.NewTensor([][][][]float32{{{{1}, {2}}, {{3}, {4}}}})
	if err != nil {
		return false, err
	}
	kv, err := tf.NewTensor([][][][]float32{{{{0.5}}}})
	if err != nil {
		return false, err
	}
	_, meta, err := RunTraced(sess.Session, map[tf.Output]*tf.Tensor{x: xv, k: kv}, []tf.Output{y}, nil)
	if err != nil {
		return false, fmt.Errorf("oneDNN probe run: %w", err)
	}
	var md cfgpb.RunMetadata
	if err := proto.Unmarshal(meta, &md); err != nil {
		return false, fmt.Errorf("oneDNN probe trace: %w", err)
	}
	return TraceHasOneDNN(&md), nil
}

// TraceHasOneDNN reports whether a traced step ran any oneDNN kernel.
func TraceHasOneDNN(md *cfgpb.RunMetadata) bool {
	for _, dev := range md.GetStepStats().GetDevStats() {
		for _, n := range dev.GetNodeStats() {
			if strings.Contains(n.GetTimelineLabel(), "= _Mkl") {
				return true
			}
		}
	}
	return false
}
