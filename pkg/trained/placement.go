package trained

import (
	"strconv"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	npb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// openPlaced opens the trainer's session on g. Without devices it is g as
// built, placed by TensorFlow as always. With devices (towers, a
// cluster's tasks), it runs a copy of g in which every op has its device
// (session.NewPlaced): graphs/ can give the towers' forward ops theirs,
// but not their gradients (graft's Gradients takes no device, the C API
// gives them none), which TensorFlow would otherwise put on its default
// device, the first tower's or the chief's.
func openPlaced(g *tf.Graph, p pix2pix.Placement, o session.Options) (*session.Session, error) {
	if len(p.Devices) == 0 {
		return session.New(g, o)
	}
	return session.NewPlaced(g, nodeDevice(p), o)
}

// nodeDevice is where each node goes: variables, the ops that use one
// (reads, Adam's updates: a resource op runs where its variable is) and
// the fed placeholders on the variable device; ops pinned to the host on
// the variable device's host (checkpoints, summaries: the files are
// written where the variables are); the rest where the graph put it, or
// when it put it nowhere (gradients), on the device of the tower its
// name is under ("tower_<i>/...", tower 0 at the root).
func nodeDevice(p pix2pix.Placement) func(n *npb.NodeDef, producer func(string) *npb.NodeDef) string {
	vdev := p.VariableDevice
	if vdev == "" {
		vdev = p.Devices[0]
	}
	return func(n *npb.NodeDef, producer func(string) *npb.NodeDef) string {
		if n.Op == "VarHandleOp" || n.Op == "Placeholder" {
			return vdev
		}
		for _, in := range n.Input {
			if strings.HasPrefix(in, "^") {
				continue
			}
			if src := producer(in); src != nil && src.Op == "VarHandleOp" {
				return vdev
			}
		}
		switch n.Device {
		case nn.HostDevice:
			return hostOf(vdev)
		case "":
			return p.Devices[towerOf(n.Name, len(p.Devices))]
		}
		return n.Device
	}
}

// towerOf is the tower a node's name puts it in: i for "tower_<i>/...",
// else 0.
func towerOf(name string, towers int) int {
	rest, ok := strings.CutPrefix(name, pix2pix.TowerScope)
	if !ok {
		return 0
	}
	digits, _, _ := strings.Cut(rest, "/")
	i, err := strconv.Atoi(digits)
	if err != nil || i < 0 || i >= towers {
		return 0
	}
	return i
}

// hostOf is the CPU of the machine (job, replica, task) device names.
func hostOf(device string) string {
	if i := strings.Index(strings.ToLower(device), "/device:"); i >= 0 {
		device = device[:i]
	}
	return device + nn.HostDevice
}
