package dataset

import (
	"fmt"
	"image"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Failure is a file that failed the check, with the reason.
type Failure struct {
	Path string
	Err  error
}

// progressEvery is how often CheckFiles reports while it runs.
const progressEvery = 5 * time.Second

// CheckFiles checks every path (CheckHeader, then with o.Decode a full
// decode by Go's decoders) on o.Workers goroutines and returns every
// failure, in the order of paths: a run names all bad files at once
// instead of stopping at the first, hours in.
func CheckFiles(paths []string, o CheckOptions) []Failure {
	errs := make([]error, len(paths))
	workers := o.Workers
	if workers < 1 {
		workers = runtime.NumCPU()
	}
	if workers > len(paths) {
		workers = len(paths)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done, bad := 0, 0
	start, last := time.Now(), time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = CheckFile(paths[i], o)
				mu.Lock()
				done++
				if errs[i] != nil {
					bad++
				}
				if o.Progress != nil && time.Since(last) >= progressEvery {
					last = time.Now()
					fmt.Fprintf(o.Progress, "checking images: %d/%d, %d bad\n", done, len(paths), bad)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	if o.Progress != nil {
		what := "headers"
		if o.Decode {
			what = "decoded in full"
		}
		fmt.Fprintf(o.Progress, "checked %d images (%s, %d workers, %.1f s): %d bad\n", len(paths), what, workers, time.Since(start).Seconds(), bad)
	}
	var out []Failure
	for i, err := range errs {
		if err != nil {
			out = append(out, Failure{paths[i], err})
		}
	}
	return out
}

// CheckHeaders checks every path (see CheckFiles) and returns one error
// naming every bad file, or nil.
func CheckHeaders(paths []string, o CheckOptions) error {
	fails := CheckFiles(paths, o)
	if len(fails) == 0 {
		return nil
	}
	if len(fails) == 1 {
		return fails[0].Err
	}
	lines := make([]string, len(fails))
	for i, f := range fails {
		lines[i] = "  " + f.Err.Error()
	}
	return fmt.Errorf("%d of %d images are unusable; fix or remove them:\n%s", len(fails), len(paths), strings.Join(lines, "\n"))
}

// CheckFile checks path's header and, with o.Decode, decodes it in full.
// Go's PNG and JPEG decoders refuse what TensorFlow's refuse for the damage
// a copy or a download leaves (a truncated file, a corrupt stream), which
// the command tests check with both.
func CheckFile(path string, o CheckOptions) error {
	if err := CheckHeader(path, o); err != nil || !o.Decode {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("image %s: %w", path, err)
	}
	defer f.Close()
	if _, _, err := image.Decode(f); err != nil {
		return fmt.Errorf("image %s cannot be decoded: it is truncated or damaged (%v); copy it again, re-encode or remove it", path, err)
	}
	return nil
}
