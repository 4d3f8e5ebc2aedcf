// Package dataset finds a pix2pix dataset's image files and orders them as
// the original does, and draws the per-epoch shuffles and per-example
// random transforms from the seed alone, so that a resumed run replays an
// uninterrupted one. It does not decode images (the input graph does) and
// needs no TensorFlow.
package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// List returns the images of dir as the original finds them: the *.jpg
// files, or if there are none the *.png files; sorted by number when every
// base name is all digits, by name otherwise.
func List(dir string) ([]string, error) {
	if dir == "" {
		return nil, errors.New("no input directory given (--input_dir)")
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("input_dir %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("input_dir %s is not a directory", dir)
	}
	var paths []string
	for _, ext := range []string{".jpg", ".png"} {
		paths, err = filepath.Glob(filepath.Join(dir, "*"+ext))
		if err != nil {
			return nil, err
		}
		paths = regularFiles(paths)
		if len(paths) > 0 {
			break
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("input_dir %s contains no image files (*.jpg or *.png)", dir)
	}
	Sort(paths)
	return paths, nil
}

func regularFiles(paths []string) []string {
	out := paths[:0]
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}

// Sort orders paths by the number in their base names if every base name
// (without extension) is all digits, by path otherwise.
func Sort(paths []string) {
	nums := make(map[string]int64, len(paths))
	for _, p := range paths {
		n, err := strconv.ParseInt(Name(p), 10, 64)
		if err != nil || !allDigits(Name(p)) {
			sort.Strings(paths)
			return
		}
		nums[p] = n
	}
	sort.SliceStable(paths, func(i, j int) bool { return nums[paths[i]] < nums[paths[j]] })
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Name is a path's base name without its extension: the name the outputs
// are written under.
func Name(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// StepsPerEpoch is ceil(count / batch).
func StepsPerEpoch(count, batch int) int {
	return (count + batch - 1) / batch
}

// IgnoredPNGs counts the *.png files of dir that List leaves out because
// dir also has *.jpg files (the original's rule), so a command can say so.
func IgnoredPNGs(dir string) int {
	jpgs, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(regularFiles(jpgs)) == 0 {
		return 0
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	return len(regularFiles(pngs))
}
