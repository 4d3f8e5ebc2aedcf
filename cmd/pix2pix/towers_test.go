package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/pkg/checkpoint"
)

// TestTwoDeviceCheckpointLoadsInTest trains two steps on two CPU towers
// (--virtual-cpus 2) and one step on one device: the two-device run's
// checkpoint has exactly the one-device run's variables (names, dtypes,
// shapes) and test mode loads it; options.json and the progress line
// give the devices and the global batch.
func TestTwoDeviceCheckpointLoadsInTest(t *testing.T) {
	dir := t.TempDir()
	data, one, two := filepath.Join(dir, "data"), filepath.Join(dir, "one"), filepath.Join(dir, "two")
	writePairs(t, data, 4, 256, 256)
	mustRun(t, small(data, one, "--max_steps", "1")...)
	log := mustRun(t, small(data, two, "--max_steps", "2", "--devices", "cpu:0,cpu:1", "--virtual-cpus", "2",
		"--progress_freq", "1", "--summary_freq", "2", "--display_freq", "2")...)
	if want := "global batch 2 (2 towers of 1)"; !strings.Contains(log, want) {
		t.Errorf("progress lacks %q:\n%s", want, log)
	}

	listing := func(run string) []string {
		prefix, err := checkpoint.Latest(run)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := checkpoint.List(prefix)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, fmt.Sprintf("%s %v %v", e.Name, e.DType, e.Shape))
		}
		return out
	}
	a, b := listing(one), listing(two)
	t.Logf("one device: %d checkpoint entries, two devices: %d", len(a), len(b))
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("checkpoint entries differ:\none device:\n%s\ntwo devices:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}

	var rec map[string]interface{}
	raw, err := os.ReadFile(filepath.Join(two, "options.json"))
	if err == nil {
		err = json.Unmarshal(raw, &rec)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rec["devices"], " ", rec["global_batch_size"], " ", rec["batch_size"]); got != "/device:CPU:0,/device:CPU:1 2 1" {
		t.Errorf("options.json devices, global_batch_size, batch_size = %s, want /device:CPU:0,/device:CPU:1 2 1", got)
	}
	testOut := filepath.Join(dir, "test")
	mustRun(t, "test", "--input_dir", data, "--output_dir", testOut, "--checkpoint", two, "--no-test-dropout")
	if _, err := os.Stat(filepath.Join(testOut, "index.html")); err != nil {
		t.Errorf("test mode on the two-device checkpoint wrote no index.html: %v", err)
	}
}

// TestTowersRefuseWhatTheyCannotBuild: techniques that several towers
// cannot build faithfully, and device lists that cannot be right, are
// usage errors naming the flags.
func TestTowersRefuseWhatTheyCannotBuild(t *testing.T) {
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "run")
	writePairs(t, data, 1, 256, 256)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--gen-steps", "2"}, "--gen-steps 2 cannot be combined with several --devices"},
		{[]string{"--bn-update-moving"}, "--bn-update-moving cannot be combined with several --devices"},
		{[]string{"--setup", "yenchenlin"}, "--setup yenchenlin cannot be combined with several --devices"},
		{[]string{"--device", "cpu"}, "not both"},
	} {
		args := small(data, out, append([]string{"--max_steps", "1", "--devices", "cpu:0,cpu:1", "--virtual-cpus", "2"}, tc.args...)...)
		_, err := run(t, args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v (exit %d), want a usage error with %q", tc.args, err, exitCode(err), tc.want)
		}
	}
	for _, tc := range []struct{ devices, want string }{
		{"cpu:0,cpu:0", "named twice"},
		{"tpu:0", "want cpu:N or gpu:N"},
	} {
		_, err := run(t, small(data, out, "--max_steps", "1", "--devices", tc.devices)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--devices %s: got %v, want an error with %q", tc.devices, err, tc.want)
		}
	}
	// A tower on a device the session lacks fails, saying how to get it.
	_, err := run(t, small(data, out, "--max_steps", "1", "--devices", "cpu:0,cpu:1")...)
	if err == nil || !strings.Contains(err.Error(), "--virtual-cpus") {
		t.Errorf("--devices cpu:0,cpu:1 without --virtual-cpus: got %v, want an error naming --virtual-cpus", err)
	}
}
