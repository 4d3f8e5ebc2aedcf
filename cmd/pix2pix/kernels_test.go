package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// kernelFixture is what the CUDA build answered, per op kind, for every
// graph that runs on --device (written by make check-gpu-build UPDATE=1).
var kernelFixture = filepath.Join("testdata", "gpu-kernels.txt")

// TestHostOnlyOpsArePinned: every op of the device graphs that has no GPU
// kernel in TensorFlow's CUDA build is pinned to the host, and every op
// left to the session's device has one, so a GPU run places nothing by
// soft placement. The CUDA build's answers come from the fixture, so this
// runs with the CPU build too; an op kind the fixture does not know fails
// until the fixture is regenerated with the CUDA build.
func TestHostOnlyOpsArePinned(t *testing.T) {
	gpu, err := readKernelFixture(kernelFixture)
	if err != nil {
		t.Fatalf("%v (regenerate it: make check-gpu-build UPDATE=1)", err)
	}
	cfg := pix2pix.DefaultConfig()
	cfg.NGF, cfg.NDF = 4, 4
	var unknown, unpinned, badPin []string
	pinned := 0
	for _, batch := range []int{1, 2} {
		graphs, err := deviceGraphs(cfg, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, dg := range graphs {
			ps, err := session.GraphOps(dg.g)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				where := fmt.Sprintf("%s, batch %d: %s (%s)", dg.name, batch, p.Kind, p.Example)
				switch has, known := gpu[p.Kind]; {
				case p.Pinned != "" && p.Pinned != nn.HostDevice:
					badPin = append(badPin, where+" pinned to "+p.Pinned)
				case p.Pinned != "":
					pinned++
				case !known:
					unknown = append(unknown, where)
				case !has:
					unpinned = append(unpinned, where)
				}
			}
		}
	}
	if len(unknown) > 0 {
		t.Errorf("op kinds on the session's device that %s does not list (run make check-gpu-build UPDATE=1 to ask the CUDA build):\n  %s", kernelFixture, strings.Join(unknown, "\n  "))
	}
	if len(unpinned) > 0 {
		t.Errorf("ops without a GPU kernel left to the session's device (pin them to %s):\n  %s", nn.HostDevice, strings.Join(unpinned, "\n  "))
	}
	if len(badPin) > 0 {
		t.Errorf("ops pinned elsewhere than %s:\n  %s", nn.HostDevice, strings.Join(badPin, "\n  "))
	}
	if pinned == 0 {
		t.Error("no op is pinned to the host: the savers, display images and summaries should be")
	}
	t.Logf("%d op kinds in the fixture; %d (graph, kind) pairs pinned to the host", len(gpu), pinned)
}

// readKernelFixture reads what writeKernelFixture wrote.
func readKernelFixture(path string) (map[session.OpKind]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[session.OpKind]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, answer, ok := strings.Cut(line, "\t")
		if !ok || (answer != "gpu" && answer != "host") {
			return nil, fmt.Errorf("%s: bad line %q (want kind<TAB>gpu|host)", path, line)
		}
		out[session.OpKind(kind)] = answer == "gpu"
	}
	return out, sc.Err()
}
