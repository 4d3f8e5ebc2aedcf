package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// corpusRow is one kind of bad input, tried the way a new user would.
type corpusRow struct {
	name string
	// setup makes the row's own files under dir and returns the command's
	// arguments ($D is dir, $RUN the shared trained run, $PAIRS its paired
	// images, $SINGLES single images) and paths (under dir) that must come
	// out unchanged. The shared run and images are always checked.
	setup func(t *testing.T, fx *corpusFixture, dir string) (args, protect []string)
	code  int
	// want are substrings of the output (after the same expansion); reject
	// must not appear.
	want, reject []string
	// writes: the command may create $D/out (a successful run, or one that
	// skips bad files). Otherwise a failing command must not create it.
	writes bool
	check  func(t *testing.T, dir, out string)
}

// corpusFixture is what every row shares: a trained tiny run and its data.
type corpusFixture struct {
	bin, run, pairs, singles string
}

// corpusTimeout bounds one command: a hang is a failure, not a stuck test.
const corpusTimeout = 90 * time.Second

// corpusBinary is PIX2PIX_BIN (make test sets it), or one built for the
// test.
func corpusBinary(t *testing.T) string {
	if b := os.Getenv("PIX2PIX_BIN"); b != "" {
		return b
	}
	b := filepath.Join(t.TempDir(), "pix2pix")
	if out, err := exec.Command("go", "build", "-o", b, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return b
}

func newCorpusFixture(t *testing.T) *corpusFixture {
	root := t.TempDir()
	fx := &corpusFixture{bin: corpusBinary(t), run: filepath.Join(root, "run"), pairs: filepath.Join(root, "pairs")}
	writePairs(t, fx.pairs, 3, 256, 256)
	fx.singles = halves(t, fx.pairs)
	cmd := exec.Command(fx.bin, small(fx.pairs, fx.run, "--max_steps", "1", "--save_freq", "1")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("baseline run: %v\n%s", err, out)
	}
	return fx
}

// expand replaces the row's placeholders.
func (fx *corpusFixture) expand(dir string, s []string) []string {
	r := strings.NewReplacer("$D", dir, "$RUN", fx.run, "$PAIRS", fx.pairs, "$SINGLES", fx.singles)
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = r.Replace(x)
	}
	return out
}

// hashTree hashes every file and directory under the paths (mode, size,
// contents), so any change, addition or removal shows.
func hashTree(t *testing.T, paths ...string) map[string]string {
	h := map[string]string{}
	for _, root := range paths {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				h[p] = "error: " + err.Error()
				return nil
			}
			st, err := os.Lstat(p)
			if err != nil {
				h[p] = "error: " + err.Error()
				return nil
			}
			if !st.Mode().IsRegular() {
				h[p] = st.Mode().String()
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				h[p] = "error: " + err.Error()
				return nil
			}
			defer f.Close()
			sum := sha256.New()
			io.Copy(sum, f)
			h[p] = fmt.Sprintf("%s %x", st.Mode(), sum.Sum(nil))
			return nil
		})
	}
	return h
}

// changed lists what differs between two hashTree results.
func changed(before, after map[string]string) []string {
	var out []string
	for p, h := range before {
		if a, ok := after[p]; !ok {
			out = append(out, "removed "+p)
		} else if a != h {
			out = append(out, "changed "+p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, "added "+p)
		}
	}
	return out
}

// corpusTally counts the outcomes for the closing figures.
type corpusTally struct {
	mu                                       sync.Mutex
	rows, errorRows, clear, dataLoss, panics int
	hangs                                    int
}

// TestBadInputCorpus runs every kind of bad input through the CLI: each
// gives the expected exit code and a message naming the file or value,
// never a panic or a hang, and leaves the trained run and the inputs
// exactly as they were.
func TestBadInputCorpus(t *testing.T) {
	fx := newCorpusFixture(t)
	var rows []corpusRow
	for _, part := range [][]corpusRow{flagRows(), trainDataRows(), checkpointRows(), testDataRows(), overwriteRows(), exportRows()} {
		rows = append(rows, part...)
	}
	var tally corpusTally
	t.Run("rows", func(t *testing.T) {
		for _, row := range rows {
			row := row
			t.Run(row.name, func(t *testing.T) {
				t.Parallel()
				runCorpusRow(t, fx, row, &tally)
			})
		}
	})
	t.Logf("bad-input corpus: %d kinds, %d of %d error kinds with a clear error (code and message), %d data-loss cases, %d panics, %d hangs",
		tally.rows, tally.clear, tally.errorRows, tally.dataLoss, tally.panics, tally.hangs)
}

func runCorpusRow(t *testing.T, fx *corpusFixture, row corpusRow, tally *corpusTally) {
	dir := t.TempDir()
	args, protect := row.setup(t, fx, dir)
	args = fx.expand(dir, args)
	protect = append(fx.expand(dir, protect), fx.run, fx.pairs, fx.singles)
	before := hashTree(t, protect...)
	ctx, cancel := context.WithTimeout(context.Background(), corpusTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, fx.bin, args...)
	cmd.Dir = dir
	outb, _ := cmd.CombinedOutput()
	res := corpusResult{out: string(outb), code: cmd.ProcessState.ExitCode(), hung: ctx.Err() != nil,
		lost: changed(before, hashTree(t, protect...))}
	res.panicked = strings.Contains(res.out, "panic:") || strings.Contains(res.out, "goroutine ")
	ok := judge(t, fx, row, dir, res)
	if !ok {
		t.Logf("pix2pix %s\n%s", strings.Join(args, " "), res.out)
	}
	tally.mu.Lock()
	defer tally.mu.Unlock()
	tally.rows++
	if row.code != 0 {
		tally.errorRows++
		if ok {
			tally.clear++
		}
	}
	if len(res.lost) > 0 {
		tally.dataLoss++
	}
	if res.panicked {
		tally.panics++
	}
	if res.hung {
		tally.hangs++
	}
}

// corpusResult is what one command did.
type corpusResult struct {
	out            string
	code           int
	hung, panicked bool
	// lost are the protected files that changed.
	lost []string
}

// judge checks a row's result and reports whether it was as expected.
func judge(t *testing.T, fx *corpusFixture, row corpusRow, dir string, res corpusResult) bool {
	ok := true
	fail := func(format string, a ...interface{}) {
		ok = false
		t.Errorf(format, a...)
	}
	if res.hung {
		fail("hung: still running after %v", corpusTimeout)
	}
	if res.panicked {
		fail("panicked")
	}
	if res.code != row.code {
		fail("exit code %d, want %d", res.code, row.code)
	}
	for _, w := range fx.expand(dir, row.want) {
		if !strings.Contains(res.out, w) {
			fail("output lacks %q", w)
		}
	}
	for _, r := range fx.expand(dir, row.reject) {
		if strings.Contains(res.out, r) {
			fail("output has %q", r)
		}
	}
	if len(res.lost) > 0 {
		fail("changed files it must not touch: %v", res.lost)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil && row.code != 0 && !row.writes {
		fail("failed but created %s", filepath.Join(dir, "out"))
	}
	if row.check != nil && ok {
		row.check(t, dir, res.out)
		ok = !t.Failed()
	}
	return ok
}
