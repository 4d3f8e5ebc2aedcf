package dataprep

import (
	"fmt"
	"image"
	_ "image/jpeg" // decoders for the inputs
	"image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"pix2pix/pkg/fsutil"
)

// Failure is an input that could not be processed.
type Failure struct {
	Path string
	Err  error
}

// Report counts what a run did.
type Report struct {
	Written  int
	Failures []Failure
}

// Options of a run over a directory.
type Options struct {
	Workers int
	// Progress, if set, is told after each file (done, total).
	Progress func(done, total int)
	// Warn, if set, is told about each file that failed.
	Warn func(path string, err error)
}

// ImageFiles lists dir's *.png, *.jpg and *.jpeg files, sorted.
func ImageFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg":
			if !e.IsDir() {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s contains no *.png or *.jpg images", dir)
	}
	sort.Strings(out)
	return out, nil
}

// ReadImage decodes a PNG or JPEG file, with the file named in errors.
func ReadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		return nil, fmt.Errorf("%s is empty (0 bytes)", path)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable PNG or JPEG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() < 1 || b.Dy() < 1 {
		return nil, fmt.Errorf("%s has no pixels", path)
	}
	return img, nil
}

// WritePNG encodes img to path atomically.
func WritePNG(path string, img image.Image) error {
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error { return png.Encode(w, img) })
}

// Each applies fn to every path on Workers goroutines, writing each result
// as outDir/<base name>.png. A file that fails is reported and skipped.
func Each(paths []string, outDir string, o Options, fn func(path string) (image.Image, error)) (*Report, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	workers := o.Workers
	if workers < 1 {
		workers = 1
	}
	jobs := make(chan string)
	var mu sync.Mutex
	rep := &Report{}
	done := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				img, err := fn(p)
				if err == nil {
					name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) + ".png"
					err = WritePNG(filepath.Join(outDir, name), img)
				}
				mu.Lock()
				if err != nil {
					rep.Failures = append(rep.Failures, Failure{p, err})
					if o.Warn != nil {
						o.Warn(p, err)
					}
				} else {
					rep.Written++
				}
				done++
				if o.Progress != nil {
					o.Progress(done, len(paths))
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range paths {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].Path < rep.Failures[j].Path })
	return rep, nil
}
