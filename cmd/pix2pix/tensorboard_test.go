package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pix2pix/graphs/pix2pix"
)

// eventTags is what TensorBoard's own reader finds in one run directory.
type eventTags struct {
	Scalars      []string       `json:"scalars"`
	Images       []string       `json:"images"`
	Histograms   []string       `json:"histograms"`
	Tensors      []string       `json:"tensors"`
	RunMetadata  []string       `json:"run_metadata"`
	Graph        bool           `json:"graph"`
	MetaGraph    bool           `json:"meta_graph"`
	ScalarCounts map[string]int `json:"scalar_counts"`
	// GraphEvents counts the events holding a GraphDef, over every file.
	GraphEvents int `json:"graph_events"`
	// Scopes are the one- and two-level name scopes of the graph's nodes
	// ("generator", "generator/encoder_1", ...).
	Scopes []string `json:"scopes"`
}

// readEventsScript prints one JSON line of eventTags per directory, read
// with TensorBoard's EventAccumulator (the graph events counted with its
// event_file_loader).
const readEventsScript = `
import glob, json, os, sys
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing import event_file_loader as efl
for d in sys.argv[1:]:
    acc = ea.EventAccumulator(d, size_guidance={ea.SCALARS: 0, ea.IMAGES: 0, ea.HISTOGRAMS: 0, ea.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    out = {k: sorted(tags.get(k, [])) for k in ("scalars", "images", "histograms", "tensors", "run_metadata")}
    out["graph"] = bool(tags.get("graph"))
    out["meta_graph"] = bool(tags.get("meta_graph"))
    out["scalar_counts"] = {t: len(acc.Scalars(t)) for t in out["scalars"]}
    out["graph_events"] = sum(1 for f in sorted(glob.glob(os.path.join(d, "events.out.tfevents.*")))
                              for e in efl.EventFileLoader(f).Load() if e.HasField("graph_def"))
    scopes = set()
    if out["graph"]:
        for n in acc.Graph().node:
            parts = n.name.split("/")[:-1]
            for i in range(1, min(len(parts), 2) + 1):
                scopes.add("/".join(parts[:i]))
    out["scopes"] = sorted(scopes)
    print(json.dumps(out))
`

// readEvents reads the event files of each directory with TensorBoard's
// reader from the reference venv; it skips the test without one.
func readEvents(t *testing.T, dirs ...string) []eventTags {
	t.Helper()
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set (run `make test`): TensorBoard's reader is in the reference venv")
	}
	cmd := exec.Command(py, append([]string{"-c", readEventsScript}, dirs...)...)
	cmd.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=3")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("tensorboard reader: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(outb)), "\n")
	if len(lines) != len(dirs) {
		t.Fatalf("tensorboard reader printed %d lines for %d directories:\n%s", len(lines), len(dirs), outb)
	}
	res := make([]eventTags, len(dirs))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatalf("tensorboard reader output %q: %v", l, err)
		}
	}
	return res
}

// setDiff lists what a has and b lacks, and what b has and a lacks.
func setDiff(a, b []string) (onlyA, onlyB []string) {
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	for _, x := range a {
		if !mb[x] {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range b {
		if !ma[x] {
			onlyB = append(onlyB, x)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

// queueTags are the original's only tags ours lacks: the fill level of
// the TF1 input queues (string_input_producer and tf.train.batch, 32
// places each), which add these scalars to the summaries themselves. Our
// input pipeline runs in Go and feeds the graph, without such queues.
var queueTags = []string{"batch/fraction_of_32_full", "load_images/input_producer/fraction_of_32_full"}

// TestTensorBoardTagsAsOriginal trains 3 steps with summaries every 2
// (steps 2 and 3) and a trace of step 3 in pix2pix and in the reference
// harness (the original's summaries and Supervisor), reads both event
// files with TensorBoard's reader, and wants the same scalar, image,
// histogram and run-metadata tags, and the model's graph with its name
// scopes in ours.
func TestTensorBoardTagsAsOriginal(t *testing.T) {
	if os.Getenv("PIX2PIX_REF_PYTHON") == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set (run `make test`): the reference harness and TensorBoard's reader are in its venv")
	}
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 2, 256, 256)
	ours, ref := filepath.Join(t.TempDir(), "ours"), filepath.Join(t.TempDir(), "ref")
	mustRun(t, small(data, ours, "--max_steps", "3", "--summary_freq", "2", "--trace_freq", "3", "--save_freq", "3")...)
	refHarness(t, "train", "--ngf", "4", "--ndf", "4", "--seed", "3", "--input_dir", data, "--max_steps", "3",
		"--summary_freq", "2", "--trace_freq", "3", "--output_dir", ref)
	got := readEvents(t, ours, ref)
	o, r := got[0], got[1]
	compareTags(t, o, r)
	if !o.Graph || o.GraphEvents != 1 || !o.MetaGraph {
		t.Errorf("our event file: graph %v in %d events, meta graph %v; want the graph in 1 event and the meta graph, as the original's",
			o.Graph, o.GraphEvents, o.MetaGraph)
	}
	if !r.Graph || r.GraphEvents != 1 || !r.MetaGraph {
		t.Errorf("the reference's event file: graph %v in %d events, meta graph %v: its Supervisor did not get the logdir",
			r.Graph, r.GraphEvents, r.MetaGraph)
	}
	for _, scope := range []string{"generator/encoder_1", "generator/encoder_8", "generator/decoder_1", "generator/decoder_8",
		"discriminator/layer_1", "discriminator/layer_5", "real_discriminator/discriminator", "fake_discriminator/discriminator",
		"discriminator_loss", "generator_loss", "discriminator_train", "generator_train"} {
		if !contains(o.Scopes, scope) {
			t.Errorf("our graph has no %s name scope", scope)
		}
		if !contains(r.Scopes, scope) {
			t.Errorf("the reference's graph has no %s name scope (the check itself is wrong)", scope)
		}
	}
	// Summaries only read: the same run without them ends on the same weights.
	quiet := filepath.Join(t.TempDir(), "quiet")
	mustRun(t, small(data, quiet, "--max_steps", "3", "--save_freq", "3")...)
	worst, _ := checkpointDiff(t, filepath.Join(ours, "model-3"), filepath.Join(quiet, "model-3"))
	if worst != 0 {
		t.Errorf("summaries changed the weights: max abs difference %.3g from the same run without them", worst)
	}
	onlyOurs, onlyRef := setDiff(topLevel(o.Scopes), topLevel(r.Scopes))
	t.Logf("tags: ours %d scalar, %d image, %d histogram, run metadata %q; the original's the same plus its queue scalars %q; scalar points %v",
		len(o.Scalars), len(o.Images), len(o.Histograms), o.RunMetadata, queueTags, o.ScalarCounts)
	t.Logf("graph: ours %v (%d events), original %v; meta graph: ours %v, original %v", o.Graph, o.GraphEvents, r.Graph, o.MetaGraph, r.MetaGraph)
	t.Logf("top-level scopes only in ours %q, only in the original's %q", onlyOurs, onlyRef)
	t.Logf("weights with summaries vs without: max abs difference %g", worst)
}

// compareTags wants the same scalar, image, histogram and run-metadata
// tags in ours as in the original's (but its queue scalars and our
// health/ scalars), and as many scalar points.
func compareTags(t *testing.T, o, r eventTags) {
	t.Helper()
	for _, kind := range []struct {
		name     string
		our, ref []string
	}{{"scalar", o.Scalars, r.Scalars}, {"image", o.Images, r.Images}, {"histogram", o.Histograms, r.Histograms},
		{"run metadata", o.RunMetadata, r.RunMetadata}} {
		if len(kind.ref) == 0 {
			t.Errorf("the reference wrote no %s tags: its summaries are not built", kind.name)
		}
		onlyOurs, onlyRef := setDiff(kind.our, kind.ref)
		if kind.name == "scalar" {
			if _, absent := setDiff(kind.ref, queueTags); len(absent) > 0 {
				t.Errorf("the original's queue scalars %q are missing from its event file: update queueTags and the README", absent)
			}
			onlyRef, _ = setDiff(onlyRef, queueTags)
			// This program's own health scalars (README: Health signals).
			onlyOurs, _ = setDiff(onlyOurs, pix2pix.HealthTags)
		}
		if len(onlyOurs)+len(onlyRef) > 0 {
			t.Errorf("%s tags differ: only ours %q, only the original's %q", kind.name, onlyOurs, onlyRef)
		}
	}
	for tag, n := range r.ScalarCounts {
		if o.ScalarCounts[tag] != n && !contains(queueTags, tag) {
			t.Errorf("scalar %s: %d points, the original %d", tag, o.ScalarCounts[tag], n)
		}
	}
}

// TestTensorBoardResumeAddsOneGraph: a run resumed into its own output
// directory writes its graph once more, as the original's Supervisor does
// at each start, and TensorBoard reads the directory as one run whose
// scalars continue.
func TestTensorBoardResumeAddsOneGraph(t *testing.T) {
	if os.Getenv("PIX2PIX_REF_PYTHON") == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set (run `make test`): TensorBoard's reader is in the reference venv")
	}
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 2, 256, 256)
	out := filepath.Join(t.TempDir(), "run")
	mustRun(t, small(data, out, "--max_steps", "2", "--summary_freq", "1", "--save_freq", "2")...)
	mustRun(t, small(data, out, "--max_steps", "2", "--summary_freq", "1", "--save_freq", "2", "--checkpoint", out)...)
	ev := readEvents(t, out)[0]
	if !ev.Graph || ev.GraphEvents != 2 {
		t.Errorf("graph %v in %d events, want one per start (2)", ev.Graph, ev.GraphEvents)
	}
	for _, tag := range []string{"discriminator_loss_1", "generator_loss_GAN", "generator_loss_L1"} {
		if ev.ScalarCounts[tag] != 4 {
			t.Errorf("scalar %s: %d points, want 4 (steps 1-2, then 3-4 resumed)", tag, ev.ScalarCounts[tag])
		}
	}
	t.Logf("2 + 2 resumed steps: graph events %d, scalar points %v", ev.GraphEvents, ev.ScalarCounts)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// topLevel keeps the one-level scopes.
func topLevel(scopes []string) []string {
	var top []string
	for _, s := range scopes {
		if !strings.Contains(s, "/") {
			top = append(top, s)
		}
	}
	return top
}
