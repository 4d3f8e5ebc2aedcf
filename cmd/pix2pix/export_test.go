package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
)

// TestExportLoadsInPythonAndMatchesInfer exports a model without dropout,
// loads it in Python through import_meta_graph and tf.saved_model.load, and
// in Go through graft's LoadSavedModel and `infer --model`: every output
// for a test image equals `pix2pix infer`'s within 1/255.
func TestExportLoadsInPythonAndMatchesInfer(t *testing.T) {
	model, data := trainedModel(t)
	a := halves(t, data)
	ref := filepath.Join(t.TempDir(), "infer")
	mustRun(t, "infer", "--model", model, "--output_dir", ref, "--keep-256", "--no-test-dropout", a)
	exp := filepath.Join(t.TempDir(), "export")
	mustRun(t, "export", "--checkpoint", model, "--output_dir", exp, "--no-test-dropout")
	for _, f := range []string{"export.meta", "export.index", "export.data-00000-of-00001", "checkpoint", "saved_model/saved_model.pb", "saved_model/variables/variables.index"} {
		if _, err := os.Stat(filepath.Join(exp, f)); err != nil {
			t.Errorf("export lacks %s", f)
		}
	}
	want := readPNG(t, filepath.Join(ref, "01.png"))

	// Go: graft's LoadSavedModel.
	m, err := tf.LoadSavedModel(filepath.Join(exp, "saved_model"), []string{"serve"}, nil)
	if err != nil {
		t.Fatalf("graft LoadSavedModel: %v", err)
	}
	for _, sig := range []string{"serving_default", "translate", "translate_image"} {
		if _, ok := m.Signatures[sig]; !ok {
			t.Errorf("SavedModel lacks signature %s", sig)
		}
	}
	m.Session.Close()
	viaSaved := filepath.Join(t.TempDir(), "infer-saved")
	mustRun(t, "infer", "--model", filepath.Join(exp, "saved_model"), "--output_dir", viaSaved, "--keep-256", a)
	d := maxPixelDiff(t, readPNG(t, filepath.Join(viaSaved, "01.png")), want)
	t.Logf("infer --model <SavedModel> vs infer --model <checkpoint>: max difference %d/255", d)
	if d > 1 {
		t.Errorf("infer through the SavedModel differs by %d/255", d)
	}

	// Python: import_meta_graph and tf.saved_model.load.
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run with `make test` for the Python half")
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "reference", "check_export.py")
	metaOut, savedOut := filepath.Join(t.TempDir(), "meta.png"), filepath.Join(t.TempDir(), "saved.png")
	cmd := exec.Command(py, script, exp, filepath.Join(a, "01.png"), metaOut, savedOut)
	cmd.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=3")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "meta ok") || !strings.Contains(string(out), "saved_model ok") {
		t.Errorf("python output:\n%s", out)
	}
	for _, f := range []string{metaOut, savedOut} {
		d := maxPixelDiff(t, readPNG(t, f), want)
		t.Logf("%s vs infer: max difference %d/255", filepath.Base(f), d)
		if d > 1 {
			t.Errorf("%s differs from infer by %d/255", filepath.Base(f), d)
		}
	}
}
