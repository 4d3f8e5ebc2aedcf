package export

import (
	"testing"

	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/pkg/session"
)

// TestUnpackStringConstsKeepsValues builds string constants through the
// C API (which packs them in tensor_content) and checks that the rewrite
// to string_val keeps every value, empty strings included.
func TestUnpackStringConstsKeepsValues(t *testing.T) {
	s := op.NewScope()
	want := []string{"generator/encoder_1/conv2d/kernel", "", "b", string(make([]byte, 300))}
	op.Const(s.SubScope("names"), want)
	g, err := s.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	gd, err := session.GraphDef(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := unpackStringConsts(gd); err != nil {
		t.Fatal(err)
	}
	for _, n := range gd.Node {
		if n.Op != "Const" {
			continue
		}
		tp := n.Attr["value"].GetTensor()
		if len(tp.TensorContent) != 0 || len(tp.StringVal) != len(want) {
			t.Fatalf("%s: %d bytes of tensor_content, %d string_val, want 0 and %d", n.Name, len(tp.TensorContent), len(tp.StringVal), len(want))
		}
		for i, v := range tp.StringVal {
			if string(v) != want[i] {
				t.Errorf("%s[%d] = %q, want %q", n.Name, i, v, want[i])
			}
		}
		return
	}
	t.Fatal("no Const in the graph")
}
