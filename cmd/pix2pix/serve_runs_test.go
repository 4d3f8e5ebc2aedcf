package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestServeRunsInFlight: with --in-flight 2 (two generator runs at once,
// the cores divided between them) every image gets the bytes it gets
// alone, while eight requests arrive at once and run as several batches;
// a negative count is a usage error (the bad-input corpus).
func TestServeRunsInFlight(t *testing.T) {
	model, data := trainedModel(t)
	dir := halves(t, data)
	s := startServe(t, model, "--in-flight", "2", "--max-batch", "2", "--max-wait", "20ms")
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	bodies := make([][]byte, len(files))
	alone := make([][]byte, len(files))
	for i, f := range files {
		bodies[i], _ = os.ReadFile(f)
		code, got, _ := s.post(t, "/v1/translate", "image/png", bodies[i])
		if code != 200 {
			t.Fatalf("%s alone: status %d: %s", f, code, got)
		}
		alone[i] = got
	}
	before := s.metric(t, "pix2pix_batch_size_count")
	const n = 8
	answers := make([][]byte, n)
	var wg sync.WaitGroup
	for k := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, got, _ := s.post(t, "/v1/translate", "image/png", bodies[k%len(bodies)])
			if code != 200 {
				t.Errorf("request %d: status %d: %s", k, code, got)
			}
			answers[k] = got
		}()
	}
	wg.Wait()
	runs := s.metric(t, "pix2pix_batch_size_count") - before
	t.Logf("%d concurrent requests ran in %v generator runs of at most 2", n, runs)
	if runs < n/2 {
		t.Fatalf("%d requests in %v runs of at most 2 images", n, runs)
	}
	for k, got := range answers {
		if !bytes.Equal(got, alone[k%len(bodies)]) {
			t.Errorf("request %d (%s): different bytes than the image alone", k, filepath.Base(files[k%len(files)]))
		}
	}
	if !s.running() {
		t.Fatalf("the server exited:\n%s", s.output())
	}
}
