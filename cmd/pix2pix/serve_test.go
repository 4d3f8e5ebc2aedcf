package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestServeAPI starts one server on a tiny model and checks the API:
// outputs equal infer's, an image's answer does not depend on its
// batch-mates, the original's two clients work unchanged, and every bad
// input of the corpus gets a 4xx that names the problem while the server
// keeps serving.
func TestServeAPI(t *testing.T) {
	model, data := trainedModel(t)
	dir := halves(t, data)
	odd := image.NewRGBA(image.Rect(0, 0, 300, 200)) // scaled to 256 and back
	draw.Draw(odd, odd.Bounds(), readPNG(t, filepath.Join(dir, "01.png")), image.Point{}, draw.Src)
	writePNG(t, filepath.Join(dir, "odd.png"), odd)
	// One batcher, so that eight requests sent at once form one batch of
	// 8 (BatchMatesDoNotMatter); TestServeRunsInFlight covers two.
	s := startServe(t, model, "--in-flight", "1", "--max-wait", "200ms", "--max-pixels", "1000000", "--max-bytes", "3000000")
	t.Run("EqualsInfer", func(t *testing.T) { serveEqualsInfer(t, s, model, dir) })
	t.Run("BatchMatesDoNotMatter", func(t *testing.T) { serveIgnoresBatching(t, s, dir) })
	t.Run("OriginalClients", func(t *testing.T) { serveOriginalClients(t, s) })
	t.Run("BadInput", func(t *testing.T) { serveBadInput(t, s, filepath.Join(dir, "03.png")) })
	if !s.running() {
		t.Fatalf("the server exited:\n%s", s.output())
	}
}

// serveEqualsInfer: POST /v1/translate gives pix2pix infer
// --no-test-dropout's output within 1/255, at the input's size.
func serveEqualsInfer(t *testing.T, s *served, model, dir string) {
	out := filepath.Join(t.TempDir(), "infer")
	mustRun(t, "infer", "--model", model, "--output_dir", out, "--no-test-dropout", dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	worst := 0
	for _, f := range files {
		body, _ := os.ReadFile(f)
		code, got, _ := s.post(t, "/v1/translate", "image/png", body)
		if code != 200 {
			t.Fatalf("%s: status %d: %s", f, code, got)
		}
		d := maxPixelDiff(t, decodePNG(t, got), readPNG(t, filepath.Join(out, filepath.Base(f))))
		worst = max(worst, d)
	}
	t.Logf("%d images: served output vs infer's: max difference %d/255", len(files), worst)
	if worst > 1 {
		t.Fatalf("served outputs differ from infer's by up to %d/255 (want <= 1)", worst)
	}
}

// serveIgnoresBatching: one image alone, then inside a full batch of 8
// (seven other images sent at the same moment), gives identical bytes;
// the batch-size histogram shows the batch of 8 happened.
func serveIgnoresBatching(t *testing.T, s *served, dir string) {
	target, _ := os.ReadFile(filepath.Join(dir, "01.png"))
	code, alone, _ := s.post(t, "/v1/translate", "image/png", target)
	if code != 200 {
		t.Fatalf("status %d: %s", code, alone)
	}
	before := s.metric(t, `pix2pix_batch_size_bucket{le="7"}`)
	beforeCount := s.metric(t, "pix2pix_batch_size_count")
	answers := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range answers {
		body := target
		if i > 0 {
			body = patternPNG(t, 256, 256, i)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, got, _ := s.post(t, "/v1/translate", "image/png", body)
			if code != 200 {
				t.Errorf("request %d: status %d: %s", i, code, got)
			}
			answers[i] = got
		}()
	}
	wg.Wait()
	small := s.metric(t, `pix2pix_batch_size_bucket{le="7"}`) - before
	batches := s.metric(t, "pix2pix_batch_size_count") - beforeCount
	t.Logf("8 concurrent requests ran in %v generator runs (%v of them under 8 images)", batches, small)
	if batches != 1 || small != 0 {
		t.Fatalf("the 8 requests were not one batch of 8 (%v runs, %v under 8): the test proves nothing", batches, small)
	}
	if !bytes.Equal(alone, answers[0]) {
		t.Fatal("the same image gave different bytes alone and inside a batch of 8")
	}
	// ?dropout=1 is test-time noise: each request draws its own masks, so
	// the same image twice gives two different answers.
	var noisy [2][]byte
	for i := range noisy {
		code, got, _ := s.post(t, "/v1/translate?dropout=1", "image/png", target)
		if code != 200 {
			t.Fatalf("dropout=1: status %d: %s", code, got)
		}
		noisy[i] = got
	}
	t.Logf("dropout=1 vs default: max difference %d/255; two dropout=1 answers: %d/255",
		maxPixelDiff(t, decodePNG(t, noisy[0]), decodePNG(t, alone)), maxPixelDiff(t, decodePNG(t, noisy[0]), decodePNG(t, noisy[1])))
	if bytes.Equal(noisy[0], noisy[1]) {
		t.Error("two ?dropout=1 answers for the same image are identical: the masks are not drawn afresh per request")
	}
}

// serveOriginalClients: server/tools/process-remote.py posts raw PNG bytes
// with urllib's default form content type and reads PNG bytes back;
// server/process-cloud.py posts the predict JSON with web-safe base64.
func serveOriginalClients(t *testing.T, s *served) {
	body := patternPNG(t, 256, 256, 1)
	for seed := 2; len(body)%3 == 0; seed++ { // base64 with padding to strip
		body = patternPNG(t, 256, 256, seed)
	}
	code, raw, hdr := s.post(t, "/v1/translate", "application/x-www-form-urlencoded", body)
	if code != 200 || hdr.Get("Content-Type") != "image/png" {
		t.Fatalf("form content type: status %d, %s: %.200s", code, hdr.Get("Content-Type"), raw)
	}
	if b := decodePNG(t, raw).Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("output is %v, want the input's 256x256", b)
	}
	padded := base64.URLEncoding.EncodeToString(body)
	unpadded := base64.RawURLEncoding.EncodeToString(body)
	if padded == unpadded {
		t.Fatal("the test image's base64 needs no padding: the test proves nothing")
	}
	req, _ := json.Marshal(map[string]any{"instances": []map[string]string{
		{"input": padded, "key": "0"}, {"input": unpadded, "key": "1"}}})
	code, ans, _ := s.post(t, "/v1/models/pix2pix:predict", "application/json", req)
	if code != 200 {
		t.Fatalf("predict: status %d: %s", code, ans)
	}
	var res struct {
		Predictions []struct{ Output, Key string } `json:"predictions"`
	}
	if err := json.Unmarshal(ans, &res); err != nil || len(res.Predictions) != 2 {
		t.Fatalf("predict answer: %v: %.300s", err, ans)
	}
	for i, p := range res.Predictions {
		out, err := base64.URLEncoding.DecodeString(p.Output)
		if err != nil {
			t.Fatalf("prediction %d: not padded web-safe base64: %v", i, err)
		}
		if p.Key != string(rune('0'+i)) || !bytes.Equal(out, raw) {
			t.Fatalf("prediction %d: key %q, output equal to translate's: %v", i, p.Key, bytes.Equal(out, raw))
		}
	}
}
