package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pix2pix/pkg/checkpoint"
)

// TestClusterTrainsResumesAndLoads: a chief and a worker, separate
// processes on loopback, train 5 steps with a tower on each task, then
// a new chief resumes to 8. Each checkpoint equals a one-process run's
// with two towers on two virtual CPUs at the same step, dropout off (the
// placement moves ops, not numerics), the final one loads in `pix2pix
// test` and in the reference harness's test mode, which agree.
func TestClusterTrainsResumesAndLoads(t *testing.T) {
	bin := pix2pixBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	spec := clusterSpec(freeAddrs(t, 2))
	startWorker(t, bin, spec, 1)

	local, dist := filepath.Join(t.TempDir(), "local"), filepath.Join(t.TempDir(), "cluster")
	// Dropout off: its seed reads global_step, and nothing orders that
	// read after the step's increment (as in the original), so which
	// value a step sees depends on timing, which the cluster changes.
	mustRunBin(t, bin, small(data, local, "--max_steps", "8", "--save_freq", "5", "--max-to-keep", "2", "--no-dropout",
		"--devices", "cpu:0,cpu:1", "--virtual-cpus", "2")...)
	log := mustRunBin(t, bin, small(data, dist, "--max_steps", "5", "--save_freq", "5", "--no-dropout", "--cluster", spec)...)
	for _, want := range []string{"cluster: chief (task 0) serving on"} {
		if !strings.Contains(log, want) {
			t.Errorf("the chief's output lacks %q:\n%s", want, log)
		}
	}
	compareCheckpoints(t, filepath.Join(local, "model-5"), filepath.Join(dist, "model-5"), "5 steps")
	log = mustRunBin(t, bin, small(data, dist, "--max_steps", "3", "--save_freq", "3", "--no-dropout", "--checkpoint", dist, "--cluster", spec)...)
	if !strings.Contains(log, "loading model from checkpoint") {
		t.Errorf("the resumed chief did not load the checkpoint:\n%s", log)
	}
	compareCheckpoints(t, filepath.Join(local, "model-8"), filepath.Join(dist, "model-8"), "5 + 3 resumed steps")

	ours := filepath.Join(t.TempDir(), "ours")
	mustRunBin(t, bin, "test", "--input_dir", data, "--output_dir", ours, "--checkpoint", dist, "--no-test-dropout")
	theirs := filepath.Join(t.TempDir(), "ref")
	refHarness(t, "test", "--ngf", "4", "--ndf", "4", "--no_dropout", "--ckpt", filepath.Join(dist, "model-8"),
		"--input_dir", data, "--output_dir", theirs)
	outs, _ := filepath.Glob(filepath.Join(theirs, "images", "*-outputs.png"))
	if len(outs) != 3 {
		t.Fatalf("the reference wrote %d outputs from the cluster's checkpoint, want 3", len(outs))
	}
	worst := 0
	for _, f := range outs {
		worst = max(worst, maxPixelDiff(t, readPNG(t, filepath.Join(ours, "images", filepath.Base(f))), readPNG(t, f)))
	}
	t.Logf("cluster checkpoint model-8: pix2pix test vs the reference's test mode: max pixel difference %d/255", worst)
	if worst > 1 {
		t.Errorf("pix2pix test and the reference differ by %d/255 on the cluster's checkpoint", worst)
	}
}

// compareCheckpoints fails unless two checkpoints hold the same tensors
// within 1e-6.
func compareCheckpoints(t *testing.T, want, got, what string) {
	t.Helper()
	worst, where := checkpointDiff(t, want, got)
	t.Logf("%s: cluster vs one process: max abs difference %.3g (%s)", what, worst, where)
	if worst > 1e-6 {
		t.Errorf("%s: the cluster's checkpoint differs from one process's by %.3g at %s (> 1e-6)", what, worst, where)
	}
}

// TestClusterWorkerKilled: killing the worker (SIGKILL) mid-run makes the
// chief save, name the worker and exit 5 within a bounded time; its
// checkpoint loads in `pix2pix test`.
func TestClusterWorkerKilled(t *testing.T) {
	bin := pix2pixBinary(t)
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 3, 256, 256)
	addrs := freeAddrs(t, 2)
	spec := clusterSpec(addrs)
	worker := startWorker(t, bin, spec, 1)
	chief := exec.Command(bin, small(data, out, "--max_steps", "100000", "--save_freq", "2", "--cluster", spec)...)
	logf := filepath.Join(t.TempDir(), "chief.log")
	f, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chief.Stdout, chief.Stderr = f, f
	if err := chief.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- chief.Wait() }()
	t.Cleanup(func() { chief.Process.Kill() })
	// Wait for two saves (4 steps), so that the kill strikes a run in full
	// flight.
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(logf)
		if strings.Count(string(b), "saving model") >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the chief did not save twice within 60 s:\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	killed := time.Now()
	worker.Process.Signal(syscall.SIGKILL)
	var exitErr error
	select {
	case exitErr = <-done:
	case <-time.After(60 * time.Second):
		b, _ := os.ReadFile(logf)
		t.Fatalf("the chief did not exit within 60 s of the worker's death:\n%s", b)
	}
	took := time.Since(killed)
	b, _ := os.ReadFile(logf)
	log := string(b)
	t.Logf("worker killed: the chief exited %.2f s later (%v)", took.Seconds(), exitErr)
	ee, ok := exitErr.(*exec.ExitError)
	if !ok || ee.ExitCode() != 5 {
		t.Errorf("chief exit %v, want exit code 5:\n%s", exitErr, log)
	}
	if !strings.Contains(log, "worker task 1 at "+addrs[1]+" stopped answering") || !strings.Contains(log, "resume with --checkpoint "+out) {
		t.Errorf("the chief's message does not name worker task 1 at %s and how to resume:\n%s", addrs[1], log)
	}
	last, err := checkpoint.Latest(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("last checkpoint %s; chief's last line: %s", filepath.Base(last), lastLine(log))
	// A part-way step's checkpoint does not replace the last exact one
	// (--max-to-keep 1): the message names it and it is still there.
	if i := strings.Index(log, ", the last exact state, is kept"); i >= 0 {
		name := log[strings.LastIndex(log[:i], "; ")+2 : i]
		if _, err := os.Stat(filepath.Join(out, name+".index")); err != nil {
			t.Errorf("the chief says %s is kept, but: %v", name, err)
		}
		t.Logf("kept beside it: %s", name)
	} else if strings.Contains(log, "failed part way") {
		t.Errorf("a part-way step's save does not say which exact checkpoint is kept:\n%s", log)
	}
	mustRunBin(t, bin, "test", "--input_dir", data, "--output_dir", filepath.Join(t.TempDir(), "test"), "--checkpoint", out)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestClusterWorkerUnreachable: with no worker listening, the chief fails
// within --cluster-timeout, naming the worker's address, and writes
// nothing.
func TestClusterWorkerUnreachable(t *testing.T) {
	bin := pix2pixBinary(t)
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 1, 256, 256)
	addrs := freeAddrs(t, 2)
	t0 := time.Now()
	log, code := runBin(t, bin, small(data, out, "--max_steps", "2", "--cluster", clusterSpec(addrs), "--cluster-timeout", "3s")...)
	took := time.Since(t0)
	t.Logf("no worker: the chief failed after %.2f s (--cluster-timeout 3s): %s", took.Seconds(), lastLine(log))
	if code == 0 || !strings.Contains(log, "worker task 1 at "+addrs[1]+" not reachable within 3s") {
		t.Errorf("exit %d; want a failure naming worker task 1 at %s:\n%s", code, addrs[1], log)
	}
	if took > 30*time.Second {
		t.Errorf("the chief took %v to fail with --cluster-timeout 3s", took)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output_dir %s exists after a failed start (%v)", out, err)
	}
}
