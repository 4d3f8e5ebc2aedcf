package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// importMeta is the reference harness's import_meta report.
type importMeta struct {
	Collections          map[string]int       `json:"collections"`
	GlobalVariables      int                  `json:"global_variables"`
	TrainableVariables   int                  `json:"trainable_variables"`
	TrainablePrefixes    []string             `json:"trainable_prefixes"`
	TrainableParams      int64                `json:"trainable_params"`
	TrainOp              []string             `json:"train_op"`
	Summaries            []string             `json:"summaries"`
	MergeAll             *string              `json:"merge_all"`
	CheckpointTensors    int                  `json:"checkpoint_tensors"`
	GlobalStep           int64                `json:"global_step"`
	DifferFromCheckpoint []string             `json:"differ_from_checkpoint"`
	Values               map[string][]float64 `json:"values"`
}

// graphFigure reads "label: N" or "label = N" from `pix2pix graph` output.
func graphFigure(t *testing.T, out, label string) int64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + ` ?[:=] ?(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("pix2pix graph output lacks %q:\n%s", label, out)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// TestMetaGraphImportsAndRestoresInPython: the .meta beside a checkpoint
// is a full MetaGraphDef, as the original's. In TensorFlow (reference
// venv), import_meta_graph gives every variable in global_variables()
// (the count `pix2pix graph` lists and the checkpoint holds; 270, the
// original's, at any ngf/ndf since ngf only changes shapes), the
// trainable ones in trainable_variables(), the two Adam steps in
// train_op and a summaries entry merge_all accepts; a Saver built after
// it restores the checkpoint, global_step included.
func TestMetaGraphImportsAndRestoresInPython(t *testing.T) {
	if os.Getenv("PIX2PIX_REF_PYTHON") == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run with `make test`, which installs the Python reference")
	}
	data, out := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "run")
	writePairs(t, data, 2, 256, 256)
	// summary_freq 1: with a summary writer, so "summaries" is there too.
	mustRun(t, small(data, out, "--max_steps", "2", "--save_freq", "2", "--summary_freq", "1")...)
	prefix := filepath.Join(out, "model-2")
	const probe = "generator/encoder_1/conv2d/bias"
	js := refHarness(t, "import_meta", "--meta", prefix+".meta", "--ckpt", prefix,
		"--print_var", probe, "--print_var", "discriminator_train/beta1_power")
	var got importMeta
	if i := strings.Index(js, "{\n"); i < 0 || json.NewDecoder(strings.NewReader(js[i:])).Decode(&got) != nil {
		t.Fatalf("import_meta printed no JSON report:\n%s", js)
	}

	g4 := mustRun(t, "graph", "--ngf", "4", "--ndf", "4")
	g64 := mustRun(t, "graph", "--ngf", "64", "--ndf", "64")
	vars, vars64 := graphFigure(t, g4, "variables"), graphFigure(t, g64, "variables")
	entries, err := checkpoint.List(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if vars != 270 || vars64 != vars || int64(len(entries)) != vars {
		t.Fatalf("pix2pix graph lists %d variables (ngf 64: %d), the checkpoint holds %d; want 270 each (the original's)",
			vars, vars64, len(entries))
	}
	if int64(got.GlobalVariables) != vars || int64(got.Collections["variables"]) != vars || got.CheckpointTensors != len(entries) {
		t.Errorf("after import_meta_graph: %d global variables (collection: %d), checkpoint %d tensors; want %d",
			got.GlobalVariables, got.Collections["variables"], got.CheckpointTensors, vars)
	}
	params := graphFigure(t, g4, "parameter_count")
	// 76: the original's count (its graph's trainable_variables collection).
	if got.TrainableVariables != 76 || got.TrainableParams != params || strings.Join(got.TrainablePrefixes, ",") != "discriminator,generator" {
		t.Errorf("trainable_variables: %d variables, %d parameters, under %v; want 76 (the original's), %d, under discriminator and generator",
			got.TrainableVariables, got.TrainableParams, got.TrainablePrefixes, params)
	}
	if got.Collections["global_step"] != 1 || got.GlobalStep != 2 {
		t.Errorf("global_step collection holds %d, restored global_step = %d; want 1 and 2", got.Collections["global_step"], got.GlobalStep)
	}
	if len(got.TrainOp) != 2 || !strings.HasPrefix(got.TrainOp[0], "discriminator_train/") || !strings.HasPrefix(got.TrainOp[1], "generator_train/") {
		t.Errorf("train_op collection %v, want the discriminator's then the generator's Adam step", got.TrainOp)
	}
	if len(got.Summaries) != 1 || got.MergeAll == nil {
		t.Errorf("summaries collection %v, merge_all %v: want one entry that merge_all accepts", got.Summaries, got.MergeAll)
	}
	if len(got.DifferFromCheckpoint) != 0 {
		t.Errorf("restored values differ from the checkpoint's for %v", got.DifferFromCheckpoint)
	}
	// A restored variable, against the checkpoint as read from Go.
	ck, err := checkpoint.ReadTensors(prefix, probe)
	if err != nil {
		t.Fatal(err)
	}
	want := session.Value(ck[probe]).([]float32)
	if len(got.Values[probe]) != len(want) {
		t.Fatalf("restored %s has %d values, the checkpoint %d", probe, len(got.Values[probe]), len(want))
	}
	for i, w := range want {
		if float32(got.Values[probe][i]) != w {
			t.Errorf("restored %s[%d] = %g, checkpoint %g", probe, i, got.Values[probe][i], w)
		}
	}
	t.Logf("import_meta_graph: %d global variables (%d at ngf 64 in pix2pix graph), %d trainable (%d parameters), collections %v, global_step %d, beta1_power %v, %s = %v",
		got.GlobalVariables, vars64, got.TrainableVariables, got.TrainableParams, got.Collections, got.GlobalStep,
		got.Values["discriminator_train/beta1_power"], probe, got.Values[probe])
}
