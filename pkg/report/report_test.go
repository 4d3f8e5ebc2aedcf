package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLossLogRoundTrip: points appended across two opens read back in
// order, the header is written once, and a line cut by a crash is skipped.
func TestLossLogRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := []LossPoint{
		{Step: 1, Discrim: 1.25, GenGAN: 0.5, GenL1: 0.125, DReal: 0.5, DFake: 0.25, GenGradNorm: 2, DiscrimGradNorm: 1, LR: 0.0002},
		{Step: 2, Discrim: 1.5, GenGAN: 0.75, GenL1: 0.0625, DReal: 0.75, DFake: 0.125, GenGradNorm: 4, DiscrimGradNorm: 0.5, LR: 0.0002},
		{Step: 3, Discrim: 2, GenGAN: 1, GenL1: 0.03125, DReal: 0.875, DFake: 0.0625, GenGradNorm: 8, DiscrimGradNorm: 0.25, LR: 0.0001},
	}
	for _, part := range [][]LossPoint{want[:2], want[2:]} {
		l, err := OpenLossLog(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range part {
			l.Add(p)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, LossFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("4,0.5,0.") // a crash mid-line
	f.Close()
	got, err := ReadLosses(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d points %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("point %d: %v, want %v", i, got[i], want[i])
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, LossFile))
	if n := strings.Count(string(data), "step,"); n != 1 {
		t.Errorf("header written %d times, want once", n)
	}
	if pts, err := ReadLosses(t.TempDir()); pts != nil || err != nil {
		t.Errorf("no losses.csv: %v, %v; want no points and no error", pts, err)
	}
}

// TestAppendIndex: the original's header once, then one row per image,
// with a step column only when asked.
func TestAppendIndex(t *testing.T) {
	dir := t.TempDir()
	rows := []Row{{Step: 7, Name: "1", Inputs: "images/1-inputs.png", Outputs: "images/1-outputs.png", Targets: "images/1-targets.png"}}
	for i := 0; i < 2; i++ {
		if _, err := AppendIndex(dir, rows, true); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for sub, n := range map[string]int{"<th>step</th>": 1, "<th>name</th>": 1, "images/1-outputs.png": 2, "<td>7</td>": 2} {
		if c := strings.Count(page, sub); c != n {
			t.Errorf("index.html holds %q %d times, want %d:\n%s", sub, c, n, page)
		}
	}
}

// TestPSNR: 10 log10(1/mse), capped at 100 dB.
func TestPSNR(t *testing.T) {
	for _, c := range []struct{ mse, want float64 }{{0.01, 20}, {0.001, 30}, {1, 0}, {0, 100}, {1e-12, 100}} {
		if got := PSNR(c.mse); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("PSNR(%g) = %g, want %g", c.mse, got, c.want)
		}
	}
	p := Page{Rows: []ImageRow{{L1: 0.1, PSNR: 20}, {L1: 0.3, PSNR: 30}}}
	if p.MeanL1() != 0.2 || p.MeanPSNR() != 25 {
		t.Errorf("means %g, %g; want 0.2, 25", p.MeanL1(), p.MeanPSNR())
	}
}
