package onnx

import "testing"

// TestPermuteMovesEachElement checks the kernel layout change against
// index arithmetic: a [2, 3, 4, 5] tensor whose elements are their own
// flat index, transposed as a TensorFlow conv kernel becomes an ONNX one.
func TestPermuteMovesEachElement(t *testing.T) {
	in := &tensor{shape: []int64{2, 3, 4, 5}, data: make([]float32, 120)}
	for i := range in.data {
		in.data[i] = float32(i)
	}
	out := permute(in, 3, 2, 0, 1) // [h, w, in, out] -> [out, in, h, w]
	if got := out.shape; got[0] != 5 || got[1] != 4 || got[2] != 2 || got[3] != 3 {
		t.Fatalf("shape %v, want [5 4 2 3]", got)
	}
	bad := 0
	for o := 0; o < 5; o++ {
		for i := 0; i < 4; i++ {
			for h := 0; h < 2; h++ {
				for w := 0; w < 3; w++ {
					want := float32(((h*3+w)*4+i)*5 + o)
					if got := out.data[((o*4+i)*2+h)*3+w]; got != want {
						bad++
					}
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of 120 elements misplaced", bad)
	}
}
