package codec

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	gop "github.com/wamuir/graft/tensorflow/op"
)

func newScope() *gop.Scope { return gop.NewScope() }

func constant(s *gop.Scope, v interface{}) tf.Output { return gop.Const(s.SubScope("c"), v) }

func runGraph(t *testing.T, s *gop.Scope, fetches ...tf.Output) []*tf.Tensor {
	t.Helper()
	g, err := s.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := tf.NewSession(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Run(nil, fetches, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
