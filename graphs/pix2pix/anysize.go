package pix2pix

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// A generator built with GeneratorOptions.AnySize (infer --resize native)
// takes images whose height and width are unknown when the graph is built:
// any multiple of Config.Stride, so that every encoder halves exactly and
// every skip connection meets a map of its own size. The layers that need
// a spatial size read it from the tensor at run time instead of from the
// static shape; with a static shape (every other graph) they build the
// same constants as before, so those graphs are unchanged.

// checkAnySize checks an AnySize generator's inputs: [batch, h, w, c] with
// h and w unknown or multiples of the stride.
func checkAnySize(what string, x tf.Output, cfg Config) error {
	sh := x.Shape()
	c := int64(cfg.InChannels)
	if sh.NumDimensions() != 4 || sh.Size(3) != c {
		return fmt.Errorf("%s must be [batch, height, width, %d], got shape %v", what, c, sh)
	}
	for _, d := range []int64{sh.Size(1), sh.Size(2)} {
		if d == 0 || d > 0 && d%cfg.Stride() != 0 {
			return fmt.Errorf("%s: sides must be multiples of %d (2^%d levels at --crop_size %d), got %v", what, cfg.Stride(), cfg.Levels(), cfg.Size(), sh)
		}
	}
	return nil
}

// staticHW reports x's height and width when both are known.
func staticHW(x tf.Output) (h, w int64, ok bool) {
	sh := x.Shape()
	h, w = sh.Size(1), sh.Size(2)
	return h, w, h > 0 && w > 0
}

// runtimeHW is x's [height, width] (int32) read at run time.
func runtimeHW(s *op.Scope, x tf.Output) tf.Output {
	s = s.SubScope("hw")
	return op.Slice(s, op.Shape(s, x, op.ShapeOutType(tf.Int32)), op.Const(s.SubScope("begin"), []int32{1}), op.Const(s.SubScope("size"), []int32{2}))
}

// hwShape is the int32 vector before ++ [h, w] ++ after, with x's height
// and width (doubled with double): a constant named name when they are
// static.
func hwShape(s *op.Scope, name string, x tf.Output, double bool, before, after []int32) tf.Output {
	scale := int32(1)
	if double {
		scale = 2
	}
	if h, w, ok := staticHW(x); ok {
		v := append(append(append([]int32{}, before...), int32(h)*scale, int32(w)*scale), after...)
		return op.Const(s.SubScope(name), v)
	}
	s = s.SubScope(name + "_dynamic")
	hw := runtimeHW(s, x)
	if double {
		// Add, not Mul: an int32 op kind the CUDA build's kernel list
		// (cmd/pix2pix/testdata/gpu-kernels.txt) already answers.
		hw = op.Add(s.SubScope("double"), hw, hw)
	}
	parts := []tf.Output{}
	if len(before) > 0 {
		parts = append(parts, op.Const(s.SubScope("before"), before))
	}
	parts = append(parts, hw)
	if len(after) > 0 {
		parts = append(parts, op.Const(s.SubScope("after"), after))
	}
	if len(parts) == 1 {
		return hw
	}
	return op.ConcatV2(s, parts, op.Const(s.SubScope("axis"), int32(0)))
}

// innermost reports whether x, the output of layer name, is the U-Net's
// innermost map: 1x1 at the crop size, larger on a bigger native image,
// where instance norm is skipped either way (see norm).
func (b *builder) innermost(name string, x tf.Output) bool {
	h, w, _ := staticHW(x)
	return h == 1 && w == 1 || name == fmt.Sprintf("generator/encoder_%d", b.cfg.Levels())
}
