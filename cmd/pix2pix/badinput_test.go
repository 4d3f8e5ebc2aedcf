package main

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/pkg/checkpoint"
)

// TestTrainRejectsBadInput: each bad input gets a clear error naming the
// file or value, and leaves no checkpoint behind.
func TestTrainRejectsBadInput(t *testing.T) {
	rgb := func(w, h int) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = uint8(i * 7)
			if i%4 == 3 {
				img.Pix[i] = 255
			}
		}
		return img
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) // makes the input dir
		args  []string
		want  string // in the error
		file  string // the error names this file (relative to the input dir)
	}{
		{"empty dir", func(t *testing.T, dir string) {}, nil, "contains no image files", ""},
		{"no images", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
		}, nil, "contains no image files", ""},
		{"corrupt png", func(t *testing.T, dir string) {
			writePairs(t, dir, 2, 256, 256)
			os.WriteFile(filepath.Join(dir, "03.png"), []byte("\x89PNG\r\n\x1a\nthis is not a png"), 0o644)
		}, nil, "is not a readable PNG or JPEG", "03.png"},
		{"truncated png", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "01.png"), rgb(512, 256))
			data, _ := os.ReadFile(filepath.Join(dir, "01.png"))
			os.WriteFile(filepath.Join(dir, "01.png"), data[:len(data)/2], 0o644)
		}, nil, "cannot be decoded", "01.png"},
		{"4-channel png", func(t *testing.T, dir string) {
			img := image.NewNRGBA(image.Rect(0, 0, 512, 256))
			img.Set(3, 3, color.NRGBA{1, 2, 3, 100})
			writePNG(t, filepath.Join(dir, "01.png"), img)
		}, nil, "has 4 channels", "01.png"},
		{"1-channel png", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "01.png"), image.NewGray(image.Rect(0, 0, 512, 256)))
		}, nil, "has 1 channel", "01.png"},
		{"zero-byte file", func(t *testing.T, dir string) {
			writePairs(t, dir, 1, 256, 256)
			os.WriteFile(filepath.Join(dir, "02.png"), nil, 0o644)
		}, nil, "is empty (0 bytes)", "02.png"},
		{"1x1 image", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "01.png"), rgb(1, 1))
		}, nil, "at least 2 pixels wide", "01.png"},
		{"odd width", func(t *testing.T, dir string) {
			writePNG(t, filepath.Join(dir, "01.png"), rgb(513, 256))
		}, nil, "odd width (513)", "01.png"},
		{"scale_size below 256", func(t *testing.T, dir string) {
			writePairs(t, dir, 1, 256, 256)
		}, []string{"--scale_size", "200"}, "scale_size 200 is less than the crop size 256", ""},
		{"bad direction", func(t *testing.T, dir string) {
			writePairs(t, dir, 1, 256, 256)
		}, []string{"--which_direction", "AtoC"}, `which_direction "AtoC"`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, out := filepath.Join(t.TempDir(), "in"), filepath.Join(t.TempDir(), "out")
			os.MkdirAll(in, 0o755)
			tc.setup(t, in)
			_, err := run(t, append(small(in, out, "--max_steps", "2", "--save_freq", "1"), tc.args...)...)
			if err == nil {
				t.Fatal("training succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			if tc.file != "" && !strings.Contains(msg, filepath.Join(in, tc.file)) {
				t.Errorf("error %q does not name %s", msg, tc.file)
			}
			if m, _ := filepath.Glob(filepath.Join(out, "model-*")); len(m) > 0 {
				t.Errorf("left %v behind", m)
			}
			t.Logf("%s", msg)
		})
	}
}

// TestTrainRejectsMismatchedCheckpoint: resuming with another ngf names
// the variable, both shapes and the option to check.
func TestTrainRejectsMismatchedCheckpoint(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 1, 256, 256)
	first := filepath.Join(t.TempDir(), "first")
	mustRun(t, small(data, first, "--max_steps", "1", "--save_freq", "1")...)
	out := filepath.Join(t.TempDir(), "second")
	_, err := run(t, "train", "--input_dir", data, "--output_dir", out, "--ngf", "8", "--ndf", "4",
		"--checkpoint", first, "--max_steps", "1")
	if err == nil {
		t.Fatal("resuming an ngf 4 checkpoint with --ngf 8 succeeded")
	}
	for _, want := range []string{filepath.Join(first, "model-1"), "generator/", "check --ngf"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, statErr := os.Stat(out); statErr == nil {
		t.Errorf("a failed resume created %s", out)
	}
	t.Log(err)
	_, err = run(t, "train", "--input_dir", data, "--output_dir", out, "--checkpoint", t.TempDir(), "--max_steps", "1")
	if err == nil || !strings.Contains(err.Error(), "no checkpoint in") {
		t.Errorf("resuming from an empty directory: %v", err)
	}
}

// TestTrainStopsOnNaN: a diverging run stops with a clear error at the
// first non-finite loss and keeps the last good checkpoint.
func TestTrainStopsOnNaN(t *testing.T) {
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 2, 256, 256)
	_, err := run(t, small(data, out, "--max_steps", "20", "--save_freq", "1", "--lr", "1e30")...)
	if err == nil || !strings.Contains(err.Error(), "became NaN") && !strings.Contains(err.Error(), "became +Inf") {
		t.Fatalf("error %v, want a non-finite loss error", err)
	}
	st, serr := checkpoint.ReadState(out)
	if serr != nil {
		t.Fatal(serr)
	}
	if !strings.Contains(err.Error(), "Last good checkpoint: "+filepath.Join(out, st.ModelCheckpointPath)) {
		t.Errorf("error %q does not name the kept checkpoint %s", err, st.ModelCheckpointPath)
	}
	if _, lerr := checkpoint.ReadTensors(filepath.Join(out, st.ModelCheckpointPath)); lerr != nil {
		t.Errorf("the kept checkpoint does not load: %v", lerr)
	}
	t.Log(err)
}
