package pipeline

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/input"
	"pix2pix/pkg/dataset"
	"pix2pix/pkg/session"
)

// pairImage is a w x h paired image with structure in every channel.
func pairImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x*7 + y*13) % 256), 255})
		}
	}
	return img
}

func floatsOf(t *testing.T, tv *tf.Tensor) []float32 {
	f, err := session.Floats(tv)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestExampleMatchesOriginalPipeline runs one image through our input
// graph and through the original's TensorFlow calls (decode,
// convert_image_dtype, A|B split, preprocess, flip, resize_images AREA,
// crop_to_bounding_box) in the reference venv, with the same flip and crop
// offsets, for PNG and JPEG, both directions.
func TestExampleMatchesOriginalPipeline(t *testing.T) {
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run with `make test`")
	}
	dir := t.TempDir()
	img := pairImage(600, 300)
	for _, ext := range []string{"png", "jpg"} {
		var buf bytes.Buffer
		if ext == "png" {
			png.Encode(&buf, img)
		} else {
			jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
		}
		path := filepath.Join(dir, "1."+ext)
		os.WriteFile(path, buf.Bytes(), 0o644)
		for _, dir := range []string{"AtoB", "BtoA"} {
			p, err := New(Options{Paths: []string{path}, Batch: 1, Input: input.Config{WhichDirection: dir, ScaleSize: 286}})
			if err != nil {
				t.Fatal(err)
			}
			tr := dataset.Transform{Flip: true, OffsetY: 13, OffsetX: 27}
			in, tg, err := p.Example(path, tr)
			p.Close()
			if err != nil {
				t.Fatal(err)
			}
			ref := filepath.Join(t.TempDir(), "ref.bin")
			script := `
import sys, numpy as np, tensorflow as tf
path, ext, direction, out = sys.argv[1:5]
raw = tf.io.read_file(path)
img = tf.image.decode_png(raw) if ext == "png" else tf.image.decode_jpeg(raw)
img = tf.image.convert_image_dtype(img, dtype=tf.float32)
w = tf.shape(img)[1]
a = img[:, :w // 2, :] * 2 - 1
b = img[:, w // 2:, :] * 2 - 1
inputs, targets = (a, b) if direction == "AtoB" else (b, a)
def transform(r):
    r = tf.image.flip_left_right(r)
    r = tf.compat.v1.image.resize_images(r, [286, 286], method=tf.image.ResizeMethod.AREA)
    return tf.image.crop_to_bounding_box(r, 13, 27, 256, 256)
with open(out, "wb") as f:
    f.write(transform(inputs).numpy().astype("<f4").tobytes())
    f.write(transform(targets).numpy().astype("<f4").tobytes())
`
			cmd := exec.Command(py, "-c", script, path, ext, dir, ref)
			cmd.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=3")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("reference: %v\n%s", err, out)
			}
			raw, _ := os.ReadFile(ref)
			want := make([]float32, len(raw)/4)
			binary.Read(bytes.NewReader(raw), binary.LittleEndian, want)
			got := append(floatsOf(t, in), floatsOf(t, tg)...)
			if len(got) != len(want) {
				t.Fatalf("%s %s: %d values, reference %d", ext, dir, len(got), len(want))
			}
			worst := 0.0
			for i := range got {
				worst = math.Max(worst, math.Abs(float64(got[i])-float64(want[i])))
			}
			t.Logf("%s %s: inputs and targets [256,256,3], max abs difference from the original's ops %.3g", ext, dir, worst)
			if worst > 1e-6 {
				t.Errorf("%s %s: differs from the original's pipeline by %.3g", ext, dir, worst)
			}
		}
	}
}
