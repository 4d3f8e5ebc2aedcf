package main

import (
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// binary returns the pix2pix binary: PIX2PIX_BIN (make test sets it), or
// one built for the test.
func pix2pixBinary(t *testing.T) string {
	if b := os.Getenv("PIX2PIX_BIN"); b != "" {
		return b
	}
	b := filepath.Join(t.TempDir(), "pix2pix")
	if out, err := exec.Command("go", "build", "-o", b, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return b
}

// TestKillNineNeverCorruptsCheckpoint kills training with SIGKILL at 20
// random moments while it saves a checkpoint every step; every time, the
// checkpoint the state file names loads completely, and training resumes
// from it.
func TestKillNineNeverCorruptsCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection takes about a minute")
	}
	bin := pix2pixBinary(t)
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 3, 256, 256)
	args := func(extra ...string) []string {
		a := []string{"train", "--input_dir", data, "--output_dir", out, "--ngf", "16", "--ndf", "16", "--seed", "3",
			"--save_freq", "1", "--summary_freq", "0", "--progress_freq", "0"}
		if _, err := os.Stat(filepath.Join(out, checkpoint.StateFile)); err == nil {
			a = append(a, "--checkpoint", out)
		}
		return append(a, extra...)
	}
	rng := rand.New(rand.NewSource(7))
	duringSave, lastStep := 0, int64(-1)
	for i := 0; i < 20; i++ {
		cmd := exec.Command(bin, args("--max_steps", "100000")...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Start-up takes a second or two; then a step and a save (of a
		// ~40 MB checkpoint at ngf 16) alternate.
		time.Sleep(time.Duration(1500+rng.Intn(2000)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		prefix, err := checkpoint.Latest(out)
		if midSave(out, prefix) {
			duringSave++
		}
		if err != nil {
			if i == 0 {
				continue // killed before the first save finished
			}
			t.Fatalf("kill %d: %v", i+1, err)
		}
		all, err := checkpoint.ReadTensors(prefix) // every tensor, data and all
		if err != nil {
			t.Fatalf("kill %d: the state file names %s, which does not load: %v", i+1, prefix, err)
		}
		gs := session.Value(all["global_step"]).(int64)
		if gs < lastStep {
			t.Fatalf("kill %d: global_step went back from %d to %d", i+1, lastStep, gs)
		}
		lastStep = gs
	}
	if lastStep < 0 {
		t.Fatal("no checkpoint was ever saved")
	}
	// Training resumes from the last one and finishes normally.
	if outb, err := exec.Command(bin, args("--max_steps", "2")...).CombinedOutput(); err != nil {
		t.Fatalf("resume after the kills: %v\n%s", err, outb)
	}
	prefix, err := checkpoint.Latest(out)
	if err != nil {
		t.Fatal(err)
	}
	v, err := checkpoint.ReadTensors(prefix, "global_step")
	if err != nil {
		t.Fatal(err)
	}
	if gs := session.Value(v["global_step"]).(int64); gs != lastStep+2 {
		t.Errorf("after resuming for 2 steps global_step is %d, want %d", gs, lastStep+2)
	}
	t.Logf("20 kills, %d of them in the middle of a save; every named checkpoint loaded; final global_step %d", duringSave, lastStep+2)
	if duringSave == 0 {
		t.Error("no kill struck during a save: the test did not exercise what it is for")
	}
}

// midSave tells whether a kill left a save unfinished: a temporary shard
// directory or file, or a newer checkpoint than the one the state file
// names.
func midSave(dir, named string) bool {
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*_temp_*")); len(tmp) > 0 {
		return true
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(tmp) > 0 {
		return true
	}
	idx, _ := filepath.Glob(filepath.Join(dir, "model-*.index"))
	for _, f := range idx {
		if strings.TrimSuffix(f, ".index") != named {
			return true // written, but the state file had not moved to it yet (or the old one not yet removed)
		}
	}
	return false
}

// TestInterruptSavesAndExits: SIGINT (and SIGTERM) finish the step, save
// a checkpoint and exit with code 130; the checkpoint resumes.
func TestInterruptSavesAndExits(t *testing.T) {
	bin := pix2pixBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 2, 256, 256)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command(bin, "train", "--input_dir", data, "--output_dir", out, "--ngf", "4", "--ndf", "4",
			"--max_steps", "100000", "--save_freq", "0", "--summary_freq", "0", "--progress_freq", "0")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2500 * time.Millisecond)
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Fatalf("%v: exit %v, want code 130", sig, err)
		}
		prefix, err := checkpoint.Latest(out)
		if err != nil {
			t.Fatalf("%v: no checkpoint after the signal: %v", sig, err)
		}
		v, err := checkpoint.ReadTensors(prefix, "global_step")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: saved %s at global_step %d", sig, filepath.Base(prefix), session.Value(v["global_step"]))
	}
}
