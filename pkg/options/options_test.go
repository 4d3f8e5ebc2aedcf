package options

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteMatchesPythonJSONAndReadsBack(t *testing.T) {
	dir := t.TempDir()
	err := Write(dir, map[string]interface{}{"ngf": 64, "lr": 0.0002, "l1_weight": 100.0, "flip": true,
		"checkpoint": nil, "which_direction": "BtoA", "lab_colorization": false, "ndf": 32})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, FileName))
	want := `{
    "checkpoint": null,
    "flip": true,
    "l1_weight": 100.0,
    "lab_colorization": false,
    "lr": 0.0002,
    "ndf": 32,
    "ngf": 64,
    "which_direction": "BtoA"
}`
	if string(got) != want {
		t.Errorf("options.json:\n%s\nwant (json.dumps(sort_keys=True, indent=4)):\n%s", got, want)
	}
	m, err := ReadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m != (Model{WhichDirection: "BtoA", NGF: 64, NDF: 32}) {
		t.Errorf("read back %+v", m)
	}
	if _, err := ReadModel(t.TempDir()); err == nil {
		t.Error("a directory without options.json was accepted")
	}
}
