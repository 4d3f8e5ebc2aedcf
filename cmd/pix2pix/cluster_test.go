package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Helpers of the cluster tests: free loopback ports, worker processes
// killed at test end, and runs of the binary as their own processes (a
// chief's TensorFlow server lives as long as its process, so each run of
// the chief must be one).

// freeAddrs picks n free ports on 127.0.0.1.
func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var ls []net.Listener
	var addrs []string
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	for _, l := range ls {
		l.Close()
	}
	return addrs
}

// startWorker starts `pix2pix worker` for task of spec and waits until it
// says it listens; it is killed when the test ends.
func startWorker(t *testing.T, bin, spec string, task int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "worker", "--cluster", spec, "--task", fmt.Sprint(task))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		defer close(ready)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				ready <- sc.Text()
			}
		}
	}()
	select {
	case l, ok := <-ready:
		if !ok {
			t.Fatalf("worker task %d of %s exited before it listened", task, spec)
		}
		t.Logf("%s", l)
	case <-time.After(30 * time.Second):
		t.Fatalf("worker task %d of %s did not say it listens within 30 s", task, spec)
	}
	return cmd
}

// runBin runs the binary as a process and returns its output and exit code.
func runBin(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		t.Fatalf("pix2pix %s: %v", strings.Join(args, " "), err)
	}
	return string(out), 0
}

func mustRunBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, code := runBin(t, bin, args...)
	if code != 0 {
		t.Fatalf("pix2pix %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// clusterSpec is the --cluster value of addrs.
func clusterSpec(addrs []string) string { return "worker=" + strings.Join(addrs, ",") }

// TestWorkerRefusesChiefTask: worker refuses task 0 and a missing cluster as usage
// errors, before starting anything.
func TestWorkerRefusesChiefTask(t *testing.T) {
	bin := pix2pixBinary(t)
	spec := clusterSpec(freeAddrs(t, 2))
	out, code := runBin(t, bin, "worker", "--cluster", spec, "--task", "0")
	if code != 2 || !strings.Contains(out, "task 0 is the chief") {
		t.Errorf("worker --task 0: exit %d, %s", code, out)
	}
	cmd := exec.Command(bin, "worker")
	cmd.Env = append(os.Environ(), "TF_CONFIG=")
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "worker needs --cluster and --task, or TF_CONFIG") {
		t.Errorf("worker without a cluster: %v, %s", err, b)
	}
	out, code = runBin(t, bin, "train", "--input_dir", t.TempDir(), "--output_dir", t.TempDir(), "--cluster", spec, "--task", "1")
	if code != 2 || !strings.Contains(out, "train runs on the chief, task 0") {
		t.Errorf("train --task 1: exit %d, %s", code, out)
	}
}
