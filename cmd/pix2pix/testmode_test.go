package main

import (
	"image"
	"path/filepath"
	"testing"
)

// TestTestModeMatchesReference: with dropout off, `pix2pix test` writes
// the PNGs the reference's test mode (the original's, in the harness)
// writes from the same checkpoint and inputs.
func TestTestModeMatchesReference(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	for _, tc := range []struct {
		name  string
		train []string
		args  []string
		ref   []string
	}{
		{"AtoB", nil, nil, nil},
		{"BtoA-batch2-aspect1.5", []string{"--which_direction", "BtoA"}, []string{"--batch_size", "2", "--aspect_ratio", "1.5"},
			[]string{"--which_direction", "BtoA", "--batch_size", "2", "--aspect_ratio", "1.5"}},
		{"lab", []string{"--lab_colorization"}, nil, []string{"--lab_colorization"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model := filepath.Join(t.TempDir(), "model")
			mustRun(t, small(data, model, append([]string{"--max_steps", "2", "--save_freq", "2"}, tc.train...)...)...)
			ours := filepath.Join(t.TempDir(), "ours")
			mustRun(t, append([]string{"test", "--input_dir", data, "--output_dir", ours, "--checkpoint", model, "--no-test-dropout"}, tc.args...)...)
			theirs := filepath.Join(t.TempDir(), "ref")
			refHarness(t, append([]string{"test", "--ngf", "4", "--ndf", "4", "--no_dropout", "--ckpt", filepath.Join(model, "model-2"),
				"--input_dir", data, "--output_dir", theirs}, tc.ref...)...)
			files, _ := filepath.Glob(filepath.Join(theirs, "images", "*.png"))
			if len(files) != 9 {
				t.Fatalf("reference wrote %d images, want 9", len(files))
			}
			worst := 0
			for _, f := range files {
				d := maxPixelDiff(t, readPNG(t, filepath.Join(ours, "images", filepath.Base(f))), readPNG(t, f))
				worst = max(worst, d)
				if d > 1 {
					t.Errorf("%s differs from the reference by %d/255", filepath.Base(f), d)
				}
			}
			t.Logf("%s: %d images, max pixel difference from the reference's test mode %d/255", tc.name, len(files), worst)
			// Ours wrote exactly the reference's files, and its outputs are
			// images, not a constant (which would match a constant too).
			mine, _ := filepath.Glob(filepath.Join(ours, "images", "*.png"))
			if len(mine) != len(files) {
				t.Errorf("pix2pix test wrote %d images, the reference %d", len(mine), len(files))
			}
			outs, _ := filepath.Glob(filepath.Join(ours, "images", "*-outputs.png"))
			for _, f := range outs {
				if lo, hi := pixelRange(readPNG(t, f)); hi-lo < 8 {
					t.Errorf("%s: pixel values only span %d..%d", filepath.Base(f), lo, hi)
				}
			}
			if len(outs) != 3 {
				t.Errorf("pix2pix test wrote %d outputs, want 3", len(outs))
			}
		})
	}
}

// pixelRange is the smallest and largest 8-bit channel value of img.
func pixelRange(img image.Image) (lo, hi int) {
	lo = 255
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for _, c := range []int{int(r >> 8), int(g >> 8), int(bl >> 8)} {
				lo, hi = min(lo, c), max(hi, c)
			}
		}
	}
	return lo, hi
}
