package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"pix2pix/pkg/dataset"
)

// httpError is a failure with the status it is answered with.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

// statusOf maps an error to its status code and message.
func (s *Server) statusOf(err error) (int, string) {
	var he *httpError
	var ge *generatorError
	switch {
	case errors.As(err, &he):
		return he.code, he.msg
	case errors.As(err, &ge):
		return http.StatusInternalServerError, "generator failed: " + ge.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, fmt.Sprintf("timed out after %v (--timeout): the server is overloaded, try again later", s.cfg.Timeout)
	case errors.Is(err, context.Canceled):
		return 499, "the client went away"
	case errors.Is(err, errClosed):
		return http.StatusServiceUnavailable, errClosed.Error()
	}
	return http.StatusInternalServerError, err.Error()
}

// readBody reads at most MaxBytes of the request body.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBytes))
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return nil, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over the limit of %d bytes (--max-bytes)", s.cfg.MaxBytes)}
	}
	if err != nil {
		return nil, badRequest("reading the request body: %v", err)
	}
	return data, nil
}

// checkImage reads an image's header: it must be a PNG or JPEG within
// MaxPixels. Nothing is decoded yet.
func (s *Server) checkImage(data []byte) error {
	_, _, err := dataset.ReadHeader(bytes.NewReader(data), int64(len(data)), s.cfg.MaxPixels)
	var he *dataset.HeaderError
	if !errors.As(err, &he) {
		return err
	}
	switch he.Fault {
	case dataset.Empty:
		return badRequest("empty image: send the bytes of a PNG or JPEG")
	case dataset.NotImage:
		return badRequest("not a PNG or JPEG image (the first bytes are %q)", prefix(data, 8))
	case dataset.Unreadable:
		return badRequest("not a readable PNG or JPEG: %v", he.Err)
	case dataset.NoPixels:
		return badRequest("the image header says %dx%d", he.Width, he.Height)
	}
	return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the image is %dx%d (%d pixels), over the limit of %d pixels (--max-pixels)",
		he.Width, he.Height, int64(he.Width)*int64(he.Height), he.MaxPixels)}
}

func prefix(b []byte, n int) []byte { return b[:min(n, len(b))] }

// admit reserves n places in the queue, or refuses at once.
func (s *Server) admit(n int) (release func(), err error) {
	if n > s.cfg.MaxQueue {
		return nil, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("%d images in one request is over the queue's %d places (--max-queue): send fewer", n, s.cfg.MaxQueue)}
	}
	for i := 0; i < n; i++ {
		select {
		case s.slots <- struct{}{}:
		default:
			s.free(i)
			s.metrics.rejected.Inc()
			return nil, &httpError{http.StatusServiceUnavailable, fmt.Sprintf("busy: the queue is full (%d images, --max-queue); try again in a second", s.cfg.MaxQueue)}
		}
	}
	s.metrics.queue.Set(float64(len(s.slots)))
	return func() { s.free(n) }, nil
}

func (s *Server) free(n int) {
	for i := 0; i < n; i++ {
		<-s.slots
	}
	s.metrics.queue.Set(float64(len(s.slots)))
}

// withCodec runs f on one of the Workers decode/encode places.
func (s *Server) withCodec(ctx context.Context, f func() error) error {
	select {
	case s.codec <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.codec }()
	return f()
}

// translateOne runs one checked image through decode, the batcher and
// encode.
func (s *Server) translateOne(ctx context.Context, data []byte, dropout bool, eo EncodeOptions) ([]byte, error) {
	var in Input
	err := s.withCodec(ctx, func() (err error) {
		in, err = s.model.Decode(data)
		if err != nil {
			return badRequest("the image %v", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := s.generate(ctx, in, dropout)
	if err != nil {
		return nil, err
	}
	var res []byte
	err = s.withCodec(ctx, func() (err error) {
		res, err = s.model.Encode(in, out, eo)
		return err
	})
	return res, err
}

// dropoutParam reads ?dropout=; a model that fixes dropout refuses it.
func (s *Server) dropoutParam(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("dropout")
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("dropout=%q: want 1 or 0", v)
	}
	if on && !s.info.DropoutChoice {
		return false, badRequest("dropout=1: this %s fixed dropout when it was exported; re-export it to change that", s.info.Kind)
	}
	return on, nil
}
