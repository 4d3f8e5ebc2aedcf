package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestServePageInChromium opens the page in headless Chromium, draws three
// strokes with mouse events, and waits for the output image: it must
// appear, not be blank, and the console must stay free of errors. The
// screenshot is written under the test's temporary directory.
func TestServePageInChromium(t *testing.T) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: scripts/setup-chromium.sh (make setup) installs it")
		}
		t.Skip("chromium is not installed (scripts/setup-chromium.sh)")
	}
	model, _ := trainedModel(t)
	s := startServe(t, model)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.WindowSize(1200, 900), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // starts the browser, without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	problems := consoleProblems(bctx)
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	modelLine, left, top := openPage(t, ctx, s.url)
	if !strings.Contains(modelLine, "ngf 4") || !strings.Contains(modelLine, "direction AtoB") {
		t.Errorf("the page does not show the model's options: %q", modelLine)
	}
	for i, stroke := range [][4]float64{{40, 40, 340, 60}, {60, 300, 320, 120}, {200, 30, 190, 350}} {
		if err := chromedp.Do(ctx, drawStroke(left, top, stroke)); err != nil {
			t.Fatalf("stroke %d: %v", i, err)
		}
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("output").naturalWidth === 256 && document.getElementById("status").className === "ok"`,
		chromedp.WithPollingTimeout(30*time.Second)))
	shot := filepath.Join(t.TempDir(), "page.jpg")
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
		os.WriteFile(shot, png, 0o644)
	}
	if err != nil {
		t.Fatalf("no output appeared: %v (screenshot %s)\n%s", err, shot, s.output())
	}
	spread, err := chromedp.Run(ctx, chromedp.Evaluate[float64](outputSpread))
	if err != nil {
		t.Fatalf("read the output image: %v", err)
	}
	translated := s.metric(t, `pix2pix_requests_total{code="200",route="translate"}`)
	t.Logf("model line %q; 3 strokes -> %v translations; output pixel spread %.0f/255; screenshot %s", modelLine, translated, spread, shot)
	if spread < 8 {
		t.Errorf("the output image is blank (pixel values span %.0f)", spread)
	}
	if translated < 1 {
		t.Error("the page sent no translation")
	}
	cancel()
	if p := problems(); len(p) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p, "\n"))
	}
}

// consoleProblems collects the console's errors and warnings, uncaught
// exceptions and error entries of the browser log; the returned func
// gives those seen so far.
func consoleProblems(ctx context.Context) func() []string {
	var mu sync.Mutex
	var seen []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				mu.Lock()
				seen = append(seen, m.String()+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// openPage loads the page, waits for the model's options, and returns
// them and the canvas's position.
func openPage(t *testing.T, ctx context.Context, url string) (string, float64, float64) {
	err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`document.getElementById("model").textContent.startsWith("Model:")`,
			chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
		return err
	}))
	if err != nil {
		t.Fatalf("open the page: %v", err)
	}
	line, err := chromedp.Run(ctx, chromedp.Text("#model"))
	if err != nil {
		t.Fatal(err)
	}
	pos, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(r => [r.left, r.top])(document.getElementById("canvas").getBoundingClientRect())`))
	if err != nil || len(pos) != 2 {
		t.Fatalf("canvas position: %v %v", pos, err)
	}
	return line, pos[0], pos[1]
}

// outputSpread is the range of the output image's pixel values.
const outputSpread = `(() => {
  const img = document.getElementById("output"), c = document.createElement("canvas");
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext("2d"); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let lo = 255, hi = 0;
  for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) { lo = Math.min(lo, d[i + k]); hi = Math.max(hi, d[i + k]); }
  return hi - lo;
})()`

// drawStroke presses the left button at the stroke's start, moves in 12
// steps to its end and releases, in page coordinates of the canvas.
func drawStroke(left, top float64, s [4]float64) chromedp.Action[chromedp.Void] {
	held := func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }
	at := func(f float64) (float64, float64) { return left + s[0] + f*(s[2]-s[0]), top + s[1] + f*(s[3]-s[1]) }
	x, y := at(0)
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft, held, chromedp.ClickCount(1))}
	for i := 1; i <= 12; i++ {
		x, y = at(float64(i) / 12)
		steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y, chromedp.ButtonLeft, held))
	}
	return chromedp.Steps(append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))...)
}
