package dataset

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func touch(t *testing.T, dir string, names ...string) {
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func bases(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func TestListOrdersAsTheOriginal(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "10.png", "9.png", "100.png", "2.png")
	got, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2.png", "9.png", "10.png", "100.png"}; !reflect.DeepEqual(bases(got), want) {
		t.Errorf("numeric names: %v, want %v", bases(got), want)
	}
	// One non-numeric name: sort by name.
	touch(t, dir, "a.png")
	got, _ = List(dir)
	if want := []string{"10.png", "100.png", "2.png", "9.png", "a.png"}; !reflect.DeepEqual(bases(got), want) {
		t.Errorf("mixed names: %v, want %v", bases(got), want)
	}
	// JPEGs win over PNGs.
	touch(t, dir, "b.jpg")
	got, _ = List(dir)
	if want := []string{"b.jpg"}; !reflect.DeepEqual(bases(got), want) {
		t.Errorf("with a jpg: %v, want %v", bases(got), want)
	}
	if _, err := List(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing directory was accepted")
	}
}

func TestRandomChoicesArePureFunctionsOfSeedAndPosition(t *testing.T) {
	a, b := Order(50, 7, 3, true), Order(50, 7, 3, true)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed and epoch gave different orders")
	}
	if reflect.DeepEqual(a, Order(50, 7, 4, true)) {
		t.Error("two epochs got the same order")
	}
	if o := Order(5, 7, 3, false); !reflect.DeepEqual(o, []int{0, 1, 2, 3, 4}) {
		t.Errorf("unshuffled order %v", o)
	}
	flips, maxOff := 0, 0
	for pos := 0; pos < 1000; pos++ {
		tr := RandomTransform(1, 0, pos, true, 286, 256)
		if tr != RandomTransform(1, 0, pos, true, 286, 256) {
			t.Fatal("transform not repeatable")
		}
		if tr.Flip {
			flips++
		}
		if tr.OffsetX < 0 || tr.OffsetX > 30 || tr.OffsetY < 0 || tr.OffsetY > 30 {
			t.Fatalf("offset %+v outside [0, 30]", tr)
		}
		maxOff = max(maxOff, tr.OffsetX, tr.OffsetY)
	}
	if flips < 400 || flips > 600 || maxOff != 30 {
		t.Errorf("1000 draws: %d flips, largest offset %d; want about 500 and 30", flips, maxOff)
	}
	if tr := RandomTransform(1, 0, 0, false, 256, 256); tr != (Transform{}) {
		t.Errorf("test-mode transform %+v, want none", tr)
	}
}
