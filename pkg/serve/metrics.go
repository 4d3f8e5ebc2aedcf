package serve

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series, on a registry of its own
// (so that two servers in one process, as in tests, do not collide).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	batchSize prometheus.Histogram
	genTime   prometheus.Histogram
	queue     prometheus.Gauge
	rejected  prometheus.Counter
}

func newMetrics(maxBatch int) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pix2pix_requests_total", Help: "HTTP requests answered, by route and status code.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pix2pix_request_duration_seconds", Help: "Time from a request's arrival to its answer, by route.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
	}, []string{"route"})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "pix2pix_batch_size", Help: "Images per generator run.",
		Buckets: prometheus.LinearBuckets(1, 1, maxBatch),
	})
	m.genTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "pix2pix_generator_seconds", Help: "Time of one generator run (one batch).",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
	})
	m.queue = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pix2pix_queue_depth", Help: "Images admitted and not yet answered (decoding, waiting, generating, encoding).",
	})
	m.rejected = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pix2pix_rejected_full_total", Help: "Requests refused with 503 because the queue was full (--max-queue).",
	})
	m.reg.MustRegister(m.requests, m.latency, m.batchSize, m.genTime, m.queue, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) observeBatch(n int, d time.Duration) {
	m.batchSize.Observe(float64(n))
	m.genTime.Observe(d.Seconds())
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// instrument counts and times a route, and turns a panic in a handler
// into a 500 instead of a dropped connection.
func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if sw.code == 0 {
					http.Error(sw, "internal error: the request could not be processed", http.StatusInternalServerError)
				}
			}
			if sw.code == 0 {
				sw.code = http.StatusOK
			}
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
			s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		h(sw, r)
	})
}
