package serve

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// writeText answers an error as plain text (the translate route, whose
// success is image bytes).
func (s *Server) writeText(w http.ResponseWriter, err error) {
	code, msg := s.statusOf(err)
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	http.Error(w, msg, code)
}

// writeJSON answers v as JSON with code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // messages quote <...>; this is not HTML
	_ = enc.Encode(v)        // the client may have gone; nothing to do
}

// writeJSONError answers {"error": ...}, the predict contract's form.
func (s *Server) writeJSONError(w http.ResponseWriter, err error) {
	code, msg := s.statusOf(err)
	if code == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

// translateOptions reads ?size= and ?format=.
func translateOptions(r *http.Request) (EncodeOptions, error) {
	var eo EncodeOptions
	q := r.URL.Query()
	switch q.Get("size") {
	case "":
	case "256":
		eo.Keep256 = true
	default:
		return eo, badRequest("size=%q: the only size is 256 (the generator's); leave it out for the input's size", q.Get("size"))
	}
	switch strings.ToLower(q.Get("format")) {
	case "", "png":
	case "jpeg", "jpg":
		eo.JPEG = true
	default:
		return eo, badRequest("format=%q: want png or jpeg", q.Get("format"))
	}
	return eo, nil
}

// translate: image bytes in (format read from the bytes, whatever the
// Content-Type says), image bytes out.
func (s *Server) translate(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	out, err := s.translateRequest(ctx, w, r)
	if err != nil {
		s.writeText(w, err)
		return
	}
	eo, _ := translateOptions(r)
	ct := "image/png"
	if eo.JPEG {
		ct = "image/jpeg"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out) // the client may have gone; nothing to do
}

func (s *Server) translateRequest(ctx context.Context, w http.ResponseWriter, r *http.Request) ([]byte, error) {
	eo, err := translateOptions(r)
	if err != nil {
		return nil, err
	}
	dropout, err := s.dropoutParam(r)
	if err != nil {
		return nil, err
	}
	data, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	if err := s.checkImage(data); err != nil {
		return nil, err
	}
	release, err := s.admit(1)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.translateOne(ctx, data, dropout, eo)
}

type predictRequest struct {
	Instances []struct {
		Input json.RawMessage `json:"input"`
		Key   json.RawMessage `json:"key,omitempty"`
	} `json:"instances"`
}

type prediction struct {
	Output string          `json:"output"`
	Key    json.RawMessage `json:"key,omitempty"`
}

// predict is the Cloud ML / TensorFlow Serving contract of the original's
// export: web-safe base64 PNGs in and out, a key passed through.
func (s *Server) predict(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	preds, err := s.predictRequest(ctx, w, r)
	if err != nil {
		s.writeJSONError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]prediction{"predictions": preds})
}

func (s *Server) predictRequest(ctx context.Context, w http.ResponseWriter, r *http.Request) ([]prediction, error) {
	dropout, err := s.dropoutParam(r)
	if err != nil {
		return nil, err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	var req predictRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, badRequest("malformed JSON: %v; want {\"instances\": [{\"input\": <web-safe base64 PNG>, \"key\": \"0\"}]}", err)
	}
	if len(req.Instances) == 0 {
		return nil, badRequest("no instances: want {\"instances\": [{\"input\": <web-safe base64 PNG>, \"key\": \"0\"}]}")
	}
	images := make([][]byte, len(req.Instances))
	for i, in := range req.Instances {
		if images[i], err = decodeInput(in.Input); err != nil {
			return nil, badRequest("instances[%d].input: %v", i, err)
		}
		if err := s.checkImage(images[i]); err != nil {
			code, msg := s.statusOf(err)
			return nil, &httpError{code, fmt.Sprintf("instances[%d].input: %s", i, msg)}
		}
	}
	release, err := s.admit(len(images))
	if err != nil {
		return nil, err
	}
	defer release()
	return s.predictAll(ctx, images, req, dropout)
}

// predictAll translates every instance at once, so they share batches.
func (s *Server) predictAll(ctx context.Context, images [][]byte, req predictRequest, dropout bool) ([]prediction, error) {
	preds := make([]prediction, len(images))
	errs := make([]error, len(images))
	var wg sync.WaitGroup
	for i := range images {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.translateOne(ctx, images[i], dropout, EncodeOptions{})
			preds[i] = prediction{Output: base64.URLEncoding.EncodeToString(out), Key: req.Instances[i].Key}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			code, msg := s.statusOf(err)
			return nil, &httpError{code, fmt.Sprintf("instances[%d]: %s", i, msg)}
		}
	}
	return preds, nil
}

// decodeInput reads an instance's input: a web-safe base64 string,
// padded or not (the original's export), or TensorFlow Serving's
// {"b64": standard base64}.
func decodeInput(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("missing: each instance needs an \"input\"")
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		var obj struct {
			B64 *string `json:"b64"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil || obj.B64 == nil {
			return nil, fmt.Errorf("want a web-safe base64 string or {\"b64\": ...}")
		}
		str = *obj.B64
	}
	str = strings.TrimRight(strings.NewReplacer("+", "-", "/", "_", "\n", "", "\r", "").Replace(str), "=")
	data, err := base64.RawURLEncoding.DecodeString(str)
	if err != nil {
		return nil, fmt.Errorf("bad base64: %v", err)
	}
	return data, nil
}

// healthz is ready once the model is loaded (the server exists only then)
// and until shutdown begins.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

func (s *Server) modelInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"model": s.info,
		"limits": map[string]any{"max_bytes": s.cfg.MaxBytes, "max_pixels": s.cfg.MaxPixels, "max_queue": s.cfg.MaxQueue,
			"max_batch": s.cfg.MaxBatch, "timeout_seconds": s.cfg.Timeout.Seconds()}})
}
