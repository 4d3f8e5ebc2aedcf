package main

import (
	"bytes"
	"encoding/base64"
	"image"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// serveBadCase is one request of the bad-input corpus and what its answer
// must say.
type serveBadCase struct {
	name, path string
	body       []byte
	code       int
	says       string
}

func predictBody(input string) []byte {
	return []byte(`{"instances": [{"input": "` + input + `", "key": "0"}]}`)
}

// serveBadCases is the corpus, for a server with --max-pixels 1000000 and
// --max-bytes 3000000.
func serveBadCases(t *testing.T, good []byte) []serveBadCase {
	// 1200x1200 of one colour: a few kB of PNG, 1.44 M pixels decoded.
	bomb := pngBytes(t, image.NewGray(image.Rect(0, 0, 1200, 1200)))
	noise := make([]byte, 3_100_000)
	rand.New(rand.NewSource(1)).Read(noise)
	web := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	return []serveBadCase{
		{"empty body", "/v1/translate", nil, 400, "empty image"},
		{"truncated PNG", "/v1/translate", good[:len(good)/2], 400, "cannot be decoded"},
		{"PNG header claiming 100000x100000", "/v1/translate", hugePNG(100000, 100000), 413, "100000x100000"},
		{"huge but compressible PNG", "/v1/translate", bomb, 413, "--max-pixels"},
		{"non-image bytes", "/v1/translate", []byte("GIF89a is not accepted, nor is this text"), 400, "not a PNG or JPEG"},
		{"oversize body", "/v1/translate", noise, 413, "--max-bytes"},
		{"bad size option", "/v1/translate?size=512", good, 400, "size="},
		{"bad base64", "/v1/models/pix2pix:predict", predictBody("iVBOR*w0K!!"), 400, "bad base64"},
		{"malformed JSON", "/v1/models/pix2pix:predict", []byte(`{"instances": [{"input": `), 400, "malformed JSON"},
		{"no instances", "/v1/models/pix2pix:predict", []byte(`{"instances": []}`), 400, "no instances"},
		{"predict: not an image", "/v1/models/pix2pix:predict", predictBody(web([]byte("hello world"))), 400, "instances[0].input: not a PNG or JPEG"},
		{"predict: huge header", "/v1/models/pix2pix:predict", predictBody(web(hugePNG(100000, 100000))), 413, "--max-pixels"},
		{"predict: oversize body", "/v1/models/pix2pix:predict", predictBody(web(noise)), 413, "--max-bytes"},
	}
}

// serveBadInput sends each bad request, then a good one: each bad one gets
// its 4xx and message, and the good one still gets 200.
func serveBadInput(t *testing.T, s *served, goodPath string) {
	good, _ := os.ReadFile(goodPath)
	for _, c := range serveBadCases(t, good) {
		code, body, _ := s.post(t, c.path, "application/octet-stream", c.body)
		msg := strings.TrimSpace(string(body))
		t.Logf("%-36s -> %d %s", c.name, code, msg)
		if code != c.code || !strings.Contains(msg, c.says) {
			t.Errorf("%s: got %d %q, want %d naming %q", c.name, code, msg, c.code, c.says)
		}
		if strings.Contains(c.path, "predict") && !bytes.HasPrefix(body, []byte(`{"error":`)) {
			t.Errorf("%s: the predict route's error is not {\"error\": ...}: %s", c.name, msg)
		}
		if code, body, _ := s.post(t, "/v1/translate", "image/png", good); code != 200 {
			t.Fatalf("after %s the server no longer serves: %d %s\n%s", c.name, code, body, s.output())
		}
	}
}
