package main

import (
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// reflectAfter mirrors img at the bottom and right to w x h without
// repeating the last row and column (TensorFlow's MirrorPad REFLECT;
// the padding must be smaller than each side).
func reflectAfter(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	mirror := func(j, n int) int {
		if j < n {
			return j
		}
		return 2*(n-1) - j
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Set(x, y, img.At(b.Min.X+mirror(x, b.Dx()), b.Min.Y+mirror(y, b.Dy())))
		}
	}
	return out
}

// cropTo is the top-left w x h of img.
func cropTo(img image.Image, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

// checkNativePadding runs --resize native on a 300x200 image and,
// separately (batch size 1), on that image reflect-padded to 512x256 by
// the test: the first output is 300x200 and equals the second cropped
// back. It returns the native output's directory.
func checkNativePadding(t *testing.T, model string, extra ...string) string {
	t.Helper()
	in, ref := filepath.Join(t.TempDir(), "in"), filepath.Join(t.TempDir(), "ref")
	os.MkdirAll(in, 0o755)
	os.MkdirAll(ref, 0o755)
	wide := decodePNG(t, patternPNG(t, 300, 200, 5))
	writePNG(t, filepath.Join(in, "wide.png"), wide)
	writePNG(t, filepath.Join(ref, "wide.png"), reflectAfter(wide, 512, 256))
	out, refOut := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "refout")
	args := append([]string{"infer", "--model", model, "--no-test-dropout", "--resize", "native"}, extra...)
	mustRun(t, append(args, "--output_dir", out, in)...)
	mustRun(t, append(args, "--output_dir", refOut, "--batch_size", "1", ref)...)
	got := readPNG(t, filepath.Join(out, "wide.png"))
	if got.Bounds().Dx() != 300 || got.Bounds().Dy() != 200 {
		t.Fatalf("%v: native output is %v, want 300x200", extra, got.Bounds())
	}
	full := readPNG(t, filepath.Join(refOut, "wide.png"))
	if full.Bounds().Dx() != 512 || full.Bounds().Dy() != 256 {
		t.Fatalf("%v: output of the padded input is %v, want 512x256", extra, full.Bounds())
	}
	d := maxPixelDiff(t, got, cropTo(full, 300, 200))
	t.Logf("%v: 300x200 native vs the padded 512x256 input's output cropped back: max difference %d/255", extra, d)
	if d > 1 {
		t.Errorf("%v: native output differs from the padded input's output by %d/255", extra, d)
	}
	return out
}

// TestInferResizeNative: at the crop size --resize native gives today's
// output; a 300x200 image comes out 300x200, equal to the generator's
// output on its reflect-padded 512x256 version cropped back, with the
// sub-pixel and the exact deconvolutions.
func TestInferResizeNative(t *testing.T) {
	model, data := trainedModel(t)
	a := halves(t, data)
	crop, native := filepath.Join(t.TempDir(), "crop"), filepath.Join(t.TempDir(), "native")
	mustRun(t, "infer", "--model", model, "--output_dir", crop, "--no-test-dropout", a)
	mustRun(t, "infer", "--model", model, "--output_dir", native, "--no-test-dropout", "--resize", "native", a)
	for _, n := range []string{"01.png", "02.png", "03.png"} {
		d := maxPixelDiff(t, readPNG(t, filepath.Join(native, n)), readPNG(t, filepath.Join(crop, n)))
		t.Logf("%s (256x256): --resize native vs crop: max difference %d/255", n, d)
		if d > 1 {
			t.Errorf("%s: --resize native differs from --resize crop by %d/255 at the crop size", n, d)
		}
	}
	fast := checkNativePadding(t, model)
	exact := checkNativePadding(t, model, "--exact-deconv")
	d := maxPixelDiff(t, readPNG(t, filepath.Join(fast, "wide.png")), readPNG(t, filepath.Join(exact, "wide.png")))
	t.Logf("300x200 native: sub-pixel vs exact deconvolution: max difference %d/255", d)
	if d > 1 {
		t.Errorf("native: sub-pixel and exact differ by %d/255", d)
	}
}

// TestInferResizeNativeVariants: a Lab model and a separable model run
// natively too.
func TestInferResizeNativeVariants(t *testing.T) {
	for _, flag := range []string{"--lab_colorization", "--separable_conv"} {
		data := filepath.Join(t.TempDir(), "data")
		writePairs(t, data, 1, 256, 256)
		model := filepath.Join(t.TempDir(), "model")
		mustRun(t, small(data, model, "--max_steps", "1", "--save_freq", "1", flag)...)
		t.Log(flag)
		checkNativePadding(t, model)
	}
}

// TestInferResizeNativeRefusals: an image over --max-pixels once padded
// is skipped by name while the others are written; --keep-256 and an
// unknown --resize are refused.
func TestInferResizeNativeRefusals(t *testing.T) {
	model, data := trainedModel(t)
	in := halves(t, data) // 256x256: 65536 pixels, no padding
	writePNG(t, filepath.Join(in, "wide.png"), decodePNG(t, patternPNG(t, 300, 200, 5)))
	out := filepath.Join(t.TempDir(), "out")
	// The binary, to read what it prints on stderr.
	cmd := exec.Command(pix2pixBinary(t), "infer", "--model", model, "--output_dir", out, "--resize", "native", "--max-pixels", "100000", in)
	log, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(log), "1 of 4 images failed") {
		t.Fatalf("error %v, want 1 of 4 failed\n%s", err, log)
	}
	want := "skipped " + filepath.Join(in, "wide.png") + ": 300x200 pads to 512x256 (131072 pixels, multiples of 256) for --resize native, over --max-pixels 100000"
	if !strings.Contains(string(log), want) || !strings.Contains(string(log), "4 images: 3 written, 0 skipped (output exists), 1 failed") {
		t.Errorf("log lacks %q or the summary:\n%s", want, log)
	}
	if _, err := os.Stat(filepath.Join(out, "wide.png")); err == nil {
		t.Error("the refused image was written")
	}
	for _, args := range [][]string{{"--resize", "native", "--keep-256"}, {"--resize", "nativ"}} {
		log, err := run(t, append(append([]string{"infer", "--model", model, "--output_dir", out}, args...), in)...)
		if err == nil {
			t.Errorf("%v accepted:\n%s", args, log)
		}
		t.Logf("%v: %v", args, err)
	}
}
