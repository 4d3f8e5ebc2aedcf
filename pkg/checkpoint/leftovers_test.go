package checkpoint

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestCleanLeftoversRemovesOnlyUnfinishedSaves lays out, in one output
// directory, every state a killed save can leave, beside files of the
// user's with similar names, and checks that exactly the leftovers go.
func TestCleanLeftoversRemovesOnlyUnfinishedSaves(t *testing.T) {
	dir := t.TempDir()
	at := func(n string) string { return filepath.Join(dir, n) }
	write := func(n, content string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(at(n)), 0o755)
		if err := os.WriteFile(at(n), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	variables := func(step int64) { // index and data, as the merge leaves them
		t.Helper()
		if _, err := Write(tfWriter{step}, dir, "model-"+strconv.FormatInt(step, 10)); err != nil {
			t.Fatal(err)
		}
	}
	k, _ := NewKeeper(dir, "model", 5)
	for _, s := range []int64{3, 5} {
		mustSave(t, k, s)
	}
	// The user's: model-3 was saved by this keeper but is listed, so kept.
	// model-2 (index and data, no meta) and model-11 (complete) are listed
	// nowhere; model-11 is newer than the state file's model-5.
	variables(2)
	variables(11)
	write("model-11.meta", "meta")
	// A kill during step 3 of model-7's save: index, data, meta temp.
	variables(7)
	write(".model-7.meta.tmp-123", "partial meta")
	// A kill in the merge of model-8 (data renamed, no index yet) and of
	// model-9 (index half written).
	variables(8)
	os.Remove(at("model-8.index"))
	variables(9)
	idx, _ := os.ReadFile(at("model-9.index"))
	os.WriteFile(at("model-9.index"), idx[:len(idx)/2], 0o644)
	// A kill between the merge and the meta: loads, so it is kept.
	variables(10)
	// Older than the state file's checkpoint: the model files are kept
	// whatever their state; the temporary meta goes.
	variables(4)
	write(".model-4.meta.tmp-5", "")
	// Not this program's spellings.
	write("model-012.index", "junk")
	write("model-13.data-00000-of-00002", "junk")
	write(".checkpoint.tmp-abc", "user")
	write(".checkpoint.tmp-42", "partial state")
	write(".model-14.meta.tmp-x1", "user")
	// Temporary shard directories: one real, the rest the user's.
	write("model-7_temp_99/part-00000-of-00001.index.tempstate123", "partial")
	write("model-7_temp_99/part-00000-of-00001.data-00000-of-00001", "partial")
	write("x_temp_y/keep.txt", "user")
	write("model-7_temp_abc/part-00000-of-00001.index", "user")
	write("model-7_temp_98/notes.txt", "user")
	write("other-7_temp_5/part-00000-of-00001.index", "user")
	before := digest(t, dir)

	removed, err := CleanLeftovers(dir, "model")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(removed)
	want := []string{".checkpoint.tmp-42", ".model-4.meta.tmp-5", ".model-7.meta.tmp-123",
		"model-7.data-00000-of-00001", "model-7.index", "model-7_temp_99", "model-8.data-00000-of-00001",
		"model-9.data-00000-of-00001", "model-9.index"}
	if strings.Join(removed, " ") != strings.Join(want, " ") {
		t.Errorf("removed\n  %v\nwant\n  %v", removed, want)
	}
	after := digest(t, dir)
	for f, h := range before {
		gone := false
		for _, r := range want {
			gone = gone || f == r || strings.HasPrefix(f, r+string(filepath.Separator))
		}
		if g, ok := after[f]; !gone && (!ok || g != h) {
			t.Errorf("%s was removed or changed", f)
		}
	}
	for _, p := range []string{"model-2", "model-3", "model-4", "model-5", "model-10", "model-11"} {
		if _, err := ReadTensors(at(p)); err != nil {
			t.Errorf("%s no longer loads: %v", p, err)
		}
	}
}

// TestCleanLeftoversWithoutStateFile: a kill during the very first save
// leaves no state file; its leftovers go, a complete checkpoint stays.
func TestCleanLeftoversWithoutStateFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(tfWriter{1}, dir, "model-1"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".model-1.meta.tmp-7"), nil, 0o644)
	if _, err := Write(tfWriter{2}, dir, "model-2"); err != nil { // the user's, no meta
		t.Fatal(err)
	}
	removed, err := CleanLeftovers(dir, "model")
	sort.Strings(removed)
	if err != nil || strings.Join(removed, " ") != ".model-1.meta.tmp-7 model-1.data-00000-of-00001 model-1.index" {
		t.Errorf("removed %v, %v", removed, err)
	}
	if _, err := ReadTensors(filepath.Join(dir, "model-2")); err != nil {
		t.Errorf("model-2: %v", err)
	}
	// A state file naming no model-N gives no step to compare with: the
	// model files stay; a damaged one is an error and nothing is removed.
	os.WriteFile(filepath.Join(dir, "model-3.data-00000-of-00001"), []byte("x"), 0o644)
	WriteState(dir, State{ModelCheckpointPath: "export"})
	if removed, err := CleanLeftovers(dir, "model"); err != nil || len(removed) > 0 {
		t.Errorf("state naming export: removed %v, %v", removed, err)
	}
	os.WriteFile(filepath.Join(dir, StateFile), []byte("garbage"), 0o644)
	if removed, err := CleanLeftovers(dir, "model"); err == nil || len(removed) > 0 {
		t.Errorf("damaged state file: removed %v, %v", removed, err)
	}
}
