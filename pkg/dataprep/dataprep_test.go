package dataprep

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSynthIsSeeded: the same seed writes the same bytes, with any worker
// count; another seed writes other images; each pair is A|B side by side.
func TestSynthIsSeeded(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir     string
		seed    int64
		workers int
	}{{a, 5, 1}, {b, 5, 3}, {c, 6, 2}} {
		rep, err := Synth(run.dir, 3, 32, run.seed, Options{Workers: run.workers})
		if err != nil || rep.Written != 3 || len(rep.Failures) != 0 {
			t.Fatalf("synth seed %d: %+v, %v", run.seed, rep, err)
		}
	}
	for i := 1; i <= 3; i++ {
		name := string(rune('0'+i)) + ".png"
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		z, _ := os.ReadFile(filepath.Join(c, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: seed 5 gave different bytes with 1 and 3 workers", name)
		}
		if bytes.Equal(x, z) {
			t.Errorf("%s: seeds 5 and 6 gave the same image", name)
		}
		img, err := ReadImage(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		if s := img.Bounds().Size(); s != image.Pt(64, 32) {
			t.Errorf("%s is %v, want 64x32 (A|B of 32)", name, s)
		}
	}
}

// TestResizeCropsOrPads: a 40x20 image becomes size x size, its centre
// kept (crop) or framed in black (pad).
func TestResizeCropsOrPads(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			src.Set(x, y, color.RGBA{200, 100, 50, 255})
		}
	}
	for _, pad := range []bool{false, true} {
		out, err := Resize(src, 10, pad)
		if err != nil {
			t.Fatal(err)
		}
		if out.Bounds().Size() != image.Pt(10, 10) {
			t.Fatalf("pad %v: %v, want 10x10", pad, out.Bounds().Size())
		}
		r, _, _, _ := out.At(5, 5).RGBA()
		corner, _, _, _ := out.At(5, 0).RGBA()
		if r>>8 < 190 {
			t.Errorf("pad %v: centre red %d, want the image's 200", pad, r>>8)
		}
		if pad && corner>>8 > 10 {
			t.Errorf("pad: top edge red %d, want black padding", corner>>8)
		}
		if !pad && corner>>8 < 190 {
			t.Errorf("crop: top edge red %d, want the image (no padding)", corner>>8)
		}
	}
	if _, err := Resize(src, 0, false); err == nil {
		t.Error("size 0 accepted")
	}
}

// TestCombineNeedsEqualSizes: A and B side by side, or an error saying
// both sizes.
func TestCombineNeedsEqualSizes(t *testing.T) {
	a, b := image.NewRGBA(image.Rect(0, 0, 8, 6)), image.NewGray(image.Rect(0, 0, 8, 6))
	out, err := Combine(a, b)
	if err != nil || out.Bounds().Size() != image.Pt(16, 6) {
		t.Fatalf("combine 8x6 + 8x6: %v, %v", out.Bounds().Size(), err)
	}
	if _, err := Combine(a, image.NewRGBA(image.Rect(0, 0, 8, 7))); err == nil || !strings.Contains(err.Error(), "8x6 but B is 8x7") {
		t.Errorf("combine 8x6 + 8x7: %v, want an error naming both sizes", err)
	}
}

// TestSplitCounts: the original's fractions, rounded, every file placed
// once; bad fractions refused.
func TestSplitCounts(t *testing.T) {
	src := t.TempDir()
	if _, err := Synth(src, 10, 16, 1, Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	counts, err := Split(src, out, SplitOptions{TrainFrac: 0.6, TestFrac: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if counts["train"] != 6 || counts["test"] != 2 || counts["val"] != 2 {
		t.Errorf("counts %v, want train 6, test 2, val 2", counts)
	}
	total := 0
	for _, d := range []string{"train", "val", "test"} {
		files, _ := ImageFiles(filepath.Join(out, d))
		total += len(files)
	}
	if total != 10 {
		t.Errorf("%d files placed, want 10", total)
	}
	if _, err := Split(src, t.TempDir(), SplitOptions{TrainFrac: 0.8, TestFrac: 0.3}); err == nil {
		t.Error("fractions adding up to 1.1 accepted")
	}
}
