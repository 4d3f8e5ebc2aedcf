package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the app with args and returns what it printed and its error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	// A file, not a pipe: a long run's output would fill a pipe nobody
	// reads until the run ends.
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdout
	os.Stdout = f
	runErr := newApp().Run(append([]string{"pix2pix"}, args...))
	os.Stdout = old
	var buf bytes.Buffer
	f.Seek(0, io.SeekStart)
	io.Copy(&buf, f)
	return buf.String(), runErr
}

func TestGraphCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "graph.pb")
	out, err := run(t, "graph", "--ngf", "4", "--ndf", "4", "--write", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"generator/encoder_1/conv2d/kernel float32 [4,4,3,4]\n",
		"discriminator_train/beta1_power float32 []\n",
		"global_step int64 []\n",
		"variables: 270\n",
		"generator parameters: 214083 (0.21 M)\n",
		"discriminator parameters: 11821 (0.01 M)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Errorf("--write: %v", err)
	}
}

func TestGraphCommandRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"graph", "--ngf", "0"}, "ngf and ndf must be >= 1"},
		{[]string{"graph", "--discrim-reading", "later"}, `discriminator reading "later"`},
		{[]string{"graph", "--beta1", "1.5"}, "beta1 must be in [0, 1)"},
	} {
		_, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
		if err != nil && exitCode(err) != 2 {
			t.Errorf("%v: exit code %d, want 2 (usage)", tc.args, exitCode(err))
		}
	}
	dir := t.TempDir()
	_, err := run(t, "graph", "--ngf", "4", "--ndf", "4", "--write", filepath.Join(dir, "missing", "g.pb"))
	if err == nil {
		t.Error("--write into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed write left %d entries behind", len(entries))
	}
}
