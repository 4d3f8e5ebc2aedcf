package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// Helpers of the kill -9 test: start a training run and follow its
// output, tell from the files a kill left whether it struck in a save,
// and compare checkpoints tensor by tensor.

// started is a training run whose stdout lines arrive on lines.
type started struct {
	cmd   *exec.Cmd
	lines chan string
}

func startTrain(t *testing.T, bin string, args []string) *started {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &started{cmd: cmd, lines: make(chan string, 1<<16)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

// awaitSteps waits until the run has trained n steps (it prints "saving
// model" after each step at --save_freq 1, so n-1 of its saves are
// complete) and returns the checkpoint it said it loaded ("" if none) and
// the lines it printed.
func (s *started) awaitSteps(n int, timeout time.Duration) (loaded string, log []string, ok bool) {
	deadline := time.After(timeout)
	for {
		select {
		case l, open := <-s.lines:
			if !open {
				return loaded, log, false
			}
			log = append(log, l)
			if p, found := strings.CutPrefix(l, "loading model from checkpoint "); found {
				loaded = p
			}
			if l == "saving model" {
				if n--; n == 0 {
					return loaded, log, true
				}
			}
		case <-deadline:
			return loaded, log, false
		}
	}
}

func (s *started) kill() {
	s.cmd.Process.Kill() // SIGKILL
	s.cmd.Wait()
	for range s.lines {
	}
}

// The names a save in progress has on disk (see checkpoint.CleanLeftovers).
var (
	saveTemp  = regexp.MustCompile(`^(model-[0-9]+_temp_[0-9]+|\.model-[0-9]+\.meta\.tmp-[0-9]+|\.checkpoint\.tmp-[0-9]+)$`)
	modelFile = regexp.MustCompile(`^model-([0-9]+)\.(index|data-00000-of-00001|meta)$`)
)

type mark struct {
	size int64
	mod  time.Time
}

// listing maps the names in dir to their size and modification time.
func listing(dir string) map[string]mark {
	m := map[string]mark{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			m[e.Name()] = mark{fi.Size(), fi.ModTime()}
		}
	}
	return m
}

// inSave tells, from the files a killed run left in dir, whether the kill
// struck during a save, and in which phase: a save's temporary name the
// run created (its shard directory, meta or state file); a checkpoint the
// run wrote that is newer than the one the state file names (merged, not
// yet recorded); or an older one the run wrote that is still there
// (recorded, --max-to-keep 1 not yet applied). before is the listing from
// just before the run started.
func inSave(dir string, before map[string]mark) (bool, string) {
	latest := int64(-1)
	if st, err := checkpoint.ReadState(dir); err == nil {
		fmt.Sscanf(filepath.Base(st.ModelCheckpointPath), "model-%d", &latest)
	}
	for name, m := range listing(dir) {
		old, existed := before[name]
		if existed && old == m {
			continue // not written by this run
		}
		if saveTemp.MatchString(name) {
			switch {
			case strings.Contains(name, "_temp_"):
				return true, "writing the variables"
			case strings.HasPrefix(name, ".checkpoint"):
				return true, "writing the state file"
			}
			return true, "writing the meta graph"
		}
		if sm := modelFile.FindStringSubmatch(name); sm != nil {
			step, _ := strconv.ParseInt(sm[1], 10, 64)
			if step > latest {
				return true, "written, not yet recorded"
			}
			if step < latest {
				return true, "removing the old checkpoint"
			}
		}
	}
	return false, ""
}

// tensorDigests reads every tensor of the checkpoint at prefix and returns
// a hash of each one's bytes, and its global_step.
func tensorDigests(prefix string) (map[string][32]byte, int64, error) {
	all, err := checkpoint.ReadTensors(prefix)
	if err != nil {
		return nil, 0, err
	}
	d := make(map[string][32]byte, len(all))
	for name, v := range all {
		h := sha256.New()
		if _, err := v.WriteContentsTo(h); err != nil {
			return nil, 0, err
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		d[name] = sum
	}
	gs, ok := session.Value(all["global_step"]).(int64)
	if !ok {
		return nil, 0, fmt.Errorf("%s: no int64 global_step", prefix)
	}
	return d, gs, nil
}

// differing names the keys (tensors, files) whose hashes differ between a
// and b, or that only one has.
func differing(a, b map[string][32]byte) []string {
	var out []string
	for n, h := range a {
		if g, ok := b[n]; !ok || g != h {
			out = append(out, n)
		}
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}
