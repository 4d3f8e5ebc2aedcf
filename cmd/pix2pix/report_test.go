package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// checkPage is loaded next to report.html: it loads the report in a frame
// and writes how many images it has, how many failed to load, and whether
// the loss plot is there.
const checkPage = `<!DOCTYPE html><html><body><iframe id="f" src="report.html" width="1200" height="900"></iframe>
<script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, imgs = d.images, bad = 0;
  for (var i = 0; i < imgs.length; i++) if (!(imgs[i].complete && imgs[i].naturalWidth > 0)) bad++;
  var p = document.createElement('pre');
  p.textContent = 'RESULT images=' + imgs.length + ' broken=' + bad + ' plot=' + (d.getElementById('loss-plot') ? 1 : 0);
  document.body.appendChild(p);
};
</script></body></html>`

// TestReportRendersInChromium trains briefly, runs test mode, and renders
// report.html in headless Chromium: every image loads and the loss plot
// is present.
func TestReportRendersInChromium(t *testing.T) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: scripts/setup-chromium.sh (make setup) installs it")
		}
		t.Skip("chromium is not installed (scripts/setup-chromium.sh)")
	}
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "data", "synth", "--output_dir", data, "--count", "4", "--seed", "2")
	model := filepath.Join(t.TempDir(), "model")
	mustRun(t, small(data, model, "--max_steps", "30", "--save_freq", "30")...)
	out := filepath.Join(t.TempDir(), "test")
	log := mustRun(t, "test", "--input_dir", data, "--output_dir", out, "--checkpoint", model)
	if !strings.Contains(log, "wrote report at") {
		t.Fatalf("no report:\n%s", log)
	}
	check := filepath.Join(out, "check.html")
	if err := os.WriteFile(check, []byte(checkPage), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, err := exec.Command(chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
		"--virtual-time-budget=10000", "--dump-dom", "file://"+check).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := regexp.MustCompile(`RESULT images=(\d+) broken=(\d+) plot=(\d)`).FindStringSubmatch(string(dom))
	if m == nil {
		t.Fatalf("the check page did not run:\n%s", dom)
	}
	images, _ := strconv.Atoi(m[1])
	if images != 4*3 || m[2] != "0" || m[3] != "1" {
		t.Errorf("report in Chromium: %d images (want 12), %s failed to load, plot present %s", images, m[2], m[3])
	}
	t.Logf("Chromium: %s", m[0])
}
