package serve

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// task is one image on its way through the generator.
type task struct {
	ctx     context.Context
	in      Input
	dropout bool
	out     Output
	err     error
	done    chan struct{}
}

// errClosed answers requests that arrive while the server shuts down.
var errClosed = errors.New("the server is shutting down")

// submit hands t to the batcher. The channel has room for every admitted
// image, so this never blocks.
func (s *Server) submit(t *task) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	s.tasks <- t
	return nil
}

// generate runs one decoded image through the batcher and waits for its
// output or the request's deadline.
func (s *Server) generate(ctx context.Context, in Input, dropout bool) (Output, error) {
	t := &task{ctx: ctx, in: in, dropout: dropout, done: make(chan struct{})}
	if err := s.submit(t); err != nil {
		return nil, err
	}
	select {
	case <-t.done:
		return t.out, t.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// batchLoop gathers tasks into batches of up to MaxBatch, waiting at most
// MaxWait after the first, and runs each; it ends when tasks is closed and
// drained. Config.Runs loops share tasks.
func (s *Server) batchLoop() {
	for {
		first, ok := <-s.tasks
		if !ok {
			return
		}
		batch := []*task{first}
		timer := time.NewTimer(s.cfg.MaxWait)
	collect:
		for len(batch) < s.cfg.MaxBatch {
			select {
			case t, ok := <-s.tasks:
				if !ok {
					break collect
				}
				batch = append(batch, t)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		s.runBatch(batch)
	}
}

// runBatch skips tasks whose request has gone, then runs the rest, one
// generator run per dropout setting.
func (s *Server) runBatch(batch []*task) {
	var groups [2][]*task
	for _, t := range batch {
		if err := t.ctx.Err(); err != nil {
			t.err = err
			close(t.done)
			continue
		}
		if t.dropout {
			groups[1] = append(groups[1], t)
		} else {
			groups[0] = append(groups[0], t)
		}
	}
	for i, g := range groups {
		if len(g) > 0 {
			s.runGroup(g, i == 1)
		}
	}
}

func (s *Server) runGroup(g []*task, dropout bool) {
	ins := make([]Input, len(g))
	for i, t := range g {
		ins[i] = t.in
	}
	start := time.Now()
	outs, err := s.safeGenerate(ins, dropout)
	s.metrics.observeBatch(len(g), time.Since(start))
	if err == nil && len(outs) != len(g) {
		err = fmt.Errorf("generator returned %d outputs for %d inputs", len(outs), len(g))
	}
	for i, t := range g {
		if err != nil {
			t.err = &generatorError{err}
		} else {
			t.out = outs[i]
		}
		close(t.done)
	}
}

// safeGenerate keeps a panic in the model from taking the process down.
func (s *Server) safeGenerate(ins []Input, dropout bool) (outs []Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("generator panicked: %v", r)
		}
	}()
	return s.model.Generate(ins, dropout)
}

// generatorError is a failure of the generator run, not of the request.
type generatorError struct{ err error }

func (e *generatorError) Error() string { return e.err.Error() }
func (e *generatorError) Unwrap() error { return e.err }
