package infer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// These need no TensorFlow session and no Python: they check how infer
// picks its inputs and its share of them.

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"": {K: 1, N: 1}, "1/1": {K: 1, N: 1}, "2/4": {K: 2, N: 4}, "4/4": {K: 4, N: 4}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0/4", "5/4", "1/0", "2", "a/b", "1/2/3", "-1/2", "1/"} {
		if got, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) = %v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "K/N") {
			t.Errorf("ParseShard(%q): error %q does not say what is wanted", in, err)
		}
	}
}

func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func TestInputsOrderAndShards(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "10.png", "9.jpg", "2.JPEG", "1.png", "notes.txt")
	if err := os.Mkdir(filepath.Join(dir, "sub.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	all, err := Inputs(dir, Shard{K: 1, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Numeric names sort by number; other files and directories are left out.
	if want := []string{"1.png", "2.JPEG", "9.jpg", "10.png"}; !reflect.DeepEqual(baseNames(all), want) {
		t.Fatalf("directory: %v, want %v", baseNames(all), want)
	}
	var union []string
	for k := 1; k <= 3; k++ {
		part, err := Inputs(dir, Shard{K: k, N: 3})
		if err != nil {
			t.Fatal(err)
		}
		union = append(union, baseNames(part)...)
	}
	// Every image in exactly one shard: every third from the K-th.
	if want := []string{"1.png", "10.png", "2.JPEG", "9.jpg"}; !reflect.DeepEqual(union, want) {
		t.Errorf("shards 1/3, 2/3, 3/3: %v, want %v", union, want)
	}
}

func TestInputsFromListAndGlob(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "a.png", "b.png", "c.jpg")
	list := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(list, []byte("# two of them\nb.png\n\n"+filepath.Join(dir, "a.png")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Inputs(list, Shard{K: 1, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.png", "b.png"}; !reflect.DeepEqual(baseNames(got), want) {
		t.Errorf("list: %v, want %v", baseNames(got), want)
	}
	got, err = Inputs(filepath.Join(dir, "*.jpg"), Shard{K: 1, N: 1})
	if err != nil || !reflect.DeepEqual(baseNames(got), []string{"c.jpg"}) {
		t.Errorf("glob: %v, %v; want [c.jpg]", baseNames(got), err)
	}
	if _, err := Inputs(filepath.Join(dir, "*.gif"), Shard{K: 1, N: 1}); err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Errorf("glob matching nothing: %v", err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("# nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Inputs(empty, Shard{K: 1, N: 1}); err == nil || !strings.Contains(err.Error(), "names no images") {
		t.Errorf("empty list: %v", err)
	}
}

func TestInputsRefusesTwoInputsOfOneOutputName(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"x", "y"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, filepath.Join(dir, d), "same.png")
	}
	_, err := Inputs(filepath.Join(dir, "*", "same.png"), Shard{K: 1, N: 1})
	if err == nil || !strings.Contains(err.Error(), "would both write same.png") {
		t.Errorf("two inputs named same.png: %v, want a refusal naming the output", err)
	}
}
