package pix2pix

import (
	"fmt"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// Placement says where the training graph's replicas (towers) and its
// variables go: in-graph data parallelism, TensorFlow moving the tensors
// between devices. The zero value is the original's graph: one tower, no
// device strings at all.
type Placement struct {
	// Devices are full TensorFlow device names, one tower each, e.g.
	// "/device:GPU:1" or "/job:worker/replica:0/task:1/device:CPU:0".
	// Each tower trains on its own slice of the fed batch.
	Devices []string
	// VariableDevice is where the variables, the optimisers, the loss
	// averages and the gradient averages live ("": Devices[0]). The first
	// tower's device is the default because on one machine with GPUs a
	// variable read by the first tower then never leaves its card, and the
	// averaged update is one GPU kernel per variable; "/device:CPU:0" is
	// the classic parameter-server choice when the towers' GPUs have no
	// fast link to each other (each tower then reads over PCIe alike).
	VariableDevice string
}

// TowerScope prefixes tower i's names (i > 0): "tower_1/generator/...";
// tower 0's are the one-device graph's.
const TowerScope = "tower_"

// Towers is the number of replicas: len(Devices), at least 1.
func (p Placement) Towers() int { return max(1, len(p.Devices)) }

// Named is every device p names: the towers', then VariableDevice if set.
func (p Placement) Named() []string {
	out := append([]string(nil), p.Devices...)
	if p.VariableDevice != "" {
		out = append(out, p.VariableDevice)
	}
	return out
}

func (p Placement) variableDevice() string {
	if p.VariableDevice != "" || len(p.Devices) == 0 {
		return p.VariableDevice
	}
	return p.Devices[0]
}

func (p Placement) device(i int) string {
	if len(p.Devices) == 0 {
		return ""
	}
	return p.Devices[i]
}

// Check refuses what several towers cannot build faithfully: a second
// generator pass per step (--gen-steps), the batch-norm moving averages'
// update (one update per variable, which towers would race on), and
// another program's setup (its graph is built elsewhere).
func (p Placement) Check(cfg Config) error {
	for i, d := range p.Devices {
		if !strings.HasPrefix(d, "/") {
			return fmt.Errorf("tower device %q (number %d): want a full TensorFlow device name such as /device:GPU:0", d, i)
		}
	}
	if p.Towers() == 1 {
		return nil
	}
	switch {
	case cfg.GenSteps > 1:
		return fmt.Errorf("--gen-steps %d cannot be combined with several --devices (%d towers): train with --gen-steps 1, or on one device", cfg.GenSteps, p.Towers())
	case cfg.BNUpdateMoving:
		return fmt.Errorf("--bn-update-moving cannot be combined with several --devices (%d towers): the towers would each update the one moving average; leave out one of them", p.Towers())
	case cfg.Setup != "" && cfg.Setup != SetupAffinelayer:
		return fmt.Errorf("--setup %s cannot be combined with several --devices: only the affinelayer setup has towers", cfg.Setup)
	}
	return nil
}

// tower is one replica: its forward pass, losses and gradients in a Model
// of its own (Vars shared), the builder holding its variable reads, the
// scope its names live under (the root for tower 0, so that one tower is
// the original's graph) and its device.
type tower struct {
	m        *Model
	b        *builder
	scope    *op.Scope
	device   string
	fakeTape []dLayer
}

// dropoutStride separates the towers' dropout streams (the U-Net has at
// most a dozen dropout layers): tower i's layer k is keyed i*stride + k,
// so tower 0 draws the masks a one-device run does.
const dropoutStride = 256

// forward builds each tower's generator, both discriminator copies and
// losses on its device, over its slice of inputs and targets.
func (m *Model) forward(s *op.Scope, p Placement, inputs, targets tf.Output) []*tower {
	n := p.Towers()
	ins, tgs := []tf.Output{inputs}, []tf.Output{targets}
	if n > 1 {
		ss := s.WithDevice(p.variableDevice()).SubScope("split")
		axis := op.Const(ss.SubScope("axis"), int32(0))
		ins = op.Split(ss.SubScope("inputs"), axis, inputs, int64(n))
		tgs = op.Split(ss.SubScope("targets"), axis, targets, int64(n))
	}
	towers := make([]*tower, n)
	for i := range towers {
		ts := s
		if i > 0 {
			ts = s.SubScope(fmt.Sprintf("%s%d", TowerScope, i))
		}
		if len(ins) != n || len(tgs) != n {
			return nil // the scope holds the error
		}
		t := &tower{scope: ts, device: p.device(i),
			m: &Model{Config: m.Config, Vars: m.Vars, Inputs: ins[i], Targets: tgs[i], GlobalStep: m.GlobalStep},
			b: &builder{cfg: m.Config, store: m.Vars, reads: map[*nn.Variable]tf.Output{}, step: m.GlobalStep,
				dropoutLayers: int64(i) * dropoutStride}}
		ds := ts.WithDevice(t.device)
		// The moving averages, when updated, follow the generator and the
		// real images' discriminator copy (one update per variable).
		t.b.updateMoving = m.Config.BNUpdateMoving
		t.m.Outputs = t.b.generator(ds, t.m.Inputs)
		t.m.PredictReal, t.m.RealLogits, _ = t.b.discriminator(ds.SubScope("real_discriminator"), t.m.Inputs, t.m.Targets)
		t.b.updateMoving = false
		t.m.PredictFake, t.m.FakeLogits, t.fakeTape = t.b.discriminator(ds.SubScope("fake_discriminator"), t.m.Inputs, t.m.Outputs)
		t.m.losses(ds)
		towers[i] = t
	}
	return towers
}

// gather sets m's forward endpoints from the towers: tower 0's own with
// one tower (no op added); with several, the images and predictions
// concatenated in batch order (so display and summaries show every
// tower's images, and the health signals' means are over all of them)
// and the losses averaged over towers.
func (m *Model) gather(s *op.Scope, towers []*tower) {
	t0 := towers[0].m
	if len(towers) == 1 {
		m.Outputs, m.PredictReal, m.PredictFake, m.RealLogits, m.FakeLogits = t0.Outputs, t0.PredictReal, t0.PredictFake, t0.RealLogits, t0.FakeLogits
		m.DiscrimLoss, m.GenLossGAN, m.GenLossL1, m.GenLoss = t0.DiscrimLoss, t0.GenLossGAN, t0.GenLossL1, t0.GenLoss
		return
	}
	s = s.SubScope("towers")
	m.Towers = make([]*Model, len(towers))
	for i, t := range towers {
		m.Towers[i] = t.m
	}
	each := func(get func(*Model) tf.Output) []tf.Output {
		out := make([]tf.Output, len(towers))
		for i, t := range towers {
			out[i] = get(t.m)
		}
		return out
	}
	cat := func(name string, get func(*Model) tf.Output) tf.Output {
		cs := s.SubScope(name)
		return op.ConcatV2(cs, each(get), op.Const(cs.SubScope("axis"), int32(0)))
	}
	m.Outputs = cat("outputs", func(t *Model) tf.Output { return t.Outputs })
	m.PredictReal = cat("predict_real", func(t *Model) tf.Output { return t.PredictReal })
	m.PredictFake = cat("predict_fake", func(t *Model) tf.Output { return t.PredictFake })
	m.RealLogits = cat("real_logits", func(t *Model) tf.Output { return t.RealLogits })
	m.FakeLogits = cat("fake_logits", func(t *Model) tf.Output { return t.FakeLogits })
	m.DiscrimLoss = average(s.SubScope("discrim_loss"), each(func(t *Model) tf.Output { return t.DiscrimLoss }))
	m.GenLossGAN = average(s.SubScope("gen_loss_GAN"), each(func(t *Model) tf.Output { return t.GenLossGAN }))
	m.GenLossL1 = average(s.SubScope("gen_loss_L1"), each(func(t *Model) tf.Output { return t.GenLossL1 }))
	m.GenLoss = average(s.SubScope("gen_loss"), each(func(t *Model) tf.Output { return t.GenLoss }))
}

// average is the mean of xs: stacked, then reduced over the towers'
// axis (a sum, then a division by the count: exact for two towers with
// equal values, so two towers fed one image give one tower's numbers bit
// for bit). Not AddN: TensorFlow's arithmetic optimiser would merge it
// with each tower's own AddN (a variable's gradient sums both
// discriminator copies' contributions) into one sum in another order.
// One tensor passes through.
func average(s *op.Scope, xs []tf.Output) tf.Output {
	if len(xs) == 1 {
		return xs[0]
	}
	return op.Mean(s, op.Pack(s, xs), op.Const(s.SubScope("towers_axis"), int32(0)))
}

// averageGrads is the per-variable mean of the towers' gradients, on
// the variables' device: what the one optimiser step applies.
func averageGrads(s *op.Scope, perTower [][]Grad) []Grad {
	if len(perTower) == 1 {
		return perTower[0]
	}
	for _, g := range perTower {
		if len(g) != len(perTower[0]) {
			return nil // a tower's gradients failed; the scope holds the error
		}
	}
	out := make([]Grad, len(perTower[0]))
	for i, g0 := range perTower[0] {
		xs := make([]tf.Output, len(perTower))
		for k, g := range perTower {
			xs[k] = g[i].Grad
		}
		out[i] = Grad{Var: g0.Var, Grad: average(s.SubScope("average"), xs)}
	}
	return out
}
