package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/checkpoint"
)

// TestCollapseDetector: a run whose generator cannot learn (both loss
// weights 0, so its gradient is 0 and Adam leaves it as initialised)
// lets the discriminator win; the detector says so once, and
// --stop-on-collapse saves and exits with code 4. A normal tiny run stays
// silent.
func TestCollapseDetector(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "data", "synth", "--output_dir", data, "--count", "4", "--seed", "2")
	normal := filepath.Join(t.TempDir(), "normal")
	log := mustRun(t, small(data, normal, "--max_steps", "40", "--summary_freq", "5")...)
	if strings.Contains(log, "warning:") {
		t.Errorf("a normal run warned:\n%s", log)
	}
	won := filepath.Join(t.TempDir(), "won")
	log, err := run(t, small(data, won, "--max_steps", "300", "--summary_freq", "5", "--save_freq", "0",
		"--gan_weight", "0", "--l1_weight", "0", "--lr", "0.002", "--stop-on-collapse")...)
	ec, ok := err.(cli.ExitCoder)
	if !ok || ec.ExitCode() != exitCollapsed {
		t.Fatalf("forced collapse: error %v, want exit code %d\n%s", err, exitCollapsed, log)
	}
	if n := strings.Count(log, "warning: the discriminator has won"); n != 1 {
		t.Errorf("%d collapse warnings, want 1:\n%s", n, log)
	}
	for _, want := range []string{"--ndf", "--discrim-norm none", "--gen-steps 2", "--label-smoothing", "--discrim-lr"} {
		if !strings.Contains(log, want) {
			t.Errorf("the warning does not name the remedy %s", want)
		}
	}
	st, serr := checkpoint.ReadState(won)
	if serr != nil {
		t.Fatalf("no checkpoint after --stop-on-collapse: %v", serr)
	}
	t.Logf("%s; saved %s", firstLine(log, "warning:"), st.ModelCheckpointPath)
}

func firstLine(log, prefix string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
