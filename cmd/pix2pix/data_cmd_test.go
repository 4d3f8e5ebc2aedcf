package main

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func solid(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

// dirWithBadFiles has two good images of w x h and a corrupt and an empty one.
func dirWithBadFiles(t *testing.T, w, h int) string {
	dir := filepath.Join(t.TempDir(), "in")
	os.MkdirAll(dir, 0o755)
	img := solid(w, h, color.RGBA{200, 100, 50, 255})
	for y := 0; y < h; y++ {
		for x := 0; x < w/2; x++ {
			img.Set(x, y, color.RGBA{10, 20, 30, 255})
		}
	}
	writePNG(t, filepath.Join(dir, "a.png"), img)
	writePNG(t, filepath.Join(dir, "b.png"), img)
	os.WriteFile(filepath.Join(dir, "corrupt.png"), []byte("\x89PNG\r\n\x1a\ngarbage"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.jpg"), nil, 0o644)
	return dir
}

func TestDataPerImageCommandsSkipBadFiles(t *testing.T) {
	in := dirWithBadFiles(t, 120, 80)
	for _, tc := range []struct {
		args  []string
		check func(t *testing.T, img image.Image)
	}{
		{[]string{"grayscale"}, func(t *testing.T, img image.Image) {
			r, g, b, _ := img.At(100, 40).RGBA()
			if r != g || g != b {
				t.Errorf("grayscale pixel (%d,%d,%d) is not grey", r>>8, g>>8, b>>8)
			}
		}},
		{[]string{"resize", "--size", "64"}, func(t *testing.T, img image.Image) {
			if img.Bounds().Dx() != 64 || img.Bounds().Dy() != 64 {
				t.Errorf("resize gave %v", img.Bounds())
			}
		}},
		{[]string{"resize", "--size", "50", "--pad"}, func(t *testing.T, img image.Image) {
			// 120x80 padded to 120x120: the top rows are black padding.
			if r, g, b, _ := img.At(25, 2).RGBA(); r|g|b != 0 || img.Bounds().Dx() != 50 {
				t.Errorf("pad: %v, top pixel (%d,%d,%d)", img.Bounds(), r>>8, g>>8, b>>8)
			}
		}},
		{[]string{"blank"}, func(t *testing.T, img image.Image) {
			if r, g, b, _ := img.At(60, 40).RGBA(); r>>8 != 255 || g>>8 != 255 || b>>8 != 255 {
				t.Error("blank: centre not white")
			}
			if r, _, _, _ := img.At(2, 2).RGBA(); r>>8 != 10 {
				t.Error("blank: corner changed")
			}
		}},
		{[]string{"edges"}, func(t *testing.T, img image.Image) {
			dark := 0
			for y := 0; y < 80; y++ {
				for x := 0; x < 120; x++ {
					if r, _, _, _ := img.At(x, y).RGBA(); r>>8 < 128 {
						dark++
						if x < 56 || x > 64 {
							t.Fatalf("edge pixel at x=%d, far from the boundary at 60", x)
						}
					}
				}
			}
			if dark < 80 {
				t.Errorf("only %d edge pixels along an 80-pixel boundary", dark)
			}
		}},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			log, err := run(t, append(append([]string{"data"}, tc.args...), "--input_dir", in, "--output_dir", out)...)
			if err == nil || !strings.Contains(err.Error(), "2 images failed") || !strings.Contains(log, "2 written, 2 failed") {
				t.Fatalf("err %v, log %q: want 2 written, 2 failed", err, log)
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 2 {
				t.Fatalf("%d files written, want a.png and b.png only", len(entries))
			}
			tc.check(t, readPNG(t, filepath.Join(out, "a.png")))
		})
	}
}

func TestDataCombine(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	writePNG(t, filepath.Join(a, "1.png"), solid(40, 30, color.Black))
	writePNG(t, filepath.Join(b, "1.png"), solid(40, 30, color.White))
	writePNG(t, filepath.Join(a, "2.png"), solid(40, 30, color.Black))
	writePNG(t, filepath.Join(b, "2.png"), solid(41, 30, color.White)) // size mismatch
	writePNG(t, filepath.Join(a, "3.png"), solid(40, 30, color.Black)) // no B
	gray := image.NewGray(image.Rect(0, 0, 40, 30))
	writePNG(t, filepath.Join(a, "4.png"), gray)
	writePNG(t, filepath.Join(b, "4.png"), image.NewNRGBA(image.Rect(0, 0, 40, 30)))
	out := filepath.Join(t.TempDir(), "out")
	_, err := run(t, "data", "combine", "--input_dir", a, "--b_dir", b, "--output_dir", out)
	if err == nil || !strings.Contains(err.Error(), "2 images failed") {
		t.Fatalf("err %v, want 2 failed (size mismatch, missing B)", err)
	}
	img := readPNG(t, filepath.Join(out, "1.png"))
	if img.Bounds().Dx() != 80 || img.Bounds().Dy() != 30 {
		t.Fatalf("combined size %v", img.Bounds())
	}
	if r, _, _, _ := img.At(10, 10).RGBA(); r != 0 {
		t.Error("left half is not A")
	}
	if r, _, _, _ := img.At(50, 10).RGBA(); r>>8 != 255 {
		t.Error("right half is not B")
	}
	if _, ok := readPNG(t, filepath.Join(out, "4.png")).(*image.RGBA); !ok {
		t.Error("grey and alpha inputs did not give an RGB(A, opaque) pair")
	}
}

func TestDataSplitAndSynth(t *testing.T) {
	syn := filepath.Join(t.TempDir(), "syn")
	mustRun(t, "data", "synth", "--output_dir", syn, "--count", "10", "--size", "64", "--seed", "4")
	again := filepath.Join(t.TempDir(), "again")
	mustRun(t, "data", "synth", "--output_dir", again, "--count", "10", "--size", "64", "--seed", "4")
	for i := 1; i <= 10; i++ {
		a, _ := os.ReadFile(filepath.Join(syn, itoaPlain(i)+".png"))
		b, _ := os.ReadFile(filepath.Join(again, itoaPlain(i)+".png"))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("synth pair %d is not reproducible from its seed", i)
		}
	}
	if img := readPNG(t, filepath.Join(syn, "1.png")); img.Bounds().Dx() != 128 || img.Bounds().Dy() != 64 {
		t.Errorf("synth pair is %v, want 128x64", img.Bounds())
	}
	out := filepath.Join(t.TempDir(), "split")
	log := mustRun(t, "data", "split", "--input_dir", syn, "--output_dir", out, "--train-frac", "0.8", "--test-frac", "0.1")
	if !strings.Contains(log, "train 8, val 1, test 1") {
		t.Errorf("split: %q", log)
	}
	if _, err := run(t, "data", "split", "--input_dir", syn, "--output_dir", out, "--train-frac", "0.9", "--test-frac", "0.2"); err == nil {
		t.Error("fractions adding up to 1.1 accepted")
	}
}

func itoaPlain(i int) string { return strings.TrimLeft(itoa(i), "0") }
