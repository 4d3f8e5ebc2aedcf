package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInferShardsAndSkipExisting: shards 1/2 and 2/2 cover the inputs with
// no overlap; --skip-existing then writes nothing new, and with an output
// removed writes only that one again. Dropout stays on (the default) at
// batch size 1 (the CPU's default): each file the shards and the resume
// write equals, byte for byte, the one an uninterrupted run writes.
func TestInferShardsAndSkipExisting(t *testing.T) {
	model, data := trainedModel(t)
	in := halves(t, data)
	full := filepath.Join(t.TempDir(), "full")
	mustRun(t, "infer", "--model", model, "--output_dir", full, "--batch_size", "1", in)
	out := filepath.Join(t.TempDir(), "out")
	l1 := mustRun(t, "infer", "--model", model, "--output_dir", out, "--shard", "1/2", "--batch_size", "1", in)
	l2 := mustRun(t, "infer", "--model", model, "--output_dir", out, "--shard", "2/2", "--batch_size", "1", in)
	if !strings.Contains(l1, "2 images: 2 written") || !strings.Contains(l2, "1 images: 1 written") {
		t.Errorf("shards: %q / %q", l1, l2)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if len(files) != 3 {
		t.Errorf("shards wrote %d files, want 3", len(files))
	}
	l3 := mustRun(t, "infer", "--model", model, "--output_dir", out, "--skip-existing", in)
	if !strings.Contains(l3, "3 images: 0 written, 3 skipped") {
		t.Errorf("--skip-existing: %q", l3)
	}
	sameFiles(t, full, out, "written by shards 1/2 and 2/2")
	// The last input: resumed alone, it is the job's first batch.
	if err := os.Remove(filepath.Join(out, "03.png")); err != nil {
		t.Fatal(err)
	}
	l4 := mustRun(t, "infer", "--model", model, "--output_dir", out, "--skip-existing", "--batch_size", "1", in)
	if !strings.Contains(l4, "3 images: 1 written, 2 skipped") {
		t.Errorf("--skip-existing after removing 03.png: %q", l4)
	}
	sameFiles(t, full, out, "after a --skip-existing resume")
	if _, err := run(t, "infer", "--model", model, "--output_dir", out, "--shard", "3/2", in); err == nil {
		t.Error("--shard 3/2 accepted")
	}
}

// sameFiles fails unless every PNG in want has a byte-identical copy in got.
func sameFiles(t *testing.T, want, got, how string) {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(want, "*.png"))
	if len(names) == 0 {
		t.Fatalf("no outputs in %s", want)
	}
	for _, f := range names {
		a, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(got, filepath.Base(f)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s %s: not the uninterrupted run's file (%v)", filepath.Base(f), how, err)
		}
	}
}
