package pix2pix

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// subpixelDeconv computes the same function as the 4x4, stride-2, SAME
// transposed convolution (Conv2DBackpropInput) with ordinary convolutions,
// which TensorFlow's CPU kernels run several times faster.
//
// Output pixel (2m+a, 2l+b) of the transposed convolution only sees input
// rows {m-1, m} through kernel rows {3, 1} when a = 0, and rows {m, m+1}
// through kernel rows {2, 0} when a = 1; columns likewise with b. So each
// of the four phases (a, b) is a 2x2 VALID convolution of the input padded
// by one row/column on the side it reaches, with the matching 2x2 slice of
// the kernel; DepthToSpace interleaves the phases. Every output sums the
// same products as the transposed convolution, in a different order:
// results agree to float rounding (about 1e-6), not bit for bit.
//
// The phase kernels depend on the weights only: inference caches them in
// variables filled once after a restore (Generator.Prepare), so a run does
// not slice the kernels again.
//
// x is [batch, h, w, in]; phase holds, for (a, b) = (0,0), (0,1), (1,0),
// (1,1), the 2x2 kernel slices in the forward convolution's layout
// [2, 2, in, out] (see subpixelKernels).
func subpixelDeconv(s *op.Scope, x tf.Output, phase [4]tf.Output) tf.Output {
	s = s.SubScope("subpixel")
	pads := [2][]int64{{1, 0}, {0, 1}} // (before, after) padding per phase
	var phases []tf.Output
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			// Explicit padding: no padded copy of the input.
			p := []int64{0, 0, pads[a][0], pads[a][1], pads[b][0], pads[b][1], 0, 0}
			phases = append(phases, op.Conv2D(s.SubScope("phase"), x, phase[2*a+b], []int64{1, 1, 1, 1}, "EXPLICIT",
				op.Conv2DExplicitPaddings(p)))
		}
	}
	// Channel block (a*2 + b) goes to output pixel offset (a, b).
	cat := op.ConcatV2(s, phases, op.Const(s.SubScope("axis"), int32(3)))
	return op.DepthToSpace(s, cat, 2)
}

// subpixelKernels slices a transposed convolution's [4, 4, out, in] kernel
// into the four phases' [2, 2, in, out] kernels.
func subpixelKernels(s *op.Scope, kernel tf.Output) [4]tf.Output {
	s = s.SubScope("subpixel_kernels")
	taps := [2][]int32{{3, 1}, {2, 0}} // kernel rows (or columns) per phase
	var k [4]tf.Output
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			ps := s.SubScope("phase")
			x := op.GatherV2(ps.SubScope("rows"), kernel, op.Const(ps.SubScope("r"), taps[a]), op.Const(ps.SubScope("ra"), int32(0)))
			x = op.GatherV2(ps.SubScope("cols"), x, op.Const(ps.SubScope("c"), taps[b]), op.Const(ps.SubScope("ca"), int32(1)))
			k[2*a+b] = op.Transpose(ps, x, op.Const(ps.SubScope("perm"), []int32{0, 1, 3, 2}))
		}
	}
	return k
}
