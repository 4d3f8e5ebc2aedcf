package dataprep

import (
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"

	"pix2pix/pkg/fsutil"
)

// SplitOptions are the original's split.py options.
type SplitOptions struct {
	TrainFrac, TestFrac float64
	// Sort keeps the listed order instead of shuffling (the original's
	// --sort).
	Sort bool
	Seed int64
	// Move moves the files instead of copying them.
	Move bool
}

// Split assigns dir's images to train/, val/ and test/ under outDir: the
// first TrainFrac of a seeded shuffle to train, the next TestFrac to test,
// the rest to val. It returns the counts.
func Split(dir, outDir string, o SplitOptions) (map[string]int, error) {
	if o.TrainFrac < 0 || o.TestFrac < 0 || o.TrainFrac+o.TestFrac > 1 {
		return nil, fmt.Errorf("--train-frac %g and --test-frac %g must be >= 0 and add up to at most 1", o.TrainFrac, o.TestFrac)
	}
	files, err := ImageFiles(dir)
	if err != nil {
		return nil, err
	}
	if !o.Sort {
		rand.New(rand.NewSource(o.Seed)).Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	}
	nTrain := int(math.Round(o.TrainFrac * float64(len(files))))
	nTest := int(math.Round(o.TestFrac * float64(len(files))))
	if nTrain+nTest > len(files) {
		nTest = len(files) - nTrain
	}
	counts := map[string]int{}
	for i, f := range files {
		set := "val"
		switch {
		case i < nTrain:
			set = "train"
		case i < nTrain+nTest:
			set = "test"
		}
		d := filepath.Join(outDir, set)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		dst := filepath.Join(d, filepath.Base(f))
		if o.Move {
			err = os.Rename(f, dst)
		} else {
			err = copyFile(f, dst)
		}
		if err != nil {
			return nil, fmt.Errorf("split %s: %w", f, err)
		}
		counts[set]++
	}
	return counts, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return fsutil.WriteFileAtomic(dst, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
