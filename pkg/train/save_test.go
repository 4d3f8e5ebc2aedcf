package train

import (
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pix2pix/graphs/input"
	"pix2pix/graphs/pix2pix"
)

// cancelOn cancels a context when a line it is given contains word.
type cancelOn struct {
	word   string
	cancel func()
	log    strings.Builder
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.log.Write(p)
	if strings.Contains(string(p), c.word) {
		c.cancel()
	}
	return len(p), nil
}

func smallRun(t *testing.T) Options {
	t.Helper()
	data := t.TempDir()
	for i := 0; i < 2; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 512, 256))
		for p := range img.Pix {
			img.Pix[p] = uint8(p*7 + i*31)
			if p%4 == 3 {
				img.Pix[p] = 255 // opaque: the file is RGB
			}
		}
		f, err := os.Create(filepath.Join(data, string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, img)
		f.Close()
	}
	cfg := pix2pix.DefaultConfig()
	cfg.NGF, cfg.NDF, cfg.Seed = 4, 4, 3
	return Options{InputDir: data, OutputDir: filepath.Join(t.TempDir(), "run"), MaxSteps: 2, SaveFreq: 2, MaxToKeep: 1,
		Model: cfg, Input: input.Config{WhichDirection: "AtoB", ScaleSize: 286}, BatchSize: 1, Flip: true}
}

// files returns the file infos of the checkpoint at prefix.
func files(t *testing.T, prefix string) []os.FileInfo {
	t.Helper()
	var out []os.FileInfo
	for _, ext := range []string{".index", ".data-00000-of-00001", ".meta"} {
		fi, err := os.Stat(prefix + ext)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fi)
	}
	return out
}

func untouched(t *testing.T, who string, before, after []os.FileInfo) {
	t.Helper()
	for i := range before {
		if !os.SameFile(before[i], after[i]) || !before[i].ModTime().Equal(after[i].ModTime()) {
			t.Errorf("%s: %s was rewritten", who, before[i].Name())
		}
	}
}

// TestInterruptDoesNotRewriteTheNamedCheckpoint: an interrupt with no
// step since the last save, or since loading, reports that checkpoint
// instead of writing it again in place (a kill during that rewrite could
// leave the checkpoint the state file names unloadable).
func TestInterruptDoesNotRewriteTheNamedCheckpoint(t *testing.T) {
	o := smallRun(t)
	o.MaxSteps = 100
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelOn{word: "saving model", cancel: cancel}
	o.Out = out
	// Interrupted right after the save of step 2: nothing new to save.
	o.SaveFreq = 2
	err := Run(ctx, o)
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "saved model-2") {
		t.Fatalf("first run: %v\n%s", err, out.log.String())
	}
	prefix := filepath.Join(o.OutputDir, "model-2")
	before := files(t, prefix)
	if !strings.Contains(out.log.String(), "interrupted: no step since "+prefix+" was saved") {
		t.Errorf("output:\n%s", out.log.String())
	}

	// Resumed and interrupted before its first step.
	o.Checkpoint = o.OutputDir
	done, stop := context.WithCancel(context.Background())
	stop()
	o.Out = &strings.Builder{}
	err = Run(done, o)
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "saved model-2") {
		t.Fatalf("resumed run: %v", err)
	}
	untouched(t, "interrupted before a step", before, files(t, prefix))
}
