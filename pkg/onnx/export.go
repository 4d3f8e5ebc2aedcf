package onnx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"google.golang.org/protobuf/proto"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/onnx/onnxpb"
	"pix2pix/pkg/trained"
)

// FileName is the ONNX model's name in an export directory.
const FileName = "model.onnx"

// Names of the model's input and output.
const (
	InputName  = "images"
	OutputName = "outputs"
)

// Doc is the model's doc string: what goes in and what comes out.
const Doc = "pix2pix generator (U-Net). Input \"images\": float [batch, 3, 256, 256] (NCHW, RGB) in [0, 1]. " +
	"Output \"outputs\": float [batch, 3, 256, 256] in [0, 1]. Batch norm uses each image's own statistics " +
	"(InstanceNormalization), so an image's output does not depend on its batch; no dropout."

// Write writes the generator of the training run in checkpointDir (its
// latest checkpoint and options.json) to path as an ONNX model. Models
// trained with --lab_colorization are refused: their inputs and outputs
// are Lab channels, and the conversion from and to RGB is not written.
func Write(checkpointDir, path, producerVersion string) error {
	ck, err := trained.OpenCheckpoint(checkpointDir)
	if err != nil {
		return err
	}
	if ck.Options.LabColorization {
		return fmt.Errorf("%s was trained with --lab_colorization: the ONNX export does not support it (its model works on Lab channels); export it without --onnx for the original-format export", checkpointDir)
	}
	if err := onnxSupports(checkpointDir, ck.Config); err != nil {
		return err
	}
	w, err := readGenerator(ck.Prefix)
	if err != nil {
		return err
	}
	m, err := build(w, ck.Options.SeparableConv, producerVersion)
	if err != nil {
		return fmt.Errorf("ONNX model of %s: %w", ck.Prefix, err)
	}
	data, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, 0o644, func(out io.Writer) error {
		_, err := out.Write(data)
		return err
	})
}

// build is the model: [0, 1] -> [-1, 1], the U-Net, back to [0, 1], as
// the SavedModel's float signatures.
func build(w weights, separable bool, producerVersion string) (*onnxpb.ModelProto, error) {
	g := newGraph()
	b := &builder{g: g, w: w, separable: separable}
	x := g.node("Mul", "preprocess/x2", []string{InputName, g.scalar("preprocess/two", 2)})
	x = g.node("Sub", "preprocess/sub", []string{x, g.scalar("preprocess/one", 1)})
	y, err := b.unet(x)
	if err != nil {
		return nil, err
	}
	y = g.node("Add", "deprocess/add", []string{y, g.scalar("deprocess/one", 1)})
	y = g.node("Div", "deprocess/div", []string{y, g.scalar("deprocess/two", 2)})
	// The last node's output is the graph's output under its public name.
	g.nodes[len(g.nodes)-1].Output[0] = OutputName
	in := imageValue(InputName, 3, pix2pix.DefaultCropSize)
	out := imageValue(OutputName, 3, pix2pix.DefaultCropSize)
	for _, n := range []string{"generator/decoder_1/conv2d_transpose/bias", "generator/decoder_1/separable_conv2d/bias"} {
		if k := w[n]; k != nil && k.shape[0] != 3 {
			return nil, fmt.Errorf("the generator has %d output channels, want 3", k.shape[0])
		}
	}
	return g.model("pix2pix_generator", Doc, in, out, producerVersion), nil
}

// readGenerator reads every generator/ variable of the checkpoint at
// prefix (float32 all).
func readGenerator(prefix string) (weights, error) {
	entries, err := checkpoint.List(prefix)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name, "generator/") {
			if e.DType != tf.Float {
				return nil, fmt.Errorf("checkpoint %s: %s is %v, want float32", prefix, e.Name, e.DType)
			}
			names = append(names, e.Name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("checkpoint %s has no generator/ variables", filepath.Base(prefix))
	}
	ts, err := checkpoint.ReadTensors(prefix, names...)
	if err != nil {
		return nil, err
	}
	w := weights{}
	for n, t := range ts {
		var buf bytes.Buffer
		if _, err := t.WriteContentsTo(&buf); err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		data := make([]float32, buf.Len()/4)
		if err := binary.Read(&buf, binary.LittleEndian, data); err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		w[n] = &tensor{shape: t.Shape(), data: data}
	}
	return w, nil
}

// onnxSupports refuses the generator options the ONNX writer does not
// build: it writes the original's 256x256 U-Net with 4x4 kernels and batch
// norm on each image's statistics.
func onnxSupports(dir string, cfg pix2pix.Config) error {
	d := pix2pix.DefaultConfig()
	if cfg.Setup != d.Setup {
		return fmt.Errorf("%s was trained with setup %s: export --onnx writes only the affinelayer generator; export without --onnx for the SavedModel, which supports it", dir, cfg.Setup)
	}
	if cfg.Size() != d.Size() || cfg.GenNorm != d.GenNorm || cfg.KernelSize != d.KernelSize {
		return fmt.Errorf("%s was trained with crop_size %d, gen_norm %s, kernel_size %d: export --onnx writes only the original's generator (256, batch, 4); export without --onnx for the SavedModel, which supports them",
			dir, cfg.Size(), cfg.GenNorm, cfg.KernelSize)
	}
	return nil
}
