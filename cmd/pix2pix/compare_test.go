package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCompareOriginalAndPix2pix: compare reads a run of the reference
// harness's original-style loop (its event file only, no options.json,
// no losses.csv, no health scalars) next to a pix2pix run, and the page
// renders in headless Chromium with the curves drawn and no console
// errors.
func TestCompareOriginalAndPix2pix(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "data", "synth", "--output_dir", data, "--count", "4", "--seed", "2")
	ours := filepath.Join(t.TempDir(), "ours")
	mustRun(t, small(data, ours, "--max_steps", "10", "--summary_freq", "2", "--save_freq", "10")...)
	orig := filepath.Join(t.TempDir(), "original")
	refHarness(t, "train", "--input_dir", data, "--output_dir", orig, "--max_steps", "10", "--summary_freq", "2",
		"--ngf", "4", "--ndf", "4", "--seed", "3")
	out := filepath.Join(t.TempDir(), "cmp")
	log := mustRun(t, "compare", "--output_dir", out, "--input_dir", data, ours, orig)
	page, err := os.ReadFile(filepath.Join(out, "compare.html"))
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	html := string(page)
	for _, want := range []string{`<td class="num">10</td>`, "n/a (no D(fake) logged)", "no checkpoint to evaluate",
		`href="test/ours/report.html"`, `id="plot-discriminator-loss-1"`, `id="plot-health-d-fake"`} {
		if !strings.Contains(html, want) {
			t.Errorf("compare.html lacks %q", want)
		}
	}
	if n := strings.Count(html, `<td class="num">10</td>`); n != 2 {
		t.Errorf("%d runs show 10 steps, want both", n)
	}
	// Both runs draw the loss curves; only ours the health signals.
	loss := regexp.MustCompile(`(?s)id="plot-discriminator-loss-1".*?</svg>`).FindString(html)
	if !strings.Contains(loss, `class="run-0"`) || !strings.Contains(loss, `class="run-1"`) {
		t.Errorf("the discriminator loss plot lacks a run's curve")
	}
	dfake := regexp.MustCompile(`(?s)id="plot-health-d-fake".*?</svg>`).FindString(html)
	if !strings.Contains(dfake, `class="run-0"`) || strings.Contains(dfake, `class="run-1"`) || !strings.Contains(dfake, "original (not logged)") {
		t.Errorf("the D(fake) plot should have our curve only, the original marked not logged")
	}
	renderCompare(t, filepath.Join(out, "compare.html"))
}

// renderCompare opens the page in headless Chromium: no console errors,
// every curve drawn with a length, and a screenshot that is not blank.
func renderCompare(t *testing.T, path string) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: scripts/setup-chromium.sh (make setup) installs it")
		}
		t.Skip("chromium is not installed (scripts/setup-chromium.sh)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.WindowSize(1000, 1400), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	problems := consoleProblems(bctx)
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll("svg.curve")].map(s =>
		[...s.querySelectorAll("polyline")].reduce((a, p) => a + p.getTotalLength(), 0))`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(filepath.Dir(path), "screenshot.png"), shot, 0o644)
	colours := distinctColours(t, shot)
	t.Logf("Chromium: %d plots, curve lengths %v px; screenshot %d distinct colours", len(drawn), drawn, colours)
	if len(drawn) < 6 {
		t.Errorf("%d plots drawn, want the 3 losses and at least 3 health signals", len(drawn))
	}
	for i, l := range drawn {
		if l < 50 {
			t.Errorf("plot %d: its curves are %.0f px long: not drawn", i, l)
		}
	}
	if colours < 8 {
		t.Errorf("the screenshot is blank (%d colours)", colours)
	}
	cancel()
	if p := problems(); len(p) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p, "\n"))
	}
}

func distinctColours(t *testing.T, shot []byte) int {
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}
