package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// ema keeps the original's ExponentialMovingAverage (decay 0.99, no
// zero-debiasing) over the three losses: each shadow starts at 0 and
// moves by shadow -= (shadow - loss) * (1 - decay), TensorFlow's form of
// shadow = decay*shadow + (1-decay)*loss. The shadows are named after the
// losses' ops in the original, e.g. discriminator_loss/Mean/ExponentialMovingAverage.
func (m *Model) ema(s *op.Scope, st *nn.Store) {
	s = s.SubScope("ExponentialMovingAverage")
	// 1 - decay is computed in float32, as TensorFlow does with decay as a
	// float32 tensor.
	decay := float32(1) - float32(emaDecay)
	k := op.Const(s.SubScope("decay"), decay)
	losses := []struct {
		name string
		loss tf.Output
		avg  *tf.Output
	}{
		{"discriminator_loss/Mean", m.DiscrimLoss, &m.DiscrimLossAvg},
		{"generator_loss/Mean", m.GenLossGAN, &m.GenLossGANAvg},
		{"generator_loss/Mean_1", m.GenLossL1, &m.GenLossL1Avg},
	}
	var updates []*tf.Operation
	var shadows []*nn.Variable
	for _, l := range losses {
		v := st.Get(l.name+"/ExponentialMovingAverage", tf.Float, []int64{}, zerosInit, false)
		us := s.SubScope("AssignMovingAvg")
		delta := op.Mul(us, op.Sub(us, v.Read(us), l.loss), k)
		updates = append(updates, op.AssignSubVariableOp(us, v.Handle, delta))
		shadows = append(shadows, v)
	}
	m.EMAUpdate = op.NoOp(s.WithControlDependencies(updates...))
	after := s.WithControlDependencies(m.EMAUpdate).SubScope("average")
	for i, l := range losses {
		*l.avg = shadows[i].Read(after)
	}
}
