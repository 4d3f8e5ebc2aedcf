package codec

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/nn"
)

// The CIE Lab conversions of the original (sRGB, D65 white point), with
// its constants. Pixels are rows of a [-1, 3] matrix; each piecewise
// function is a sum of its two branches weighted by 0/1 masks, as there.

var (
	// rgbToXYZ maps linear RGB rows to XYZ rows.
	rgbToXYZ = [][]float32{
		{0.412453, 0.212671, 0.019334},
		{0.357580, 0.715160, 0.119193},
		{0.180423, 0.072169, 0.950227},
	}
	// xyzToRGB is its inverse, as the original writes it.
	xyzToRGB = [][]float32{
		{3.2404542, -0.9692660, 0.0556434},
		{-1.5371385, 1.8760108, -0.2040259},
		{-0.4985314, 0.0415560, 1.0572252},
	}
	// fToLab maps (fx, fy, fz) rows to (L, a, b) rows (before L's -16).
	fToLab = [][]float32{
		{0, 500, 0},
		{116, -500, 200},
		{0, 0, -200},
	}
	labToF = [][]float32{
		{1 / 116.0, 1 / 116.0, 1 / 116.0},
		{1 / 500.0, 0, 0},
		{0, 0, -1 / 200.0},
	}
	d65     = []float32{0.950456, 1, 1.088754}
	d65Inv  = []float32{float32(1 / 0.950456), 1, float32(1 / 1.088754)}
	labEps  = 6.0 / 29
	labEps3 = labEps * labEps * labEps
)

// piecewise returns low(x)*[x <= at] + high(x)*[x > at].
func piecewise(s *op.Scope, x tf.Output, at float64, low, high func(*op.Scope, tf.Output) tf.Output) tf.Output {
	s = s.SubScope("piecewise")
	lm := op.Cast(s.SubScope("low_mask"), op.LessEqual(s, x, nn.Float(s, at)), tf.Float)
	hm := op.Cast(s.SubScope("high_mask"), op.Greater(s, x, nn.Float(s, at)), tf.Float)
	return op.AddV2(s, op.Mul(s.SubScope("low"), low(s.SubScope("low_fn"), x), lm), op.Mul(s.SubScope("high"), high(s.SubScope("high_fn"), x), hm))
}

func pow(s *op.Scope, x tf.Output, e float64) tf.Output { return op.Pow(s, x, nn.Float(s, e)) }

// RGBToLab converts a [..., 3] sRGB image in [0, 1] to Lab (L in [0, 100]).
func RGBToLab(s *op.Scope, srgb tf.Output) tf.Output {
	s = s.SubScope("rgb_to_lab")
	pixels := op.Reshape(s, srgb, nn.Const(s, []int32{-1, 3}))
	xs := s.SubScope("srgb_to_xyz")
	linear := piecewise(xs, pixels, 0.04045,
		func(s *op.Scope, x tf.Output) tf.Output { return op.Div(s, x, nn.Float(s, 12.92)) },
		func(s *op.Scope, x tf.Output) tf.Output {
			return pow(s, op.Div(s, op.AddV2(s, x, nn.Float(s, 0.055)), nn.Float(s, 1.055)), 2.4)
		})
	xyz := op.MatMul(xs, linear, op.Const(xs.SubScope("matrix"), rgbToXYZ))
	ls := s.SubScope("xyz_to_cielab")
	norm := op.Mul(ls, xyz, op.Const(ls.SubScope("white"), d65Inv))
	f := piecewise(ls, norm, labEps3,
		func(s *op.Scope, x tf.Output) tf.Output {
			return op.AddV2(s, op.Div(s, x, nn.Float(s, 3*labEps*labEps)), nn.Float(s, 4.0/29))
		},
		func(s *op.Scope, x tf.Output) tf.Output { return pow(s, x, 1.0/3) })
	lab := op.AddV2(ls, op.MatMul(ls, f, op.Const(ls.SubScope("matrix"), fToLab)), op.Const(ls.SubScope("offset"), []float32{-16, 0, 0}))
	return op.Reshape(s.SubScope("shape"), lab, op.Shape(s, srgb, op.ShapeOutType(tf.Int32)))
}

// LabToRGB converts a [..., 3] Lab image back to sRGB in [0, 1].
func LabToRGB(s *op.Scope, lab tf.Output) tf.Output {
	s = s.SubScope("lab_to_rgb")
	pixels := op.Reshape(s, lab, nn.Const(s, []int32{-1, 3}))
	xs := s.SubScope("cielab_to_xyz")
	f := op.MatMul(xs, op.AddV2(xs, pixels, op.Const(xs.SubScope("offset"), []float32{16, 0, 0})), op.Const(xs.SubScope("matrix"), labToF))
	xyz := piecewise(xs, f, labEps,
		func(s *op.Scope, x tf.Output) tf.Output {
			return op.Mul(s, nn.Float(s, 3*labEps*labEps), op.Sub(s, x, nn.Float(s, 4.0/29)))
		},
		func(s *op.Scope, x tf.Output) tf.Output { return pow(s, x, 3) })
	xyz = op.Mul(xs, xyz, op.Const(xs.SubScope("white"), d65))
	rs := s.SubScope("xyz_to_srgb")
	rgb := op.MatMul(rs, xyz, op.Const(rs.SubScope("matrix"), xyzToRGB))
	// A slightly negative value would break the power below.
	rgb = op.ClipByValue(rs, rgb, nn.Float(rs, 0), nn.Float(rs, 1))
	srgb := piecewise(rs, rgb, 0.0031308,
		func(s *op.Scope, x tf.Output) tf.Output { return op.Mul(s, x, nn.Float(s, 12.92)) },
		func(s *op.Scope, x tf.Output) tf.Output {
			return op.Sub(s, op.Mul(s, pow(s, x, 1/2.4), nn.Float(s, 1.055)), nn.Float(s, 0.055))
		})
	return op.Reshape(s.SubScope("shape"), srgb, op.Shape(s, lab, op.ShapeOutType(tf.Int32)))
}

// LabToModel splits Lab ([h, w, 3]) into the model's A (L/50 - 1, one
// channel) and B (a/110, b/110, two channels).
func LabToModel(s *op.Scope, lab tf.Output) (a, b tf.Output) {
	s = s.SubScope("preprocess_lab")
	ch := op.Unpack(s, lab, 3, op.UnpackAxis(2))
	l := LightnessToModel(s, ch[0])
	ca := op.Div(s.SubScope("a"), ch[1], nn.Float(s, 110))
	cb := op.Div(s.SubScope("b"), ch[2], nn.Float(s, 110))
	return op.ExpandDims(s, l, nn.Const(s, int32(2))), op.Pack(s, []tf.Output{ca, cb}, op.PackAxis(2))
}

// LightnessToModel maps Lab's L (in [0, 100]) to the model's [-1, 1]:
// L/50 - 1.
func LightnessToModel(s *op.Scope, l tf.Output) tf.Output {
	return op.Sub(s, op.Div(s.SubScope("L"), l, nn.Float(s, 50)), nn.Float(s, 1))
}

// DeprocessLab turns the model's L (in [-1, 1]) and a, b channels back into
// a Lab image: L = (l+1)/2*100, a*110, b*110. l is [..., 1], ab [..., 2].
func DeprocessLab(s *op.Scope, l, ab tf.Output) tf.Output {
	s = s.SubScope("deprocess_lab")
	axis := int64(l.Shape().NumDimensions() - 1)
	L := op.Mul(s.SubScope("L"), op.Div(s, op.AddV2(s, l, nn.Float(s, 1)), nn.Float(s, 2)), nn.Float(s, 100))
	AB := op.Mul(s.SubScope("ab"), ab, nn.Float(s, 110))
	return op.ConcatV2(s, []tf.Output{L, AB}, nn.Const(s, int32(axis)))
}
