package trained

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	npb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"

	"pix2pix/graphs/nn"
	"pix2pix/pkg/session"
)

// Placement says on which devices the training graph runs: the model's
// compute on Devices (full TensorFlow names, such as a cluster task's
// /job:worker/replica:0/task:1/device:CPU:0), the variables, the fed
// placeholders and the host-pinned ops (checkpoints, summaries, display
// images, initialisers) on VariableDevice's task. The zero value is the
// single-process graph, placed by TensorFlow as always.
//
// This places one copy of the model, on Devices[0]; towers (one copy per
// device) replace it.
type Placement struct {
	Devices        []string
	VariableDevice string
}

// IsZero tells whether p leaves placement to TensorFlow.
func (p Placement) IsZero() bool { return len(p.Devices) == 0 && p.VariableDevice == "" }

func (p Placement) check() error {
	switch {
	case len(p.Devices) != 1:
		return fmt.Errorf("placement: %d compute devices %v: this build places the model on exactly one", len(p.Devices), p.Devices)
	case p.VariableDevice == "":
		return fmt.Errorf("placement: no variable device for compute on %s", p.Devices[0])
	}
	return nil
}

// hostOf is the CPU of the task (job, replica, task) that device names.
func hostOf(device string) string {
	if i := strings.Index(strings.ToLower(device), "/device:"); i >= 0 {
		device = device[:i]
	}
	return device + nn.HostDevice
}

// device is where node n goes: variables, the ops that use one (reads,
// assignments, Adam's updates: TensorFlow keeps them with their
// variable), and the fed placeholders on the variable device; ops pinned
// to the host on the variable device's host; everything else, the
// gradients included, on the compute device.
func (p Placement) device(n *npb.NodeDef, producer func(string) *npb.NodeDef) string {
	if n.Op == "VarHandleOp" || n.Op == "Placeholder" {
		return p.VariableDevice
	}
	for _, in := range n.Input {
		if strings.HasPrefix(in, "^") {
			continue
		}
		if src := producer(in); src != nil && src.Op == "VarHandleOp" {
			return p.VariableDevice
		}
	}
	switch n.Device {
	case nn.HostDevice:
		return hostOf(p.VariableDevice)
	case "":
		return p.Devices[0]
	}
	return n.Device
}

// openSession opens the trainer's session on g, placed when p asks.
func (p Placement) openSession(g *tf.Graph, o session.Options) (*session.Session, error) {
	if p.IsZero() {
		return session.New(g, o)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return session.NewPlaced(g, p.device, o)
}
