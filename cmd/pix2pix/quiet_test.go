package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// tfLogLine matches TensorFlow's C++ log lines: its own format
// ("2026-12-02 02:35:10.270157: I tensorflow/...") and absl's
// ("I0000 00:00:1796179195.846774   12 file.cc:401] ..."), and absl's
// warning about logging before InitializeLog.
var tfLogLine = regexp.MustCompile(`(?m)^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] |[IWEF]\d{4} \d\d:\d\d:[0-9.]+ +\d+ \S+:\d+\] |WARNING: All log messages before absl::InitializeLog)`)

// TestQuietByDefault: run directly (not through make, so with no
// TF_CPP_MIN_LOG_LEVEL), the program prints its own messages only:
// TensorFlow's start-up notices (oneDNN, CPU features, MLIR) stay out of
// stderr; --verbose lets them through.
func TestQuietByDefault(t *testing.T) {
	bin := pix2pixBinary(t)
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 2, 512, 256)
	env := withoutEnv(os.Environ(), "TF_CPP_MIN_LOG_LEVEL")
	run := func(args ...string) (stdout, stderr string) {
		t.Helper()
		var o, e bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("pix2pix %v: %v\n%s%s", args, err, o.String(), e.String())
		}
		return o.String(), e.String()
	}
	for _, args := range [][]string{
		{"--help"},
		{"version"},
		small(data, out, "--max_steps", "2", "--progress_freq", "1"),
	} {
		stdout, stderr := run(args...)
		if m := tfLogLine.FindString(stderr + stdout); m != "" {
			t.Errorf("pix2pix %v printed TensorFlow's log (%q ...):\n%s", args, m, stderr)
		}
	}
	// The run's own messages are still there.
	if stdout, _ := run(small(data, out+"2", "--max_steps", "2", "--progress_freq", "1")...); !bytes.Contains([]byte(stdout), []byte("progress")) {
		t.Errorf("train printed no progress:\n%s", stdout)
	}
	// `version` runs a graph (the oneDNN probe), which on every CPU makes
	// TensorFlow log at least its MLIR notice.
	if _, stderr := run("--verbose", "version"); !tfLogLine.MatchString(stderr) {
		t.Errorf("pix2pix --verbose version: no TensorFlow log line on stderr:\n%s", stderr)
	}
}
