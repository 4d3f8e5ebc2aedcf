package onnx

import (
	"fmt"
)

// tensor is a checkpoint variable's value: float32, row-major, in
// TensorFlow's layout.
type tensor struct {
	shape []int64
	data  []float32
}

// weights are the generator's variables by checkpoint name.
type weights map[string]*tensor

func (w weights) get(name string, rank int) (*tensor, error) {
	t, ok := w[name]
	if !ok {
		return nil, fmt.Errorf("the checkpoint has no variable %s", name)
	}
	if len(t.shape) != rank {
		return nil, fmt.Errorf("variable %s has shape %v, want rank %d", name, t.shape, rank)
	}
	return t, nil
}

// unet writes the pix2pix U-Net, as graphs/pix2pix builds it for
// inference, in ONNX's NCHW layout: x is [batch, in, 256, 256] in
// [-1, 1]; the result is [batch, out, 256, 256] in [-1, 1].
//
// The layers map one to one: 4x4 stride-2 convolutions with TensorFlow's
// SAME padding (one pixel each side at these even sizes) as Conv; the
// transposed ones as ConvTranspose with the same padding; batch norm on
// each image's own statistics, which is exactly InstanceNormalization with
// the batch norm's gamma and beta (epsilon 1e-5); leaky ReLU 0.2. Dropout
// is left out: the model is the deterministic generator.
func (b *builder) unet(x string) (string, error) {
	var layers []string
	e1, err := b.down("generator/encoder_1", x)
	if err != nil {
		return "", err
	}
	layers = append(layers, e1)
	for i := 2; i <= 8; i++ {
		name := fmt.Sprintf("generator/encoder_%d", i)
		y := b.g.node("LeakyRelu", name+"/lrelu", []string{layers[len(layers)-1]}, floatAttr("alpha", 0.2))
		if y, err = b.down(name, y); err != nil {
			return "", err
		}
		if y, err = b.norm(name, y); err != nil {
			return "", err
		}
		layers = append(layers, y)
	}
	nEnc := len(layers)
	for i := 0; i < 8; i++ {
		skip := nEnc - i - 1 // decoder_(skip+1) pairs with layers[skip]
		name := fmt.Sprintf("generator/decoder_%d", skip+1)
		y := layers[len(layers)-1]
		if i > 0 {
			y = b.g.node("Concat", name+"/concat", []string{y, layers[skip]}, intAttr("axis", 1))
		}
		y = b.g.node("Relu", name+"/Relu", []string{y})
		if y, err = b.up(name, y); err != nil {
			return "", err
		}
		if skip == 0 {
			return b.g.node("Tanh", name+"/Tanh", []string{y}), nil
		}
		if y, err = b.norm(name, y); err != nil {
			return "", err
		}
		layers = append(layers, y)
	}
	return "", fmt.Errorf("unreachable: the decoder did not end at decoder_1")
}

// builder turns checkpoint weights into ONNX layers.
type builder struct {
	g         *graph
	w         weights
	separable bool
}

// down is a generator down block: 4x4 stride-2 conv with bias, or with
// separable_conv a depthwise 4x4 stride-2 conv then a 1x1 conv.
func (b *builder) down(name, x string) (string, error) {
	if b.separable {
		return b.separableConv(name, x, 2)
	}
	k, err := b.w.get(name+"/conv2d/kernel", 4)
	if err != nil {
		return "", err
	}
	bias, err := b.w.get(name+"/conv2d/bias", 1)
	if err != nil {
		return "", err
	}
	// [h, w, in, out] -> [out, in, h, w]
	wt := b.g.tensor(name+"/conv2d/kernel", permute(k, 3, 2, 0, 1))
	bt := b.g.floats(name+"/conv2d/bias", bias.shape, bias.data)
	return b.g.node("Conv", name+"/conv2d", []string{x, wt, bt},
		intsAttr("kernel_shape", 4, 4), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)), nil
}

// up is a generator up block: 4x4 stride-2 transposed conv with bias, or
// with separable_conv nearest-neighbour 2x upsampling (Resize) then a
// stride-1 separable conv.
func (b *builder) up(name, x string) (string, error) {
	if b.separable {
		scales := b.g.floats(name+"/resize/scales", []int64{4}, []float32{1, 1, 2, 2})
		// TensorFlow's ResizeNearestNeighbor (no align_corners, no half
		// pixel centres) takes source pixel floor(i/2).
		y := b.g.node("Resize", name+"/resize", []string{x, "", scales},
			stringAttr("mode", "nearest"), stringAttr("coordinate_transformation_mode", "asymmetric"), stringAttr("nearest_mode", "floor"))
		return b.separableConv(name, y, 1)
	}
	k, err := b.w.get(name+"/conv2d_transpose/kernel", 4)
	if err != nil {
		return "", err
	}
	bias, err := b.w.get(name+"/conv2d_transpose/bias", 1)
	if err != nil {
		return "", err
	}
	// [h, w, out, in] -> [in, out, h, w]
	wt := b.g.tensor(name+"/conv2d_transpose/kernel", permute(k, 3, 2, 0, 1))
	bt := b.g.floats(name+"/conv2d_transpose/bias", bias.shape, bias.data)
	return b.g.node("ConvTranspose", name+"/conv2d_transpose", []string{x, wt, bt},
		intsAttr("kernel_shape", 4, 4), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)), nil
}

// separableConv is tf.layers.separable_conv2d: a 4x4 depthwise conv
// (group = channels) with SAME padding, then a 1x1 conv with bias.
// SAME pads one pixel before and one after at stride 2 (even sizes), and
// one before and two after at stride 1: TensorFlow puts the odd pixel
// at the end.
func (b *builder) separableConv(name, x string, stride int64) (string, error) {
	p := name + "/separable_conv2d/"
	dk, err := b.w.get(p+"depthwise_kernel", 4)
	if err != nil {
		return "", err
	}
	pk, err := b.w.get(p+"pointwise_kernel", 4)
	if err != nil {
		return "", err
	}
	bias, err := b.w.get(p+"bias", 1)
	if err != nil {
		return "", err
	}
	in := dk.shape[2]
	pads := []int64{1, 1, 1, 1}
	if stride == 1 {
		pads = []int64{1, 1, 2, 2}
	}
	// depthwise [h, w, in, 1] -> [in, 1, h, w]; pointwise [1, 1, in, out] -> [out, in, 1, 1]
	dw := b.g.tensor(p+"depthwise_kernel", permute(dk, 2, 3, 0, 1))
	y := b.g.node("Conv", p+"depthwise", []string{x, dw},
		intsAttr("kernel_shape", 4, 4), intsAttr("strides", stride, stride), intsAttr("pads", pads...), intAttr("group", in))
	pw := b.g.tensor(p+"pointwise_kernel", permute(pk, 3, 2, 0, 1))
	bt := b.g.floats(p+"bias", bias.shape, bias.data)
	return b.g.node("Conv", p+"pointwise", []string{y, pw, bt}, intsAttr("kernel_shape", 1, 1)), nil
}

// norm is batch norm on each image's own statistics: InstanceNormalization
// with gamma as scale and beta as bias.
func (b *builder) norm(name, x string) (string, error) {
	p := name + "/batch_normalization/"
	gamma, err := b.w.get(p+"gamma", 1)
	if err != nil {
		return "", err
	}
	beta, err := b.w.get(p+"beta", 1)
	if err != nil {
		return "", err
	}
	gt := b.g.floats(p+"gamma", gamma.shape, gamma.data)
	bt := b.g.floats(p+"beta", beta.shape, beta.data)
	return b.g.node("InstanceNormalization", p+"instance_norm", []string{x, gt, bt}, floatAttr("epsilon", 1e-5)), nil
}

// permute transposes a rank-4 tensor: result dimension i is t's
// dimension perm[i].
func permute(t *tensor, perm ...int) *tensor {
	var shape, stride [4]int64
	stride[3] = 1
	for i := 2; i >= 0; i-- {
		stride[i] = stride[i+1] * t.shape[i+1]
	}
	var ps [4]int64 // source stride of each result dimension
	for i, p := range perm {
		shape[i], ps[i] = t.shape[p], stride[p]
	}
	out := make([]float32, 0, len(t.data))
	for a := int64(0); a < shape[0]; a++ {
		for b := int64(0); b < shape[1]; b++ {
			for c := int64(0); c < shape[2]; c++ {
				base := a*ps[0] + b*ps[1] + c*ps[2]
				for d := int64(0); d < shape[3]; d++ {
					out = append(out, t.data[base+d*ps[3]])
				}
			}
		}
	}
	return &tensor{shape: shape[:], data: out}
}
