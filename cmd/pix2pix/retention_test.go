package main

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/pkg/checkpoint"
)

// treeDigest maps each file under dir to the hash of its bytes.
func treeDigest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestResumeInCopiedRunKeepsTheSource: a 6-step run in A is copied to B
// with the state file's paths made absolute to A (what TensorFlow's Saver
// writes when given an absolute path); training B in place must leave A
// byte for byte as it was.
func TestResumeInCopiedRunKeepsTheSource(t *testing.T) {
	data, a, b := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "A"), filepath.Join(t.TempDir(), "B")
	writePairs(t, data, 2, 256, 256)
	mustRun(t, small(data, a, "--max_steps", "6", "--save_freq", "6")...)
	before := treeDigest(t, a)
	os.MkdirAll(b, 0o755)
	for f := range before {
		if content, err := os.ReadFile(filepath.Join(a, f)); err != nil || os.WriteFile(filepath.Join(b, f), content, 0o644) != nil {
			t.Fatalf("copy %s: %v", f, err)
		}
	}
	abs := filepath.Join(a, "model-6")
	os.WriteFile(filepath.Join(b, checkpoint.StateFile), []byte("model_checkpoint_path: \""+abs+"\"\nall_model_checkpoint_paths: \""+abs+"\"\n"), 0o644)

	mustRun(t, small(data, b, "--checkpoint", b, "--max_steps", "2", "--save_freq", "1")...)
	after := treeDigest(t, a)
	for f, h := range before {
		if g, ok := after[f]; !ok {
			t.Errorf("source run: %s was deleted", f)
		} else if g != h {
			t.Errorf("source run: %s changed", f)
		}
	}
	if len(after) != len(before) {
		t.Errorf("source run: %d files, was %d", len(after), len(before))
	}
	st, err := checkpoint.ReadState(b)
	if err != nil || st.ModelCheckpointPath != "model-8" || strings.Join(st.AllModelCheckpointPaths, " ") != "model-8" {
		t.Errorf("the copy's state file should name this run's model-8 only: %+v, %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(b, "model-7.index")); err == nil {
		t.Error("model-7, saved by this run, kept beyond --max-to-keep 1")
	}
	if _, err := checkpoint.List(filepath.Join(b, "model-6")); err != nil {
		t.Errorf("the copy's own model-6 (not saved by this run) was removed: %v", err)
	}
	// Resuming from A into another directory only reads A.
	c := filepath.Join(t.TempDir(), "C")
	mustRun(t, small(data, c, "--checkpoint", a, "--max_steps", "2", "--save_freq", "1")...)
	if diff := differing(before, treeDigest(t, a)); len(diff) > 0 {
		t.Errorf("resuming from A into C changed A: %v", diff)
	}
}

// TestTrainRefusesDamagedStateFile: an output directory whose state file
// does not parse stops the run before anything is written, naming the
// file; the file is left as it was.
func TestTrainRefusesDamagedStateFile(t *testing.T) {
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 2, 256, 256)
	os.MkdirAll(out, 0o755)
	path := filepath.Join(out, checkpoint.StateFile)
	junk := []byte("model_checkpoint_path: model-40 <- edited\n\x00\x01")
	os.WriteFile(path, junk, 0o644)
	log, err := run(t, small(data, out, "--max_steps", "1", "--save_freq", "1")...)
	if err == nil {
		t.Fatalf("train over a damaged state file succeeded:\n%s", log)
	}
	for _, want := range []string{path, "is damaged", "move it away"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
		t.Errorf("the state file was replaced: %q", got)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "model-*")); len(m) > 0 {
		t.Errorf("files written: %v", m)
	}
}

// TestTrainKeepsUserTempNamedDirs: only directories named exactly as this
// program's temporary shards, holding only shard files, are removed at
// start; a user's x_temp_y and look-alikes stay.
func TestTrainKeepsUserTempNamedDirs(t *testing.T) {
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 2, 256, 256)
	files := map[string]bool{ // path: is a leftover
		"x_temp_y/notes.txt":                                     false,
		"model-1_temp_abc/part-00000-of-00001.index":             false,
		"model-1_temp_77/my-results.csv":                         false,
		"x_temp_y.txt":                                           false,
		"model-1_temp_78/part-00000-of-00001.index.tempstate123": true,
	}
	for f := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(out, f)), 0o755)
		os.WriteFile(filepath.Join(out, f), []byte("x"), 0o644)
	}
	log := mustRun(t, small(data, out, "--max_steps", "1", "--save_freq", "1")...)
	for f, leftover := range files {
		_, err := os.Stat(filepath.Join(out, f))
		if leftover && err == nil {
			t.Errorf("leftover %s not removed", f)
		}
		if !leftover && err != nil {
			t.Errorf("user file %s removed: %v", f, err)
		}
	}
	if !strings.Contains(log, "removed what an interrupted save left in "+out+": model-1_temp_78") {
		t.Errorf("the removal is not reported:\n%s", log)
	}
}
