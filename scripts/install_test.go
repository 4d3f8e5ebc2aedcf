// Package scripts holds tests of the project's shell and Python scripts
// (the libtensorflow installer), which need neither TensorFlow nor the
// reference venv.
package scripts

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCUDAPinsFromMetadata: the installer's list of CUDA wheels is read
// from the tensorflow wheel's METADATA (the and-cuda extra's pins, in the
// spellings METADATA files use), never kept in the script.
func TestCUDAPinsFromMetadata(t *testing.T) {
	want := "nvidia-alpha-cu12==12.5.3.2\nnvidia-beta-cu12==9.3.0.75\nnvidia-gamma-cu12==2.21.5\n"
	meta, err := os.ReadFile(filepath.Join("testdata", "METADATA-cuda"))
	if err != nil {
		t.Fatal(err)
	}
	wheel := filepath.Join(t.TempDir(), "examplegpu-9.8.7-cp311-cp311-manylinux_2_17_x86_64.whl")
	writeWheel(t, wheel, "examplegpu-9.8.7.dist-info/METADATA", meta)
	for _, src := range []string{filepath.Join("testdata", "METADATA-cuda"), wheel} {
		out, err := exec.Command("python3", "cuda_pins.py", src).Output()
		if err != nil {
			t.Fatalf("cuda_pins.py %s: %v", src, err)
		}
		if string(out) != want {
			t.Errorf("cuda_pins.py %s:\n%s\nwant:\n%s", filepath.Base(src), out, want)
		}
	}
	// A requirement of the extra without one exact version is refused
	// (the installer must not pick a version), and so is an extra with no
	// requirement at all.
	loose := filepath.Join(t.TempDir(), "METADATA")
	os.WriteFile(loose, []byte("Name: x\nRequires-Dist: nvidia-delta-cu12 >=12 ; extra == 'and-cuda'\n"), 0o644)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{loose}, "not pinned to one version: nvidia-delta-cu12 >=12"},
		{[]string{filepath.Join("testdata", "METADATA-cuda"), "no-such-extra"}, "no requirements for the extra [no-such-extra]"},
	} {
		out, err := exec.Command("python3", append([]string{"cuda_pins.py"}, c.args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.msg) {
			t.Errorf("cuda_pins.py %v: err %v, output %q; want an error saying %q", c.args, err, out, c.msg)
		}
	}
}

func writeWheel(t *testing.T, path, name string, content []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	w, err := z.Create(name)
	if err == nil {
		_, err = w.Write(content)
	}
	if err == nil {
		err = z.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestInstallerFailureLeavesNothing: when a download fails (here a version
// that does not exist, so pip refuses at once), the installer names the
// wheel, exits non-zero, and leaves no install and no stage behind.
func TestInstallerFailureLeavesNothing(t *testing.T) {
	cache := t.TempDir()
	for _, flags := range [][]string{nil, {"--gpu"}} {
		cmd := exec.Command("bash", append([]string{"install-libtensorflow.sh"}, flags...)...)
		cmd.Env = append(os.Environ(), "PIX2PIX_CACHE="+cache, "TF_WHEEL_VERSION=0.0.1", "LIBTENSORFLOW_DIR=")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("install %v with TF_WHEEL_VERSION=0.0.1 succeeded:\n%s", flags, out)
		}
		if !strings.Contains(string(out), "could not download tensorflow") {
			t.Errorf("install %v: the error does not name the wheel:\n%s", flags, out)
		}
		left, _ := os.ReadDir(cache)
		for _, e := range left {
			t.Errorf("install %v left %s in the cache", flags, e.Name())
		}
	}
}
