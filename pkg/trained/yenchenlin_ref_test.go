package trained

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// yenConfig is the setup at ngf = ndf = 4 without dropout (its masks are
// random streams the two programs cannot share).
func yenConfig() yenchenlin.Config {
	c := yenchenlin.DefaultConfig()
	c.NGF, c.NDF, c.Seed, c.Dropout = 4, 4, 1, false
	return c
}

// runYenRef runs a subcommand of scripts/reference/yenchenlin_ref.py for
// cfg and returns its stdout.
func runYenRef(t *testing.T, sub string, cfg yenchenlin.Config, batch int, args ...string) []byte {
	t.Helper()
	py := refPython(t)
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "reference", "yenchenlin_ref.py")
	a := []string{script, sub, "--ngf", strconv.Itoa(cfg.NGF), "--ndf", strconv.Itoa(cfg.NDF),
		"--batch_size", strconv.Itoa(batch), "--lr", strconv.FormatFloat(cfg.LR, 'g', -1, 64),
		"--beta1", strconv.FormatFloat(cfg.Beta1, 'g', -1, 64)}
	if !cfg.Dropout {
		a = append(a, "--no_dropout")
	}
	cmd := exec.Command(py, append(a, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("yenchenlin reference %s: %v\n%s", sub, err, errb.String())
	}
	return out.Bytes()
}

// newYen builds the setup for batch images and initialises it.
func newYen(t *testing.T, cfg yenchenlin.Config, batch int64) *Yenchenlin {
	t.Helper()
	y, err := NewYenchenlin(cfg, batch, session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { y.Close() })
	if err := y.Init(); err != nil {
		t.Fatal(err)
	}
	return y
}

// yenData writes the reference's random real_A_and_B under dir and
// returns it as the feed of y.
func yenData(t *testing.T, y *Yenchenlin, dir string, batch int) (string, map[tf.Output]*tf.Tensor) {
	t.Helper()
	prefix := filepath.Join(dir, "data")
	runYenRef(t, "data", y.Model.Config, batch, "--seed", "3", "--out", prefix)
	d, err := checkpoint.ReadTensors(prefix)
	if err != nil {
		t.Fatal(err)
	}
	return prefix, map[tf.Output]*tf.Tensor{y.Model.RealAB: d["real_A_and_B"]}
}

// TestYenchenlinVariablesMatchReference: the checkpoint's variables (110
// at ngf = ndf = 4) and the whole graph's (Adam's slots and beta powers
// added) equal the reference's by name, dtype and shape.
func TestYenchenlinVariablesMatchReference(t *testing.T) {
	cfg := yenConfig()
	var ref struct {
		Checkpoint, Graph []struct {
			Name  string  `json:"name"`
			DType string  `json:"dtype"`
			Shape []int64 `json:"shape"`
		}
		CheckpointCount int `json:"checkpoint_count"`
		GraphCount      int `json:"graph_count"`
	}
	out := runYenRef(t, "vars", cfg, 1)
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("reference output: %v\n%s", err, out)
	}
	y, err := NewYenchenlin(cfg, 1, session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	lines := func(vars []struct {
		Name  string  `json:"name"`
		DType string  `json:"dtype"`
		Shape []int64 `json:"shape"`
	}) []string {
		var l []string
		for _, v := range vars {
			dims := make([]string, len(v.Shape))
			for i, d := range v.Shape {
				dims[i] = strconv.FormatInt(d, 10)
			}
			l = append(l, v.Name+" "+v.DType+" ["+strings.Join(dims, ",")+"]")
		}
		return l
	}
	var ckpt, graph []string
	for _, v := range y.Model.CheckpointVars {
		ckpt = append(ckpt, pix2pix.VariableLine(v))
	}
	for _, v := range y.Model.Vars.Sorted() {
		graph = append(graph, pix2pix.VariableLine(v))
	}
	diffLines(t, ckpt, lines(ref.Checkpoint))
	diffLines(t, graph, lines(ref.Graph))
	if len(ckpt) != 110 || ref.CheckpointCount != 110 {
		t.Errorf("checkpoint variables: Go %d, reference %d, want 110", len(ckpt), ref.CheckpointCount)
	}
	t.Logf("checkpoint variables: %d equal to the reference's (%d); graph variables: %d equal (%d)",
		len(ckpt), ref.CheckpointCount, len(graph), ref.GraphCount)
}
