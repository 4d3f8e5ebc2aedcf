package checkpoint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateFileRoundTripAndTensorFlowForm(t *testing.T) {
	dir := t.TempDir()
	if err := WriteState(dir, State{ModelCheckpointPath: "model-20", AllModelCheckpointPaths: []string{"model-10", "model-20"}}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, StateFile))
	want := "model_checkpoint_path: \"model-20\"\nall_model_checkpoint_paths: \"model-10\"\nall_model_checkpoint_paths: \"model-20\"\n"
	if string(data) != want {
		t.Errorf("state file:\n%s\nwant:\n%s", data, want)
	}
	// Newer writers add timestamps; older ones absolute paths.
	os.WriteFile(filepath.Join(dir, StateFile), []byte("model_checkpoint_path: \"/elsewhere/run/model-20\"\nall_model_checkpoint_paths: \"/elsewhere/run/model-20\"\nlast_preserved_timestamp: 1.5\n"), 0o644)
	st, err := ReadState(dir)
	if err != nil || st.ModelCheckpointPath != "/elsewhere/run/model-20" {
		t.Fatalf("%+v %v", st, err)
	}
	// The named checkpoint is missing, but a copy sits here: Latest finds it.
	os.WriteFile(filepath.Join(dir, "model-20.index"), nil, 0o644)
	if p, err := Latest(dir); err != nil || p != filepath.Join(dir, "model-20") {
		t.Errorf("Latest: %q, %v", p, err)
	}
	os.Remove(filepath.Join(dir, "model-20.index"))
	if _, err := Latest(dir); err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("Latest with no checkpoint files: %v", err)
	}
	if _, err := Latest(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no checkpoint in") {
		t.Errorf("Latest on an empty dir: %v", err)
	}
}

func TestListRejectsDamagedIndex(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model-1")
	os.WriteFile(p+".index", []byte("definitely not a table, but long enough to have a footer of 48 bytes......"), 0o644)
	if _, err := List(p); err == nil || !strings.Contains(err.Error(), "damaged or not a TensorFlow V2 checkpoint") {
		t.Errorf("damaged index: %v", err)
	}
}
