package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// Config holds the server's limits and batching.
type Config struct {
	// MaxBatch images at most per generator run; MaxWait is how long the
	// first image of a batch waits for more.
	MaxBatch int
	MaxWait  time.Duration
	// MaxQueue images at most admitted (decoding, waiting, generating or
	// encoding) at once; over it a request gets 503 at once.
	MaxQueue int
	// MaxBytes is the largest request body; MaxPixels the largest image,
	// read from its header before it is decoded.
	MaxBytes  int64
	MaxPixels int64
	// Timeout bounds a request from its arrival to its answer.
	Timeout time.Duration
	// Workers decode and encode at once (0: one per core).
	Workers int
	// Runs is how many generator runs (batches) go at once (0: 1). One
	// gives a lone request the lowest latency (its run has every core);
	// on the CPU, two with the cores divided between them
	// (infer.SplitCores) answer more images per second under load.
	Runs int
}

// DefaultConfig is the command's defaults.
func DefaultConfig() Config {
	return Config{MaxBatch: 8, MaxWait: 5 * time.Millisecond, MaxQueue: 64, MaxBytes: 32 << 20,
		MaxPixels: 16 << 20, Timeout: 30 * time.Second}
}

// Validate names the first bad setting.
func (c Config) Validate() error {
	switch {
	case c.MaxBatch < 1:
		return fmt.Errorf("--max-batch must be >= 1 (got %d)", c.MaxBatch)
	case c.MaxWait < 0:
		return fmt.Errorf("--max-wait must be >= 0 (got %v)", c.MaxWait)
	case c.MaxQueue < 1:
		return fmt.Errorf("--max-queue must be >= 1 (got %d)", c.MaxQueue)
	case c.MaxBytes < 1:
		return fmt.Errorf("--max-bytes must be >= 1 (got %d)", c.MaxBytes)
	case c.MaxPixels < 1:
		return fmt.Errorf("--max-pixels must be >= 1 (got %d)", c.MaxPixels)
	case c.Timeout <= 0:
		return fmt.Errorf("--timeout must be > 0 (got %v)", c.Timeout)
	case c.Workers < 0:
		return fmt.Errorf("--workers must be >= 0 (got %d)", c.Workers)
	case c.Runs < 0:
		return fmt.Errorf("--in-flight must be >= 0 (got %d)", c.Runs)
	}
	return nil
}

// Server answers HTTP requests with a Model.
type Server struct {
	cfg     Config
	model   Model
	info    ModelInfo
	slots   chan struct{} // admission: one per image in the system
	codec   chan struct{} // decode and encode concurrency
	tasks   chan *task
	stopped chan struct{}
	mu      sync.RWMutex // guards closed against sends on tasks
	closed  bool
	metrics *metrics
}

// New starts the batchers for m (Config.Runs of them, taking batches
// from one queue). Close stops them.
func New(m Model, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.NumCPU()
	}
	s := &Server{cfg: cfg, model: m, info: m.Info(),
		slots:   make(chan struct{}, cfg.MaxQueue),
		codec:   make(chan struct{}, cfg.Workers),
		tasks:   make(chan *task, cfg.MaxQueue),
		stopped: make(chan struct{}),
		metrics: newMetrics(cfg.MaxBatch),
	}
	var loops sync.WaitGroup
	for range max(1, cfg.Runs) {
		loops.Add(1)
		go func() {
			defer loops.Done()
			s.batchLoop()
		}()
	}
	go func() {
		loops.Wait()
		close(s.stopped)
	}()
	return s, nil
}

// Handler routes the API, the metrics and the page.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/translate", s.instrument("translate", s.translate))
	mux.Handle("POST /v1/models/pix2pix:predict", s.instrument("predict", s.predict))
	mux.Handle("GET /v1/model", s.instrument("model", s.modelInfo))
	mux.Handle("GET /healthz", s.instrument("healthz", s.healthz))
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.Handle("GET /{$}", s.instrument("page", servePage))
	return mux
}

// HTTPServer is an http.Server for the handler with timeouts that keep a
// slow or stalled client from holding a connection.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{Addr: addr, Handler: s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.Timeout,
		WriteTimeout:      s.cfg.Timeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Close stops the batcher once the HTTP server has finished its requests
// (http.Server.Shutdown); requests arriving later get 503.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.tasks)
	}
	s.mu.Unlock()
	<-s.stopped
}

// Serve runs hs on ln until ctx is done, then shuts down gracefully: the
// listener closes, requests in flight are answered (within grace), and
// the batcher stops.
func (s *Server) Serve(ctx context.Context, hs *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	s.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err != nil {
		return fmt.Errorf("shutdown: requests still running after %v: %w", grace, err)
	}
	return nil
}
