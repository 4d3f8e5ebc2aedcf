package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// tfWriter saves a few tensors through TensorFlow's own SaveV2 and
// MergeV2Checkpoints kernels, as the training graph's Saver does.
type tfWriter struct{ step int64 }

func (w tfWriter) SaveTo(prefix string) error {
	vals := make([]float32, 1000)
	for i := range vals {
		vals[i] = float32(w.step) + float32(i)/1000
	}
	v, err := tf.NewTensor(vals)
	if err != nil {
		return err
	}
	gs, err := tf.NewTensor(w.step)
	if err != nil {
		return err
	}
	return WriteTensors(prefix, map[string]*tf.Tensor{"w": v, "global_step": gs})
}

func (w tfWriter) Merge(from, to string) error {
	s := op.NewScope()
	m := op.MergeV2Checkpoints(s, op.Const(s.SubScope("from"), []string{from}), op.Const(s.SubScope("to"), to),
		op.MergeV2CheckpointsDeleteOldDirs(true))
	_, err := runOnce(s, nil, nil, []*tf.Operation{m})
	return err
}

func writeMetaFile(path string) error { return os.WriteFile(path, []byte("meta graph"), 0o644) }

func mustSave(t *testing.T, k *Keeper, step int64) string {
	t.Helper()
	p, err := k.Save(tfWriter{step}, step, writeMetaFile)
	if err != nil {
		t.Fatalf("save step %d: %v", step, err)
	}
	return p
}

// digest maps each file under dir to the hash of its bytes.
func digest(t *testing.T, dir string) map[string][32]byte {
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

func sameDigests(t *testing.T, who string, before, after map[string][32]byte) {
	t.Helper()
	for f, h := range before {
		if g, ok := after[f]; !ok {
			t.Errorf("%s: %s was deleted", who, f)
		} else if g != h {
			t.Errorf("%s: %s changed", who, f)
		}
	}
	for f := range after {
		if _, ok := before[f]; !ok {
			t.Errorf("%s: %s appeared", who, f)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	os.MkdirAll(to, 0o755)
	for f := range digest(t, from) {
		b, err := os.ReadFile(filepath.Join(from, f))
		if err == nil {
			err = os.WriteFile(filepath.Join(to, f), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestKeeperDeletesOnlyWhatItSaved: a run directory copied with its state
// file's paths absolute to the source (what TensorFlow's Saver writes when
// given an absolute path) is resumed; the source survives byte for byte,
// and only the checkpoints this Keeper wrote are deleted.
func TestKeeperDeletesOnlyWhatItSaved(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "A"), filepath.Join(t.TempDir(), "B")
	ka, err := NewKeeper(a, "model", 1)
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, ka, 6)
	copyDir(t, a, b)
	abs := filepath.Join(a, "model-6")
	if err := WriteState(b, State{ModelCheckpointPath: abs, AllModelCheckpointPaths: []string{abs}}); err != nil {
		t.Fatal(err)
	}
	before := digest(t, a)

	kb, err := NewKeeper(b, "model", 1)
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, kb, 7)
	mustSave(t, kb, 8) // drops model-7, which kb wrote
	sameDigests(t, "source run", before, digest(t, a))
	st, err := ReadState(b)
	if err != nil || st.ModelCheckpointPath != "model-8" || strings.Join(st.AllModelCheckpointPaths, ",") != "model-8" {
		t.Errorf("state of the copy: %+v, %v", st, err)
	}
	for _, f := range Files(filepath.Join(b, "model-7")) {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s kept beyond --max-to-keep 1", f)
		}
	}
	// A second process resuming in b keeps model-8 (it did not write it).
	kc, _ := NewKeeper(b, "model", 1)
	mustSave(t, kc, 9)
	mustSave(t, kc, 10)
	for _, p := range []string{"model-6", "model-8", "model-10"} {
		if _, err := List(filepath.Join(b, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(b, "model-9.index")); err == nil {
		t.Error("model-9 kept beyond --max-to-keep 1")
	}
}

// TestKeeperRefusesDamagedStateFile: a state file that does not parse is
// an error naming it, and it is left as it was, at the start or mid-run.
func TestKeeperRefusesDamagedStateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, StateFile)
	junk := []byte("model_checkpoint_path: model-3 (edited by hand)\n\x00\x01\x02")
	os.WriteFile(path, junk, 0o644)
	_, err := NewKeeper(dir, "model", 1)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("NewKeeper with a damaged state file: %v", err)
	}
	if _, err := Latest(dir); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("Latest with a damaged state file: %v", err)
	}

	os.Remove(path)
	k, err := NewKeeper(dir, "model", 1)
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, k, 1)
	os.WriteFile(path, junk, 0o644)
	if _, err := k.Save(tfWriter{2}, 2, writeMetaFile); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Save over a damaged state file: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
		t.Errorf("the damaged state file was replaced:\n%q", got)
	}
	if _, err := List(filepath.Join(dir, "model-1")); err != nil {
		t.Errorf("model-1 removed although the state file was not rewritten: %v", err)
	}
}

// TestKeepOneMoreKeepsTheLastExact: after KeepOneMore, the next save
// (a cluster step that failed part way) leaves the one before it, which
// --max-to-keep 1 would have deleted, and the state file lists both.
func TestKeepOneMoreKeepsTheLastExact(t *testing.T) {
	dir := t.TempDir()
	k, err := NewKeeper(dir, "model", 1)
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, k, 4)
	k.KeepOneMore()
	mustSave(t, k, 5)
	for _, p := range []string{"model-4", "model-5"} {
		if _, err := List(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	st, err := ReadState(dir)
	if err != nil || st.ModelCheckpointPath != "model-5" || strings.Join(st.AllModelCheckpointPaths, ",") != "model-4,model-5" {
		t.Errorf("state: %+v, %v; want model-5 latest, model-4 and model-5 listed", st, err)
	}
}
