package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// trainedModel trains a tiny model for 2 steps and returns its directory.
func trainedModel(t *testing.T) (model, data string) {
	t.Helper()
	data = filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	model = filepath.Join(t.TempDir(), "model")
	mustRun(t, small(data, model, "--max_steps", "2", "--save_freq", "2")...)
	return model, data
}

// halves writes the A half of each pair in data as its own image.
func halves(t *testing.T, data string) string {
	dir := filepath.Join(t.TempDir(), "a")
	os.MkdirAll(dir, 0o755)
	files, _ := filepath.Glob(filepath.Join(data, "*.png"))
	for _, f := range files {
		img := readPNG(t, f)
		a := image.NewRGBA(image.Rect(0, 0, 256, 256))
		draw.Draw(a, a.Bounds(), img, image.Point{}, draw.Src)
		writePNG(t, filepath.Join(dir, filepath.Base(f)), a)
	}
	return dir
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// maxPixelDiff is the largest channel difference between two images.
func maxPixelDiff(t *testing.T, a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		t.Fatalf("sizes differ: %v, %v", a.Bounds(), b.Bounds())
	}
	m := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				if d < 0 {
					d = -d
				}
				m = max(m, d)
			}
		}
	}
	return m
}

// TestInferMatchesTestModeAndIgnoresBatching: with dropout off, infer's
// output for an A image equals test mode's output for its pair, at batch
// size 1 and 3 alike, and with infer's defaults in its own process (on
// the CPU, two runs with the cores divided between them: a thread pool
// of its own size, which in-process commands share with the first
// session of the test process; see TestMain).
func TestInferMatchesTestModeAndIgnoresBatching(t *testing.T) {
	model, data := trainedModel(t)
	testOut := filepath.Join(t.TempDir(), "test")
	mustRun(t, "test", "--input_dir", data, "--output_dir", testOut, "--checkpoint", model, "--no-test-dropout")
	a := halves(t, data)
	for _, bs := range []string{"1", "3", "defaults"} {
		out := filepath.Join(t.TempDir(), "infer"+bs)
		args := []string{"infer", "--model", model, "--output_dir", out, "--no-test-dropout"}
		if bs == "defaults" {
			mustRunBin(t, pix2pixBinary(t), append(args, a)...)
		} else {
			mustRun(t, append(args, "--batch_size", bs, a)...)
		}
		for _, name := range []string{"01", "02", "03"} {
			got := readPNG(t, filepath.Join(out, name+".png"))
			want := readPNG(t, filepath.Join(testOut, "images", name+"-outputs.png"))
			d := maxPixelDiff(t, got, want)
			if d > 1 {
				t.Errorf("batch %s, %s: infer differs from test mode by %d/255", bs, name, d)
			}
			t.Logf("batch %s, %s: max difference from test mode %d/255", bs, name, d)
		}
	}
}

// hugePNG is a valid PNG header claiming w x h pixels (no pixel data).
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// TestInferSkipsBadFiles: corrupt, truncated, non-image, empty and huge
// files are skipped by name; the rest are written; nothing partial stays.
func TestInferSkipsBadFiles(t *testing.T) {
	model, data := trainedModel(t)
	in := halves(t, data)
	good, _ := os.ReadFile(filepath.Join(in, "01.png"))
	os.WriteFile(filepath.Join(in, "corrupt.png"), append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...), 0o644)
	os.WriteFile(filepath.Join(in, "truncated.png"), good[:len(good)/3], 0o644)
	os.WriteFile(filepath.Join(in, "text.jpg"), []byte("this is a text file"), 0o644)
	os.WriteFile(filepath.Join(in, "empty.png"), nil, 0o644)
	os.WriteFile(filepath.Join(in, "huge.png"), hugePNG(100000, 100000), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	log, err := run(t, "infer", "--model", model, "--output_dir", out, "--no-test-dropout", in)
	if err == nil || !strings.Contains(err.Error(), "5 of 8 images failed") {
		t.Fatalf("error %v, want 5 of 8 failed", err)
	}
	if !strings.Contains(log, "8 images: 3 written, 0 skipped (output exists), 5 failed") {
		t.Errorf("summary missing:\n%s", log)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "01.png 02.png 03.png" {
		t.Errorf("output dir holds %v, want only the three good outputs", names)
	}
}

// TestInferLabModel: a Lab colorization model colours images; the
// sub-pixel and the exact transposed convolutions agree within 1/255.
func TestInferLabModel(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 2, 256, 256)
	model := filepath.Join(t.TempDir(), "model")
	mustRun(t, small(data, model, "--max_steps", "2", "--save_freq", "2", "--lab_colorization")...)
	in := halves(t, data)
	fast, exact := filepath.Join(t.TempDir(), "fast"), filepath.Join(t.TempDir(), "exact")
	mustRun(t, "infer", "--model", model, "--output_dir", fast, "--no-test-dropout", in)
	mustRun(t, "infer", "--model", model, "--output_dir", exact, "--no-test-dropout", "--exact-deconv", in)
	for _, n := range []string{"01.png", "02.png"} {
		d := maxPixelDiff(t, readPNG(t, filepath.Join(fast, n)), readPNG(t, filepath.Join(exact, n)))
		if d > 1 {
			t.Errorf("%s: sub-pixel and exact differ by %d/255", n, d)
		}
	}
}

// TestInferInFlightWritesTheSameFiles: two overlapping generator runs
// (--in-flight 2) write byte-identical files to one at a time. (Dropout
// is off: with it on, an image's mask follows the order decoding
// finishes, which varies from run to run at --in-flight 1 too.)
func TestInferInFlightWritesTheSameFiles(t *testing.T) {
	model, data := trainedModel(t)
	a := halves(t, data)
	outs := map[string]string{}
	for _, n := range []string{"1", "2"} {
		outs[n] = filepath.Join(t.TempDir(), "inflight"+n)
		mustRun(t, "infer", "--model", model, "--output_dir", outs[n], "--batch_size", "1", "--in-flight", n,
			"--no-test-dropout", a)
	}
	for _, name := range []string{"01.png", "02.png", "03.png"} {
		one, err1 := os.ReadFile(filepath.Join(outs["1"], name))
		two, err2 := os.ReadFile(filepath.Join(outs["2"], name))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", name, err1, err2)
		}
		if !bytes.Equal(one, two) {
			t.Errorf("%s: --in-flight 2 wrote a different file than --in-flight 1", name)
		}
	}
}

// TestInferDropoutIsReproducible: with dropout on (the original's test
// mode) and the same --seed, three runs at batch size 4 write the same
// files: images are batched in input order (decodeInOrder), whatever
// order the decoders finish in, so each batch holds the same images and
// draws the same masks (keyed by its first image's name; at batch size 1
// an image's masks would not depend on the order at all). Another seed's
// masks change the outputs (so the test sees masks). (The race it guards
// against shows on the bench's 8 images and trained ngf-64 model: before
// the reordering 10 of 24 output comparisons over 4 runs differed, after
// it 0; this small fixture does not reliably provoke it.)
func TestInferDropoutIsReproducible(t *testing.T) {
	// The original's generator size: slow enough that decoded images
	// queue for it, and the decoders' sends then resume in no set order.
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	model := filepath.Join(t.TempDir(), "model")
	mustRun(t, "train", "--input_dir", data, "--output_dir", model, "--ngf", "64", "--ndf", "4", "--seed", "3",
		"--max_steps", "1", "--progress_freq", "0", "--summary_freq", "0")
	in := halves(t, data)
	for i := 0; i < 13; i++ { // 16 inputs: the 3 halves and copies of them, renamed
		b, err := os.ReadFile(filepath.Join(in, fmt.Sprintf("%02d.png", i%3+1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, fmt.Sprintf("c%02d.png", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name, seed string) string {
		out := filepath.Join(t.TempDir(), name)
		mustRun(t, "infer", "--model", model, "--output_dir", out, "--batch_size", "4", "--seed", seed, in)
		return out
	}
	outs := []string{run("a", "7"), run("b", "7"), run("c", "7")}
	other := run("other", "8")
	names, _ := filepath.Glob(filepath.Join(outs[0], "*.png"))
	if len(names) != 16 {
		t.Fatalf("%d outputs, want 16", len(names))
	}
	same, differ := 0, 0
	for _, f := range names {
		a, _ := os.ReadFile(f)
		for _, o := range outs[1:] {
			if b, err := os.ReadFile(filepath.Join(o, filepath.Base(f))); err == nil && bytes.Equal(a, b) {
				same++
			} else {
				t.Errorf("%s: runs with dropout and --seed 7 wrote different files (%v)", filepath.Base(f), err)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(other, filepath.Base(f))); !bytes.Equal(a, b) {
			differ++
		}
	}
	t.Logf("16 images with dropout, 3 runs: %d of 32 comparisons identical; %d of 16 differ under --seed 8", same, differ)
	if differ < 8 {
		t.Errorf("other masks (--seed 8) changed only %d of 16 outputs: the test would not see a change of masks", differ)
	}
}
