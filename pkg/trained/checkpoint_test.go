package trained

import (
	"fmt"
	"path/filepath"
	"testing"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// TestCheckpointHoldsExactlyTheVariables saves a model and lists the
// checkpoint's index: the same names, dtypes and shapes as the graph's
// variables, and nothing else.
func TestCheckpointHoldsExactlyTheVariables(t *testing.T) {
	tr := newTrainer(t, smallConfig(), 1)
	prefix := filepath.Join(t.TempDir(), "model-0")
	if err := tr.SaveTo(prefix); err != nil {
		t.Fatal(err)
	}
	entries, err := checkpoint.List(prefix)
	if err != nil {
		t.Fatal(err)
	}
	vars := tr.Model.Vars.Sorted()
	if len(entries) != len(vars) {
		t.Fatalf("checkpoint has %d tensors, graph has %d variables", len(entries), len(vars))
	}
	for i, v := range vars {
		e := entries[i]
		if e.Name != v.Name || e.DType != v.DType || fmt.Sprint(e.Shape) != fmt.Sprint(v.Shape) {
			t.Errorf("entry %d: checkpoint %s %s %v, variable %s", i, e.Name, pix2pix.DTypeName(e.DType), e.Shape, pix2pix.VariableLine(v))
		}
	}
	// Round trip: restoring what was saved gives the same values.
	before, err := checkpoint.ReadTensors(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Init(); err != nil { // same seed: same values again
		t.Fatal(err)
	}
	if err := tr.Restore(prefix); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "model-again")
	if err := tr.SaveTo(again); err != nil {
		t.Fatal(err)
	}
	after, err := checkpoint.ReadTensors(again)
	if err != nil {
		t.Fatal(err)
	}
	for name, tv := range before {
		if fmt.Sprint(session.Value(tv)) != fmt.Sprint(session.Value(after[name])) {
			t.Errorf("%s changed in a save/restore round trip", name)
		}
	}
	t.Logf("%d tensors, names/dtypes/shapes equal to the graph's variables", len(entries))
}
