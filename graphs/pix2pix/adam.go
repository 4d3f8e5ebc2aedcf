package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// adam adds the Adam step of TensorFlow 1.x's AdamOptimizer over grads:
// slots <var>/Adam (first moment) and <var>/Adam_1 (second moment), the
// scalars <scope>/beta1_power and <scope>/beta2_power, one ResourceApplyAdam
// per variable, then the beta powers multiplied by beta1 and beta2 once
// every variable is updated. The returned op (named <scope>/Adam) finishes
// when all of that has. The learning rate is the constant rate, or
// schedule when it is set (--lr-decay-steps); adam returns the rate it
// used.
func adam(s *op.Scope, st *nn.Store, scope string, cfg Config, rate float64, schedule tf.Output, grads []Grad) (*tf.Operation, tf.Output) {
	beta1Power := st.Get(scope+"/beta1_power", tf.Float, []int64{}, nn.Fill(cfg.Beta1), false)
	beta2Power := st.Get(scope+"/beta2_power", tf.Float, []int64{}, nn.Fill(adamBeta2), false)
	as := s.SubScope("Adam")
	lr := schedule
	if lr.Op == nil {
		lr = nn.Float(as, rate)
	}
	beta1 := nn.Float(as, cfg.Beta1)
	beta2, epsilon := nn.Float(as, adamBeta2), nn.Float(as, adamEpsilon)
	b1p, b2p := beta1Power.Read(as), beta2Power.Read(as)

	var updates []*tf.Operation
	for _, g := range grads {
		m := st.Get(g.Var.Name+"/Adam", tf.Float, g.Var.Shape, zerosInit, false)
		v := st.Get(g.Var.Name+"/Adam_1", tf.Float, g.Var.Shape, zerosInit, false)
		updates = append(updates, op.ResourceApplyAdam(as.SubScope("update"), g.Var.Handle, m.Handle, v.Handle,
			b1p, b2p, lr, beta1, beta2, epsilon, g.Grad))
	}
	done := as.WithControlDependencies(updates...)
	ps := done.SubScope("powers")
	upd1 := op.AssignVariableOp(ps.SubScope("beta1"), beta1Power.Handle, op.Mul(ps.SubScope("beta1"), beta1Power.Read(ps), beta1))
	upd2 := op.AssignVariableOp(ps.SubScope("beta2"), beta2Power.Handle, op.Mul(ps.SubScope("beta2"), beta2Power.Read(ps), beta2))
	return op.NoOp(as.WithControlDependencies(append(updates, upd1, upd2)...)), lr
}
