package trained

import (
	"testing"

	npb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
)

// TestNodeDeviceRule: gradients (no device in the graph) go to the tower
// their name is under, resource ops and placeholders to the variables'
// device, host-pinned ops to its machine's CPU, and devices the graph
// set stay.
func TestNodeDeviceRule(t *testing.T) {
	w0, w1 := "/job:worker/replica:0/task:0/device:CPU:0", "/job:worker/replica:0/task:1/device:CPU:0"
	place := nodeDevice(pix2pix.Placement{Devices: []string{w0, w1}})
	nodes := map[string]*npb.NodeDef{
		"generator/encoder_1/conv/filter": {Name: "generator/encoder_1/conv/filter", Op: "VarHandleOp"},
	}
	producer := func(in string) *npb.NodeDef { return nodes[in] }
	for _, c := range []struct {
		n    *npb.NodeDef
		want string
	}{
		{&npb.NodeDef{Name: "tower_1/generator_train/gradients/Gradients/Conv2DBackpropFilter", Op: "Conv2DBackpropFilter"}, w1},
		{&npb.NodeDef{Name: "generator_train/gradients/Gradients/Conv2DBackpropFilter", Op: "Conv2DBackpropFilter"}, w0},
		{&npb.NodeDef{Name: "tower_7/x", Op: "Mul"}, w0}, // no such tower
		{&npb.NodeDef{Name: "tower_1x/y", Op: "Mul"}, w0},
		{&npb.NodeDef{Name: "tower_1/generator/encoder_1/conv/read", Op: "ReadVariableOp", Input: []string{"generator/encoder_1/conv/filter"}, Device: w1}, w0},
		{&npb.NodeDef{Name: "inputs", Op: "Placeholder"}, w0},
		{&npb.NodeDef{Name: "save/SaveV2", Op: "SaveV2", Device: nn.HostDevice}, w0},
		{&npb.NodeDef{Name: "tower_1/generator/encoder_2/Conv2D", Op: "Conv2D", Device: w1}, w1},
	} {
		if got := place(c.n, producer); got != c.want {
			t.Errorf("%s (%s, device %q): placed on %q, want %q", c.n.Name, c.n.Op, c.n.Device, got, c.want)
		}
	}
	if got := hostOf("/device:GPU:1"); got != nn.HostDevice {
		t.Errorf("hostOf(/device:GPU:1) = %q", got)
	}
}
