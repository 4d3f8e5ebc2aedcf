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
// The bias is added to each phase before they are interleaved, where
// TensorFlow fuses it into the convolution, instead of in a pass of its
// own over the interleaved output: the same sums.
//
// x is [batch, h, w, in]; phase holds, for (a, b) = (0,0), (0,1), (1,0),
// (1,1), the 2x2 kernel slices in the forward convolution's layout
// [2, 2, in, out] (see subpixelKernels); bias is [out].
func subpixelDeconv(s *op.Scope, x tf.Output, phase [4]tf.Output, bias tf.Output) tf.Output {
	s = s.SubScope("subpixel")
	pads := [2][]int64{{1, 0}, {0, 1}} // (before, after) padding per phase
	var phases []tf.Output
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			// Explicit padding: no padded copy of the input.
			p := []int64{0, 0, pads[a][0], pads[a][1], pads[b][0], pads[b][1], 0, 0}
			ps := s.SubScope("phase")
			y := op.Conv2D(ps, x, phase[2*a+b], []int64{1, 1, 1, 1}, "EXPLICIT", op.Conv2DExplicitPaddings(p))
			phases = append(phases, op.BiasAdd(ps.SubScope("BiasAdd"), y, bias))
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

// fusedPhaseMaxOut is the widest output (channels per phase) for which
// the four phases run as one convolution (subpixelFused) instead of four.
// A convolution with a handful of output channels fills a fraction of a
// vector register per multiply (16 floats with AVX-512, 8 with AVX2), so
// the generator's last layer (3 output channels) ran four such
// convolutions at a few percent of the machine's rate; as one with 4x the
// outputs it does 2.25x the multiplies (the zero taps below) in much less
// time. Wider layers keep the four phases: there the extra multiplies
// would cost more than they save.
const fusedPhaseMaxOut = 15

// subpixelFused computes the same function as subpixelDeconv with one 3x3
// SAME convolution whose 4*out outputs are the four phases: output pixel
// (m, l) of phase (a, b) sees input rows m-1..m+1 and columns l-1..l+1,
// of which the phase's 2x2 taps are a sub-block (rows 0-1 for a = 0, 1-2
// for a = 1) and the other five taps are zero. The zero products add
// exact zeros, so the result differs from the transposed convolution's
// only in the order of the sums, as subpixelDeconv's does. kernel3 is
// [3, 3, in, 4*out] (see subpixelFusedKernel); bias ([out], repeated for
// the four phases) is added inside the convolution, as subpixelDeconv's.
func subpixelFused(s *op.Scope, x, kernel3, bias tf.Output) tf.Output {
	s = s.SubScope("subpixel_fused")
	y := op.Conv2D(s, x, kernel3, []int64{1, 1, 1, 1}, "SAME")
	y = op.BiasAdd(s.SubScope("BiasAdd"), y, op.Tile(s.SubScope("phase_bias"), bias, op.Const(s.SubScope("phases"), []int32{4})))
	return op.DepthToSpace(s, y, 2)
}

// subpixelFusedKernel lays a transposed convolution's [4, 4, out, in]
// kernel out as subpixelFused's [3, 3, in, 4*out]: phase (a, b) takes
// kernel rows {3, 1, none} (a = 0) or {none, 2, 0} (a = 1), columns
// likewise with b, "none" being a zero row or column appended at index 4;
// phases are concatenated along the output channels in DepthToSpace's
// order, (a*2 + b)*out + c.
func subpixelFusedKernel(s *op.Scope, kernel tf.Output) tf.Output {
	s = s.SubScope("subpixel_fused_kernel")
	padded := op.Pad(s, kernel, op.Const(s.SubScope("pad"), [][]int32{{0, 1}, {0, 1}, {0, 0}, {0, 0}}))
	taps := [2][]int32{{3, 1, 4}, {4, 2, 0}}
	var phases []tf.Output
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			ps := s.SubScope("phase")
			x := op.GatherV2(ps.SubScope("rows"), padded, op.Const(ps.SubScope("r"), taps[a]), op.Const(ps.SubScope("ra"), int32(0)))
			x = op.GatherV2(ps.SubScope("cols"), x, op.Const(ps.SubScope("c"), taps[b]), op.Const(ps.SubScope("ca"), int32(1)))
			phases = append(phases, op.Transpose(ps, x, op.Const(ps.SubScope("perm"), []int32{0, 1, 3, 2})))
		}
	}
	return op.ConcatV2(s, phases, op.Const(s.SubScope("axis"), int32(3)))
}
