package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

// loadResult is one request of a load run.
type loadResult struct {
	code       int
	retryAfter string
	took       time.Duration
	err        error
}

// burst sends n requests from `clients` goroutines at once, each on its
// own connection, and returns every answer.
func burst(s *served, clients, n int, body []byte) []loadResult {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	res := make([]loadResult, n)
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				resp, err := c.Post(s.url+"v1/translate", "image/png", bytes.NewReader(body))
				r := loadResult{err: err}
				if err == nil {
					_, r.err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					r.code, r.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
				}
				r.took = time.Since(start)
				res[i] = r
			}
		}()
	}
	wg.Wait()
	return res
}

func tally(res []loadResult) (codes map[int]int, failed int, slowest time.Duration) {
	codes = map[int]int{}
	for _, r := range res {
		if r.err != nil {
			failed++
		} else {
			codes[r.code]++
		}
		slowest = max(slowest, r.took)
	}
	return codes, failed, slowest
}

// TestServeLoad: 16 concurrent clients send 64 requests, within the
// queue: all 64 answered 200, peak memory bounded. With --max-queue 2 a
// burst of 16 at once: the excess gets 503 with Retry-After at once, the
// admitted get 200, and nothing hangs.
func TestServeLoad(t *testing.T) {
	model, _ := trainedModel(t)
	body := patternPNG(t, 512, 512, 5)
	s := startServe(t, model)
	start := time.Now()
	res := burst(s, 16, 64, body)
	codes, failed, slowest := tally(res)
	took := time.Since(start)
	rss := s.peakRSS(t)
	t.Logf("16 clients, 64 requests: %v in %.1f s (%.1f images/s), slowest %.2f s, %d transport errors; server peak RSS %.0f MiB",
		codes, took.Seconds(), 64/took.Seconds(), slowest.Seconds(), failed, rss)
	if failed > 0 || codes[200] != 64 {
		t.Fatalf("below capacity every request must succeed: %v, %d transport errors", codes, failed)
	}
	if rss > 1024 {
		t.Fatalf("peak RSS %.0f MiB: over 1 GiB for a 4-filter model", rss)
	}

	low := startServe(t, model, "--max-queue", "2", "--max-batch", "2")
	res = burst(low, 16, 16, body)
	codes, failed, slowest = tally(res)
	var refused []time.Duration
	for _, r := range res {
		if r.err == nil && r.code == 503 {
			refused = append(refused, r.took)
			if r.retryAfter == "" {
				t.Error("a 503 came without Retry-After")
			}
		}
	}
	sort.Slice(refused, func(i, j int) bool { return refused[i] < refused[j] })
	t.Logf("--max-queue 2, 16 at once: %v, %d transport errors, slowest %.2f s", codes, failed, slowest.Seconds())
	if len(refused) > 0 {
		t.Logf("503s answered in %.0f ms (median), %.0f ms (slowest)", ms(refused[len(refused)/2]), ms(refused[len(refused)-1]))
	}
	if failed > 0 || codes[200]+codes[503] != 16 || codes[200] < 2 || codes[503] < 1 {
		t.Fatalf("want 200s for the admitted and 503s for the rest: %v, %d transport errors", codes, failed)
	}
	if refused[len(refused)-1] > 2*time.Second {
		t.Fatalf("a refusal took %v: it should be at once", refused[len(refused)-1])
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestServeGracefulShutdown: SIGTERM during a burst of 16 requests: every
// request the server accepted is answered 200, later connections are
// refused, and the process exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	model, _ := trainedModel(t)
	body := patternPNG(t, 768, 768, 7)
	s := startServe(t, model, "--max-batch", "2", "--max-wait", "20ms")
	done := make(chan []loadResult)
	go func() { done <- burst(s, 16, 16, body) }()
	deadline := time.Now().Add(20 * time.Second)
	for s.metric(t, "pix2pix_queue_depth") < 8 {
		if time.Now().After(deadline) {
			t.Fatal("the burst never filled the queue to 8")
		}
		time.Sleep(5 * time.Millisecond)
	}
	inFlight := s.metric(t, "pix2pix_queue_depth")
	err := s.terminate(t, 60*time.Second)
	res := <-done
	codes, failed, _ := tally(res)
	t.Logf("SIGTERM with %v images in the queue: answers %v, %d connections not accepted", inFlight, codes, failed)
	if err != nil {
		t.Fatalf("exit: %v\n%s", err, s.output())
	}
	if len(codes) != 1 || codes[200] < int(inFlight) {
		t.Fatalf("every accepted request must get 200: %v", codes)
	}
	for _, r := range res {
		if r.err != nil && !errors.Is(r.err, syscall.ECONNREFUSED) && !errors.Is(r.err, syscall.ECONNRESET) {
			t.Errorf("a request failed other than by a refused connection: %v", r.err)
		}
	}
	if _, err := http.Get(s.url + "healthz"); err == nil {
		t.Fatal("the server still accepts connections after exiting")
	}
}
