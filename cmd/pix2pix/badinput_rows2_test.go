package main

import (
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// More rows of the corpus: test mode's bad files, outputs over inputs,
// exports into occupied directories.

func testDataRows() []corpusRow {
	testIn := []string{"test", "--input_dir", "$D/in", "--output_dir", "$D/out", "--checkpoint", "$RUN", "--no-test-dropout"}
	withPairs := func(edit func(t *testing.T, in string)) func(*testing.T, *corpusFixture, string) ([]string, []string) {
		return func(t *testing.T, fx *corpusFixture, dir string) ([]string, []string) {
			in := filepath.Join(dir, "in")
			copyDir(t, fx.pairs, in)
			edit(t, in)
			return testIn, []string{in}
		}
	}
	return []corpusRow{
		{name: "test: truncated png among good ones", code: 1, writes: true, setup: withPairs(func(t *testing.T, in string) {
			data, _ := os.ReadFile(filepath.Join(in, "01.png"))
			writeFile(t, filepath.Join(in, "04.png"), data[:len(data)/2])
		}), want: []string{"skipped image $D/in/04.png cannot be decoded", "1 of 4 images failed and were skipped"},
			check: func(t *testing.T, dir, out string) {
				html, err := os.ReadFile(filepath.Join(dir, "out", "index.html"))
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range []string{"01", "02", "03"} {
					if !strings.Contains(string(html), "images/"+name+"-outputs.png") {
						t.Errorf("index.html lacks %s", name)
					}
				}
				if strings.Contains(string(html), "04-") {
					t.Error("index.html lists the skipped 04")
				}
				if _, err := os.Stat(filepath.Join(dir, "out", "report.html")); err != nil {
					t.Errorf("no report.html for the good images: %v", err)
				}
			}},
		{name: "test: png header claiming 100000x100000", code: 1, writes: true, setup: withPairs(func(t *testing.T, in string) {
			writeFile(t, filepath.Join(in, "04.png"), hugePNG(100000, 100000))
		}), want: []string{"$D/in/04.png is 100000x100000, over the limit", "1 of 4 images failed"}},
		{name: "test: every image bad", code: 1, setup: withPairs(func(t *testing.T, in string) {
			for _, n := range []string{"01", "02", "03"} {
				truncate(t, filepath.Join(in, n+".png"))
			}
		}), want: []string{"none of the 3 images in $D/in is usable"}},
	}
}

func overwriteRows() []corpusRow {
	infer := func(out, in string) []string {
		return []string{"infer", "--model", "$RUN", "--output_dir", out, "--no-test-dropout", in}
	}
	row := func(name string, edit func(t *testing.T, dir, in string), args []string, input string) corpusRow {
		return corpusRow{name: name, code: 2, setup: withInputs(edit, args...),
			want: []string{"would overwrite the input " + input}}
	}
	return []corpusRow{
		row("infer: output dir is the input dir", nil, infer("$D/in", "$D/in"), "$D/in/01.png"),
		row("infer: output dir is ./in/../in/", nil, infer("./in/../in/", "in"), "in/01.png"),
		row("infer: input is a glob in the output dir", nil, infer("$D/in", "$D/in/*.png"), "$D/in/01.png"),
		row("infer: input is a list of files in the output dir", func(t *testing.T, dir, in string) {
			writeFile(t, filepath.Join(dir, "list.txt"), []byte("# inputs\nin/01.png\nin/02.png\n"))
		}, infer("$D/in", "$D/list.txt"), "$D/in/01.png"),
		row("infer: output dir is a symlink to the input dir", func(t *testing.T, dir, in string) {
			if err := os.Symlink(in, filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
		}, infer("$D/link", "$D/in"), "$D/in/01.png"),
		{name: "infer: truncated png (TensorFlow's decoder refuses it too)", code: 1, writes: true, setup: withInputs(func(t *testing.T, dir, in string) {
			data, _ := os.ReadFile(filepath.Join(in, "01.png"))
			writeFile(t, filepath.Join(in, "04.png"), data[:len(data)/2])
		}, infer("$D/out", "$D/in")...), want: []string{"skipped $D/in/04.png: cannot be decoded", "1 of 4 images failed"}},
		{name: "infer: truncated jpg (TensorFlow's decoder refuses it too)", code: 1, writes: true, setup: withInputs(func(t *testing.T, dir, in string) {
			writeFile(t, filepath.Join(in, "05.jpg"), truncatedJPEG(t, filepath.Join(in, "01.png")))
		}, infer("$D/out", "$D/in")...), want: []string{"skipped $D/in/05.jpg: cannot be decoded", "1 of 4 images failed"}},
		{name: "infer: list names a missing file", code: 1, writes: true, setup: withInputs(func(t *testing.T, dir, in string) {
			writeFile(t, filepath.Join(dir, "list.txt"), []byte("in/01.png\nin/missing.png\n"))
		}, infer("$D/out", "$D/list.txt")...), want: []string{"skipped $D/in/missing.png", "1 of 2 images failed"}},
	}
}

// truncatedJPEG is the first half of the PNG at path re-encoded as JPEG.
func truncatedJPEG(t *testing.T, path string) []byte {
	src := readPNG(t, path)
	img := image.NewRGBA(src.Bounds())
	draw.Draw(img, img.Bounds(), src, image.Point{}, draw.Src)
	tmp := path + ".tmp.jpg"
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	jpeg.Encode(f, img, nil)
	f.Close()
	data, _ := os.ReadFile(tmp)
	os.Remove(tmp)
	return data[:len(data)/2]
}

func exportRows() []corpusRow {
	exportTo := func(dir string, extra ...string) []string {
		return append([]string{"export", "--checkpoint", "$RUN", "--output_dir", dir}, extra...)
	}
	occupied := func(files map[string]string, args []string, protect ...string) func(*testing.T, *corpusFixture, string) ([]string, []string) {
		return func(t *testing.T, fx *corpusFixture, dir string) ([]string, []string) {
			for name, content := range files {
				writeFile(t, filepath.Join(dir, "exp", name), []byte(content))
			}
			return args, protect
		}
	}
	return []corpusRow{
		{name: "export into the run it exports", code: 2, setup: withRun(nil, "export", "--checkpoint", "$D/run", "--output_dir", "$D/run"),
			want: []string{"--output_dir $D/run holds a training run", "export into another directory"}},
		{name: "export --force into a training run", code: 2, setup: withRun(nil, "export", "--checkpoint", "$RUN", "--output_dir", "$D/run", "--force"),
			want: []string{"holds a training run", "--force does not override this"}},
		{name: "export into a dir whose saved_model/ holds user files", code: 2,
			setup: occupied(map[string]string{"saved_model/notes.txt": "mine"}, exportTo("$D/exp"), "$D/exp"),
			want:  []string{"--output_dir $D/exp is not empty", "saved_model/ is replaced whole", "pass --force"}},
		{name: "export into a non-empty dir", code: 2,
			setup: occupied(map[string]string{"notes.txt": "mine"}, exportTo("$D/exp"), "$D/exp"),
			want:  []string{"--output_dir $D/exp is not empty", "kept: notes.txt", "pass --force"}},
		{name: "export --force over a previous export", code: 0,
			setup: occupied(map[string]string{"notes.txt": "mine", "export.meta": "old", "saved_model/saved_model.pb": "old"},
				exportTo("$D/exp", "--force"), "$D/exp/notes.txt"),
			want: []string{"replacing $D/exp/export.meta (--force)", "replacing $D/exp/saved_model (--force)"},
			check: func(t *testing.T, dir, out string) {
				for _, f := range []string{"export.meta", "saved_model/saved_model.pb"} {
					if data, _ := os.ReadFile(filepath.Join(dir, "exp", f)); string(data) == "old" {
						t.Errorf("%s was not replaced", f)
					}
				}
			}},
		{name: "export: checkpoint dir missing", code: 1, setup: fixed("export", "--checkpoint", "$D/nothing", "--output_dir", "$D/out"),
			want: []string{"$D/nothing/options.json"}},
	}
}
