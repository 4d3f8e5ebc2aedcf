package infer

import "sync"

// decodeInOrder decodes paths with workers goroutines and delivers the
// decoded images in the order of paths (a failed decode is reported and
// left out). Batches are formed in that order, so which images share a
// batch (and so the dropout masks of a batch of several, keyed by its
// first image's name) are the same on every run over the same inputs,
// whichever decoder finishes first. At
// most window images are taken on ahead of the next one due: the one
// every later image waits for is always among them, so a slow decode
// holds the others back without blocking them for good.
func (j *job) decodeInOrder(paths <-chan string, workers, window int) <-chan *item {
	type task struct {
		i    int
		path string
	}
	type slot struct {
		i  int
		it *item // nil: the decode failed
	}
	tasks := make(chan task)
	done := make(chan slot, window)
	tokens := make(chan struct{}, window)
	go func() {
		defer close(tasks)
		i := 0
		for p := range paths {
			tokens <- struct{}{}
			tasks <- task{i, p}
			i++
		}
	}()
	var dec sync.WaitGroup
	for w := 0; w < workers; w++ {
		dec.Add(1)
		go func() {
			defer dec.Done()
			for t := range tasks {
				it, err := j.decode(t.path)
				if err != nil {
					j.fail(t.path, err)
					it = nil
				}
				done <- slot{t.i, it}
			}
		}()
	}
	go func() { dec.Wait(); close(done) }()
	out := make(chan *item, window)
	go func() {
		defer close(out)
		pending := map[int]*item{}
		next := 0
		for s := range done {
			pending[s.i] = s.it
			for {
				it, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if it != nil {
					out <- it
				}
				<-tokens
			}
		}
	}()
	return out
}
