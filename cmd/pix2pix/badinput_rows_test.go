package main

import (
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/pkg/session"
)

// The corpus's rows: one per kind of bad input. Exit codes: 2 for a bad
// flag value or a refused output directory (before anything is created),
// 1 for bad data, checkpoints and options.json.

// fixed is a setup with fixed arguments and nothing of its own to protect.
func fixed(args ...string) func(*testing.T, *corpusFixture, string) ([]string, []string) {
	return func(*testing.T, *corpusFixture, string) ([]string, []string) { return args, nil }
}

// trainOn is a setup that fills $D/in with make and trains on it.
func trainOn(make func(t *testing.T, fx *corpusFixture, in string), extra ...string) func(*testing.T, *corpusFixture, string) ([]string, []string) {
	return func(t *testing.T, fx *corpusFixture, dir string) ([]string, []string) {
		in := filepath.Join(dir, "in")
		if err := os.MkdirAll(in, 0o755); err != nil {
			t.Fatal(err)
		}
		make(t, fx, in)
		return small(in, "$D/out", append([]string{"--save_freq", "1"}, extra...)...), []string{in}
	}
}

// withRun copies the trained run to $D/run, lets edit damage the copy, and
// runs args; the copy must not change further.
func withRun(edit func(t *testing.T, run string), args ...string) func(*testing.T, *corpusFixture, string) ([]string, []string) {
	return func(t *testing.T, fx *corpusFixture, dir string) ([]string, []string) {
		run := filepath.Join(dir, "run")
		copyDir(t, fx.run, run)
		if edit != nil {
			edit(t, run)
		}
		return args, []string{run}
	}
}

// withInputs copies the single images to $D/in (and lets edit add to
// them), then runs args; $D/in must not change.
func withInputs(edit func(t *testing.T, dir, in string), args ...string) func(*testing.T, *corpusFixture, string) ([]string, []string) {
	return func(t *testing.T, fx *corpusFixture, dir string) ([]string, []string) {
		in := filepath.Join(dir, "in")
		copyDir(t, fx.singles, in)
		if edit != nil {
			edit(t, dir, in)
		}
		return args, []string{in}
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// truncate keeps the first half of the file.
func truncate(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data[:len(data)/2])
}

// jpegsOf writes the fixture's pairs as JPEGs into dir.
func jpegsOf(t *testing.T, fx *corpusFixture, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(fx.pairs, "*.png"))
	for _, f := range files {
		out, err := os.Create(filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), ".png")+".jpg"))
		if err != nil {
			t.Fatal(err)
		}
		if err := jpeg.Encode(out, readPNG(t, f), &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
}

func goodPairs(t *testing.T, fx *corpusFixture, in string) { copyDir(t, fx.pairs, in) }

func flagRows() []corpusRow {
	train := func(extra ...string) []string { return small("$PAIRS", "$D/out", extra...) }
	testArgs := func(extra ...string) []string {
		return append([]string{"test", "--input_dir", "$PAIRS", "--output_dir", "$D/out", "--checkpoint", "$RUN"}, extra...)
	}
	inferArgs := func(extra ...string) []string {
		return append(append([]string{"infer", "--model", "$RUN", "--output_dir", "$D/out"}, extra...), "$SINGLES")
	}
	serveArgs := func(extra ...string) []string {
		return append([]string{"serve", "--model", "$RUN", "--addr", "127.0.0.1:0"}, extra...)
	}
	row := func(name string, args []string, want string) corpusRow {
		return corpusRow{name: name, setup: fixed(args...), code: 2, want: []string{want}}
	}
	return []corpusRow{
		row("train --workers -3", train("--workers", "-3"), "--workers must be >= 0 (got -3)"),
		row("test --workers -3", testArgs("--workers", "-3"), "--workers must be >= 0 (got -3)"),
		row("infer --workers -3", inferArgs("--workers", "-3"), "--workers must be >= 0 (got -3)"),
		row("infer --max-pixels -5", inferArgs("--max-pixels", "-5"), "--max-pixels must be >= 0 (got -5)"),
		row("train --max-pixels -5", train("--max-pixels", "-5"), "--max-pixels must be >= 0 (got -5)"),
		row("train --output_filetype gif", train("--output_filetype", "gif"), `--output_filetype "gif": want png or jpeg`),
		row("export --output_filetype gif", []string{"export", "--checkpoint", "$RUN", "--output_dir", "$D/out", "--output_filetype", "gif"}, `--output_filetype "gif"`),
		row("train --lr nan", train("--lr", "nan"), "--lr must be a finite number (got NaN)"),
		row("train --l1_weight inf", train("--l1_weight", "inf"), "--l1_weight must be a finite number (got +Inf)"),
		row("train --save_freq -1", train("--save_freq", "-1"), "--save_freq must be >= 0 (got -1)"),
		row("train --max-to-keep 0", train("--max-to-keep", "0"), "--max-to-keep must be >= 1 (got 0)"),
		row("train --batch_size 0", train("--batch_size", "0"), "--batch_size must be >= 1 (got 0)"),
		row("infer --batch_size -1", inferArgs("--batch_size", "-1"), "--batch_size must be >= 0 (got -1)"),
		row("infer --png-compression 10", inferArgs("--png-compression", "10"), "--png-compression: PNG compression must be -1 (zlib's default) or a zlib level 0-9, got 10"),
		row("serve --png-compression 10", serveArgs("--png-compression", "10"), "--png-compression: PNG compression must be -1 (zlib's default) or a zlib level 0-9, got 10"),
		row("serve --in-flight -1", serveArgs("--in-flight", "-1"), "--in-flight must be >= 0 (got -1)"),
		row("test --batch_size 0", testArgs("--batch_size", "0"), "--batch_size must be >= 1 (got 0)"),
		row("test --aspect_ratio 0", testArgs("--aspect_ratio", "0"), "--aspect_ratio must be > 0 (got 0)"),
		row("infer --shard 3/2", inferArgs("--shard", "3/2"), `--shard "3/2"`),
		row("train --which_direction AtoC", train("--which_direction", "AtoC"), `which_direction "AtoC"`),
		row("train --scale_size 100", train("--scale_size", "100"), "scale_size 100 is less than the crop size 256"),
		row("train --device tpu", train("--device", "tpu"), `--device: device "tpu": want cpu, gpu or gpu:N`),
		row("infer --device tpu", inferArgs("--device", "tpu"), `--device: device "tpu"`),
		row("train --precision fp16", train("--precision", "fp16"), `--precision "fp16": want fp32 or bf16`),
		row("infer --precision bf16 --xla", inferArgs("--precision", "bf16", "--xla"), "--precision bf16 and --xla"),
		row("train --devices gpu:0,gpu:1 --precision bf16", train("--devices", "gpu:0,gpu:1", "--precision", "bf16"), "--precision bf16 is for the CPU"),
		row("test --precision bf16 --device gpu", testArgs("--precision", "bf16", "--device", "gpu"), "--precision bf16 is for the CPU"),
		row("serve --precision bf16 --onednn off", serveArgs("--precision", "bf16", "--onednn", "off"), bf16OneDNNOffMessage()),
		row("data resize --workers -3", []string{"data", "resize", "--input_dir", "$PAIRS", "--output_dir", "$D/out", "--workers", "-3"}, "--workers must be >= 0 (got -3)"),
	}
}

func trainDataRows() []corpusRow {
	rgba := image.NewNRGBA(image.Rect(0, 0, 512, 256))
	rgba.Set(3, 3, color.NRGBA{1, 2, 3, 100})
	return []corpusRow{
		{name: "train: one truncated png among good ones", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			writePairs(t, in, 6, 256, 256)
			truncate(t, filepath.Join(in, "04.png"))
		}, "--max_steps", "6"), want: []string{"image $D/in/04.png cannot be decoded: it is truncated or damaged"}},
		{name: "train: png header claiming 100000x100000", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			goodPairs(t, fx, in)
			writeFile(t, filepath.Join(in, "04.png"), hugePNG(100000, 100000))
		}, "--max_steps", "4"), want: []string{"image $D/in/04.png is 100000x100000, over the limit of 100000000 pixels (--max-pixels)"}},
		{name: "train: truncated jpg", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			jpegsOf(t, fx, in)
			truncate(t, filepath.Join(in, "02.jpg"))
		}, "--max_steps", "3"), want: []string{"image $D/in/02.jpg cannot be decoded"}},
		{name: "train: two bad files reported at once", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			goodPairs(t, fx, in)
			truncate(t, filepath.Join(in, "01.png"))
			truncate(t, filepath.Join(in, "03.png"))
		}, "--max_steps", "3"), want: []string{"2 of 3 images are unusable", "$D/in/01.png", "$D/in/03.png"}},
		{name: "train: corrupt png", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			goodPairs(t, fx, in)
			writeFile(t, filepath.Join(in, "04.png"), []byte("\x89PNG\r\n\x1a\nthis is not a png"))
		}, "--max_steps", "1"), want: []string{"image $D/in/04.png is not a readable PNG or JPEG"}},
		{name: "train: empty file", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			goodPairs(t, fx, in)
			writeFile(t, filepath.Join(in, "04.png"), nil)
		}, "--max_steps", "1"), want: []string{"image $D/in/04.png is empty (0 bytes)"}},
		{name: "train: 4-channel png", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			writePNG(t, filepath.Join(in, "01.png"), rgba)
		}, "--max_steps", "1"), want: []string{"image $D/in/01.png (png) has 4 channels"}},
		{name: "train: odd width", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			writePNG(t, filepath.Join(in, "01.png"), solid(513, 256, color.RGBA{10, 20, 30, 255}))
		}, "--max_steps", "1"), want: []string{"image $D/in/01.png has an odd width (513)"}},
		{name: "train: missing input dir", code: 1, setup: fixed(small("$D/nothing", "$D/out", "--max_steps", "1")...),
			want: []string{"input_dir $D/nothing"}},
		{name: "train: input dir without images", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			writeFile(t, filepath.Join(in, "notes.txt"), []byte("hello"))
		}, "--max_steps", "1"), want: []string{"input_dir $D/in contains no image files"}},
		{name: "train without a step limit says 2^32", code: 1, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			goodPairs(t, fx, in)
			truncate(t, filepath.Join(in, "02.png"))
		}), want: []string{"training runs 4294967296 steps", "$D/in/02.png"}},
		{name: "train: *.jpg and *.png mixed", code: 0, writes: true, setup: trainOn(func(t *testing.T, fx *corpusFixture, in string) {
			jpegsOf(t, fx, in)
			os.Remove(filepath.Join(in, "03.jpg"))
			writePairs(t, in, 2, 256, 256)
		}, "--max_steps", "1"), want: []string{"its 2 *.png files are ignored", "examples count = 2"}},
	}
}

func checkpointRows() []corpusRow {
	testRun := []string{"test", "--input_dir", "$PAIRS", "--output_dir", "$D/out", "--checkpoint", "$D/run"}
	inferRun := []string{"infer", "--model", "$D/run", "--output_dir", "$D/out", "$SINGLES"}
	emptyOptions := func(t *testing.T, run string) { writeFile(t, filepath.Join(run, "options.json"), []byte("{}")) }
	truncData := func(t *testing.T, run string) { truncate(t, filepath.Join(run, "model-1.data-00000-of-00001")) }
	wider := func(t *testing.T, run string) {
		data, _ := os.ReadFile(filepath.Join(run, "options.json"))
		writeFile(t, filepath.Join(run, "options.json"), []byte(strings.Replace(string(data), `"ngf": 4`, `"ngf": 8`, 1)))
	}
	return []corpusRow{
		{name: "test: checkpoint dir missing", code: 1, setup: fixed("test", "--input_dir", "$PAIRS", "--output_dir", "$D/out", "--checkpoint", "$D/nothing"),
			want: []string{"$D/nothing/options.json"}},
		{name: "test: options.json is {}", code: 1, setup: withRun(emptyOptions, testRun...),
			want: []string{"$D/run/options.json records ngf 0 and ndf 0"}},
		{name: "test: options.json not JSON", code: 1, setup: withRun(func(t *testing.T, run string) {
			writeFile(t, filepath.Join(run, "options.json"), []byte("ngf=4"))
		}, testRun...), want: []string{"$D/run/options.json is not readable JSON"}},
		{name: "test: options.json width differs from the checkpoint", code: 1, setup: withRun(wider, testRun...),
			want: []string{"$D/run/options.json records ngf 8", "put back the options.json"}, reject: []string{"check --ngf"}},
		{name: "test: truncated .data", code: 1, setup: withRun(truncData, testRun...),
			want: []string{"$D/run/model-1.data-00000-of-00001", "truncated or damaged"}},
		{name: "infer: truncated .data", code: 1, setup: withRun(truncData, inferRun...),
			want: []string{"$D/run/model-1.data-00000-of-00001", "truncated or damaged"}},
		{name: "train: resume from truncated .data", code: 1, setup: withRun(truncData, small("$PAIRS", "$D/out", "--checkpoint", "$D/run", "--max_steps", "1")...),
			want: []string{"$D/run/model-1.data-00000-of-00001", "truncated or damaged"}},
		{name: "infer: options.json is {}", code: 1, setup: withRun(emptyOptions, inferRun...),
			want: []string{"$D/run/options.json records ngf 0 and ndf 0"}},
		{name: "export: options.json is {}", code: 1, setup: withRun(emptyOptions, "export", "--checkpoint", "$D/run", "--output_dir", "$D/out"),
			want: []string{"$D/run/options.json records ngf 0 and ndf 0"}},
		{name: "test: state file names a missing checkpoint", code: 1, setup: withRun(func(t *testing.T, run string) {
			writeFile(t, filepath.Join(run, "checkpoint"), []byte("model_checkpoint_path: \"model-99\"\n"))
		}, testRun...), want: []string{"names checkpoint model-99"}},
		{name: "infer: model dir missing", code: 1, setup: fixed("infer", "--model", "$D/nothing", "--output_dir", "$D/out", "$SINGLES"),
			want: []string{"$D/nothing/options.json"}},
	}
}

// bf16OneDNNOffMessage is what --precision bf16 --onednn off is refused
// with on this CPU: the missing instructions come first where they are
// missing (no CPU is assumed), else the switch.
func bf16OneDNNOffMessage() string {
	if session.CPUHasBF16() {
		return "--precision bf16 needs TensorFlow's oneDNN kernels"
	}
	return "--precision bf16: this CPU has no bfloat16 instructions"
}
