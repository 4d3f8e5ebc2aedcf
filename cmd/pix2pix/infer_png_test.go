package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInferPNGCompression: --png-compression changes how PNG outputs are
// stored, never their pixels: level 0 writes the rows uncompressed (at
// least 256 x (1 + 256 x 3) bytes for a 256x256 RGB image), zlib's default
// a smaller file, level 9 one no larger than the default's plus a little.
func TestInferPNGCompression(t *testing.T) {
	const stored = 256 * (1 + 256*3)
	model, data := trainedModel(t)
	a := halves(t, data)
	out := map[string]string{}
	for _, level := range []string{"-1", "0", "9"} {
		out[level] = filepath.Join(t.TempDir(), "png"+level)
		args := []string{"infer", "--model", model, "--output_dir", out[level], "--no-test-dropout", "--keep-256"}
		if level != "-1" {
			args = append(args, "--png-compression", level)
		}
		mustRun(t, append(args, a)...)
	}
	for _, name := range []string{"01.png", "02.png", "03.png"} {
		size := map[string]int64{}
		for level, dir := range out {
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			size[level] = st.Size()
			if d := maxPixelDiff(t, readPNG(t, filepath.Join(dir, name)), readPNG(t, filepath.Join(out["-1"], name))); d != 0 {
				t.Errorf("%s at --png-compression %s: pixels differ from the default's by %d/255", name, level, d)
			}
		}
		t.Logf("%s: %d bytes at -1 (default), %d at 0, %d at 9", name, size["-1"], size["0"], size["9"])
		if size["0"] < stored {
			t.Errorf("%s at --png-compression 0: %d bytes, less than the %d of uncompressed rows", name, size["0"], stored)
		}
		if size["-1"] >= size["0"] {
			t.Errorf("%s: the default level wrote %d bytes, no fewer than level 0's %d", name, size["-1"], size["0"])
		}
		if size["9"] > size["-1"]+size["-1"]/50 {
			t.Errorf("%s: level 9 wrote %d bytes, more than the default's %d", name, size["9"], size["-1"])
		}
	}
}

// TestServePNGCompression: serve --png-compression 0 answers with an
// uncompressed PNG of infer's pixels (within serve's 1/255 of infer, see
// serveEqualsInfer). (A level zlib lacks: the bad-input corpus.)
func TestServePNGCompression(t *testing.T) {
	model, data := trainedModel(t)
	dir := halves(t, data)
	out := filepath.Join(t.TempDir(), "infer")
	mustRun(t, "infer", "--model", model, "--output_dir", out, "--no-test-dropout", dir)
	s := startServe(t, model, "--png-compression", "0")
	body, err := os.ReadFile(filepath.Join(dir, "01.png"))
	if err != nil {
		t.Fatal(err)
	}
	code, got, _ := s.post(t, "/v1/translate", "image/png", body)
	if code != 200 {
		t.Fatalf("status %d: %s", code, got)
	}
	const stored = 256 * (1 + 256*3)
	d := maxPixelDiff(t, decodePNG(t, got), readPNG(t, filepath.Join(out, "01.png")))
	t.Logf("served at level 0: %d bytes, max difference from infer's output %d/255", len(got), d)
	if len(got) < stored {
		t.Errorf("served PNG at --png-compression 0 is %d bytes, less than the %d of uncompressed rows", len(got), stored)
	}
	if d > 1 {
		t.Errorf("served output differs from infer's by %d/255", d)
	}
}
