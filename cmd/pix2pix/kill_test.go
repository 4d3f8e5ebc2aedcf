package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// kills is how many times TestKillNineNeverCorruptsCheckpoint kills at
// least; it goes on, up to maxKills, until wantInSave kills struck during
// a save. An aimed kill can miss a short phase when the machine is loaded
// (the test sees a temporary name late), so the count of kills in a save
// is what the test holds to, not the count of attempts.
const (
	kills      = 50
	maxKills   = 90
	wantInSave = 20
)

// killFigures are what the kill -9 test measures.
type killFigures struct {
	kills, duringSave, unloadable, resumed, cleaned, compared, matched int
	// phases counts the kills during a save by the phase they struck.
	phases map[string]int
}

// TestKillNineNeverCorruptsCheckpoint kills training with SIGKILL kills
// times (more, up to maxKills, until wantInSave kills struck during a
// save), saving a checkpoint every step at ngf = ndf = 4: 3 kills in 5
// wait for a temporary name of a save to appear (the shard directory,
// the meta graph's or the state file's, in turn) and strike a random
// moment after, the rest strike at a random moment of training.
// Whether a kill landed in a save is read from the files it left. After
// every kill, the checkpoint the state file names loads completely; the
// next run resumes from it and trains before it is killed in turn;
// the last resume runs to completion. Every named checkpoint, and the
// final one, must equal an uninterrupted run's at the same step, tensor by
// tensor, bit for bit.
func TestKillNineNeverCorruptsCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection takes two to four minutes")
	}
	bin := pix2pixBinary(t)
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "out")
	writePairs(t, data, 3, 256, 256)
	rng := rand.New(rand.NewSource(13))
	f := killFigures{phases: map[string]int{}}
	named := map[int64]map[string][32]byte{} // global_step: tensors of the named checkpoint after a kill
	lastStep, aimed := int64(-1), 0
	for i := 0; i < kills || (f.duringSave < wantInSave && i < maxKills); i++ {
		want, _ := checkpoint.Latest(out)
		extra := []string{"--max_steps", "100000"}
		if want != "" {
			extra = append(extra, "--checkpoint", out)
		}
		before := listing(out)
		run := startTrain(t, bin, killArgs(data, out, extra...))
		// The first save of a run is slow (TensorFlow prepares the save
		// ops): kill only once it is complete and a second step trained.
		loaded, log, ok := run.awaitSteps(2, 90*time.Second)
		if !ok || loaded != want {
			run.kill()
			t.Fatalf("run %d did not load %q and train 2 steps:\n%s", i+1, want, strings.Join(log, "\n"))
		}
		if want != "" {
			f.resumed++
		}
		if strings.Contains(strings.Join(log, "\n"), "removed what an interrupted save left") {
			f.cleaned++
		}
		if i%5 >= 2 {
			// Aim at each phase in turn: the variables, the meta graph,
			// the state file (and the removal after it).
			target := saveTargets[aimed%len(saveTargets)]
			aimed++
			awaitName(out, before, target.name, 5*time.Second)
			time.Sleep(time.Duration(rng.Int63n(int64(target.within))))
		} else {
			time.Sleep(time.Duration(rng.Intn(150)) * time.Millisecond)
		}
		run.kill()
		f.kills++
		if mid, phase := inSave(out, before); mid {
			f.duringSave++
			f.phases[phase]++
		}
		prefix, err := checkpoint.Latest(out)
		if err != nil && lastStep < 0 && errors.Is(err, checkpoint.ErrNoState) {
			continue // killed in the very first save
		}
		d, gs, err := tensorDigests(prefix)
		if err != nil {
			f.unloadable++
			t.Errorf("kill %d: the state file names %s, which does not load: %v", i+1, prefix, err)
			continue
		}
		if gs < lastStep || filepath.Base(prefix) != fmt.Sprintf("model-%d", gs) {
			t.Fatalf("kill %d: %s holds global_step %d (last seen %d)", i+1, prefix, gs, lastStep)
		}
		named[gs], lastStep = d, gs
	}
	if lastStep < 0 {
		t.Fatal("no checkpoint was ever saved")
	}
	final := lastStep + 3
	if log, err := exec.Command(bin, killArgs(data, out, "--max_steps", "3", "--checkpoint", out)...).CombinedOutput(); err != nil {
		t.Fatalf("resume after the kills: %v\n%s", err, log)
	}
	f.resumed++
	d, _, err := tensorDigests(filepath.Join(out, fmt.Sprintf("model-%d", final)))
	if err != nil {
		t.Fatal(err)
	}
	named[final] = d
	f.compared, f.matched = compareWithUninterrupted(t, bin, data, final, named)
	checkNoLeftovers(t, out)
	t.Logf("%d kills, %d of them during a save (%v); %d unloadable checkpoints; %d resumes loaded and trained, "+
		"%d of them after removing what a killed save left; %d of %d checkpoints (named after a kill, and the final model-%d) "+
		"equal the uninterrupted run's bit for bit", f.kills, f.duringSave, f.phases, f.unloadable, f.resumed, f.cleaned,
		f.matched, f.compared, final)
	if f.duringSave < wantInSave {
		t.Errorf("only %d of %d kills struck during a save, want at least %d", f.duringSave, f.kills, wantInSave)
	}
}

// killArgs are the kill test's training options.
func killArgs(data, out string, extra ...string) []string {
	a := []string{"train", "--input_dir", data, "--output_dir", out, "--ngf", "4", "--ndf", "4", "--seed", "3",
		"--save_freq", "1", "--summary_freq", "0", "--progress_freq", "0"}
	return append(a, extra...)
}

// compareWithUninterrupted trains final steps in one go, keeping every
// checkpoint, and compares each of named (by global_step) with its
// checkpoint at the same step. It returns how many it compared and how
// many were equal in every tensor.
func compareWithUninterrupted(t *testing.T, bin, data string, final int64, named map[int64]map[string][32]byte) (compared, matched int) {
	t.Helper()
	ref := filepath.Join(t.TempDir(), "ref")
	n := strconv.FormatInt(final, 10)
	if log, err := exec.Command(bin, killArgs(data, ref, "--max_steps", n, "--max-to-keep", n)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, log)
	}
	for gs, d := range named {
		r, _, err := tensorDigests(filepath.Join(ref, fmt.Sprintf("model-%d", gs)))
		if err != nil {
			t.Fatal(err)
		}
		compared++
		if diff := differing(d, r); len(diff) > 0 {
			t.Errorf("model-%d after the kills differs from the uninterrupted run's in %d tensors, e.g. %s", gs, len(diff), diff[0])
		} else {
			matched++
		}
	}
	return compared, matched
}

// saveTargets are the temporary names the aimed kills wait for, and how
// long after seeing one they may strike.
var saveTargets = []struct {
	name   *regexp.Regexp
	within time.Duration
}{
	{regexp.MustCompile(`^model-[0-9]+_temp_[0-9]+$`), 8 * time.Millisecond},
	{regexp.MustCompile(`^\.model-[0-9]+\.meta\.tmp-[0-9]+$`), time.Millisecond},
	{regexp.MustCompile(`^\.checkpoint\.tmp-[0-9]+$`), time.Millisecond},
}

// awaitName returns once a name matching re that was not in before appears
// in dir, or after timeout.
func awaitName(dir string, before map[string]mark, re *regexp.Regexp, timeout time.Duration) {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(100 * time.Microsecond) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, old := before[e.Name()]; !old && re.MatchString(e.Name()) {
				return
			}
		}
	}
}

// checkNoLeftovers: after a completed run, no temporary name of a save is
// left, and every checkpoint in dir loads.
func checkNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	n := 0
	for name := range listing(dir) {
		if saveTemp.MatchString(name) {
			t.Errorf("leftover %s after a completed run", name)
		}
		if p, ok := strings.CutSuffix(name, ".index"); ok {
			if _, _, err := tensorDigests(filepath.Join(dir, p)); err != nil {
				t.Errorf("%s left in the run directory does not load: %v", p, err)
			}
			n++
		}
	}
	t.Logf("%d checkpoints left in the run directory (a resume keeps the one it loaded), all load", n)
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
			"--max_steps", "100000", "--save_freq", "0", "--summary_freq", "0", "--progress_freq", "1")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Signal once training has taken a step, however long start-up
		// takes on this machine.
		if !awaitLine(stdout, "progress", 2*time.Minute) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%v: training printed no progress line within 2 minutes", sig)
		}
		cmd.Process.Signal(sig)
		go io.Copy(io.Discard, stdout)
		err = cmd.Wait()
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

// awaitLine reads r until a line containing want, or timeout; the rest of
// r is left unread.
func awaitLine(r io.Reader, want string, timeout time.Duration) bool {
	found := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if strings.Contains(sc.Text(), want) {
				found <- true
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		return ok
	case <-time.After(timeout):
		return false
	}
}
