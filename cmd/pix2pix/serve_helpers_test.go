package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// served is a running pix2pix serve process.
type served struct {
	cmd  *exec.Cmd
	url  string
	out  *bytes.Buffer // stdout after the first line, and stderr
	mu   sync.Mutex
	done chan struct{}
	err  error
}

var pageURL = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/) `)

// startServe starts pix2pix serve on a free port of 127.0.0.1 and waits
// for the line that prints the page's URL.
func startServe(t *testing.T, model string, extra ...string) *served {
	t.Helper()
	args := append([]string{"serve", "--model", model, "--addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(pix2pixBinary(t), args...)
	s := &served{cmd: cmd, out: &bytes.Buffer{}, done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{s}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		first, _ := r.ReadString('\n')
		lines <- first
		io.Copy(&lockedWriter{s}, r)
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		if s.running() {
			cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case first := <-lines:
		m := pageURL.FindStringSubmatch(first)
		if m == nil {
			cmd.Process.Kill()
			<-s.done
			t.Fatalf("pix2pix serve did not print its URL: %q\n%s", first, s.output())
		}
		s.url = m[1]
	case <-time.After(60 * time.Second):
		t.Fatal("pix2pix serve did not start within 60 s")
	}
	return s
}

type lockedWriter struct{ s *served }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.out.Write(b)
}

func (s *served) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

func (s *served) running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// peakRSS is the process's peak resident memory in MiB (VmHWM).
func (s *served) peakRSS(t *testing.T) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", s.cmd.Process.Pid)
	}
	kb, _ := strconv.ParseFloat(string(m[1]), 64)
	return kb / 1024
}

// terminate sends SIGTERM and waits for the exit.
func (s *served) terminate(t *testing.T, timeout time.Duration) error {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
		return s.err
	case <-time.After(timeout):
		t.Fatalf("pix2pix serve did not exit within %v of SIGTERM\n%s", timeout, s.output())
	}
	return nil
}

var client = &http.Client{Timeout: 60 * time.Second}

// post sends body to path and returns the status, the body and the
// response headers.
func (s *served) post(t *testing.T, path, contentType string, body []byte) (int, []byte, http.Header) {
	t.Helper()
	resp, err := client.Post(s.url+strings.TrimPrefix(path, "/"), contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the answer: %v", path, err)
	}
	return resp.StatusCode, data, resp.Header
}

// metric reads one series' value from GET /metrics (0 when absent).
func (s *served) metric(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := client.Get(s.url + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, _ := strconv.ParseFloat(rest, 64)
			return v
		}
	}
	return 0
}

// pngBytes encodes img.
func pngBytes(t *testing.T, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// patternPNG is a w x h test image, different for each seed.
func patternPNG(t *testing.T, w, h, seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x*seed + y), uint8(y * (seed + 3)), uint8((x ^ y) + seed*40), 255})
		}
	}
	return pngBytes(t, img)
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v (%d bytes: %.80q)", err, len(data), data)
	}
	return img
}
