package yenchenlin

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// minimize is tf.train.AdamOptimizer(lr, beta1).minimize(loss, var_list)
// over the trainable variables under prefix ("discriminator",
// "generator": the program's 'd_' and 'g_' filters select the same ones):
// the gradients, slots <var>/Adam and <var>/Adam_1, one ResourceApplyAdam
// per variable, then beta1_power<suffix> and beta2_power<suffix> (TF1
// names the second optimiser's "_1") multiplied once by beta1 and beta2.
func (b *builder) minimize(s *op.Scope, loss tf.Output, prefix, suffix string) *tf.Operation {
	vars := b.store.Trainable(prefix)
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = b.reads[v]
	}
	grads := op.Gradients(s.SubScope("gradients"), []tf.Output{loss}, xs)
	if len(grads) != len(vars) {
		return nil // the scope holds the error
	}
	st, cfg := b.store, b.cfg
	b1pow := st.Get("beta1_power"+suffix, tf.Float, []int64{}, nn.Fill(cfg.Beta1), false)
	b2pow := st.Get("beta2_power"+suffix, tf.Float, []int64{}, nn.Fill(adamBeta2), false)
	as := s.SubScope("Adam")
	lr, beta1 := nn.Float(as, cfg.LR), nn.Float(as, cfg.Beta1)
	beta2, eps := nn.Float(as, adamBeta2), nn.Float(as, adamEps)
	p1, p2 := b1pow.Read(as), b2pow.Read(as)
	var updates []*tf.Operation
	for i, v := range vars {
		m := st.Get(v.Name+"/Adam", tf.Float, v.Shape, zerosInit, false)
		u := st.Get(v.Name+"/Adam_1", tf.Float, v.Shape, zerosInit, false)
		updates = append(updates, op.ResourceApplyAdam(as.SubScope("update"), v.Handle, m.Handle, u.Handle,
			p1, p2, lr, beta1, beta2, eps, grads[i]))
	}
	ps := as.WithControlDependencies(updates...).SubScope("powers")
	up1 := op.AssignVariableOp(ps.SubScope("beta1"), b1pow.Handle, op.Mul(ps.SubScope("beta1"), b1pow.Read(ps), beta1))
	up2 := op.AssignVariableOp(ps.SubScope("beta2"), b2pow.Handle, op.Mul(ps.SubScope("beta2"), b2pow.Read(ps), beta2))
	return op.NoOp(as.WithControlDependencies(append(updates, up1, up2)...))
}
