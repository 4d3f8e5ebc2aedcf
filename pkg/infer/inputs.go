// Package infer runs a trained generator over many single images, fast:
// decoding, the batched generator runs and encoding overlap on all cores,
// outputs are written atomically under the inputs' names, and a bad file
// is reported and skipped. Jobs resume (--skip-existing) and split across
// processes (--shard K/N).
package infer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"pix2pix/pkg/dataset"
)

// Shard is part K of N of the inputs (see dataset.Shard).
type Shard = dataset.Shard

// ParseShard reads "K/N" (see dataset.ParseShard).
func ParseShard(s string) (Shard, error) { return dataset.ParseShard(s) }

// imageExt reports whether a path looks like an image this tool reads.
func imageExt(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// Inputs expands the input argument: a directory (its *.png, *.jpg,
// *.jpeg), a glob, or a text file listing one path per line (relative to
// the file's directory; blank lines and # comments ignored). The result is
// in the original's order (numeric names by number), then cut to shard:
// every N-th image from the K-th, so N processes cover the set with no
// overlap.
func Inputs(arg string, shard Shard) ([]string, error) {
	var paths []string
	st, err := os.Stat(arg)
	switch {
	case err == nil && st.IsDir():
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() && imageExt(e.Name()) {
				paths = append(paths, filepath.Join(arg, e.Name()))
			}
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("%s contains no *.png, *.jpg or *.jpeg files", arg)
		}
	case err == nil:
		paths, err = readList(arg)
		if err != nil {
			return nil, err
		}
	default:
		paths, err = filepath.Glob(arg)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", arg, err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("input %q: no such file or directory, and no files match it as a glob", arg)
		}
	}
	dataset.Sort(paths)
	seen := map[string]string{}
	for _, p := range paths {
		if prev, ok := seen[outName(p)]; ok {
			return nil, fmt.Errorf("%s and %s would both write %s: give inputs distinct names", prev, p, outName(p))
		}
		seen[outName(p)] = p
	}
	var mine []string
	for i, p := range paths {
		if shard.Has(i) {
			mine = append(mine, p)
		}
	}
	return mine, nil
}

// readList reads a list file.
func readList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if imageExt(path) {
		return []string{path}, nil // a single image, not a list
	}
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(filepath.Dir(path), line)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("list %s names no images", path)
	}
	return out, nil
}

// outName is the output file name of an input: the same base name.
func outName(p string) string { return filepath.Base(p) }

// CheckNotOverwriting refuses an output directory where some output would
// replace one of the inputs: the same directory under another spelling
// (./in/../in/, a symbolic link) or a list naming files in it. It compares
// files (device and inode) where the output exists, and resolved
// directories otherwise, before anything is written.
func CheckNotOverwriting(inputs []string, outputDir string) error {
	outDir, err := resolvedDir(outputDir)
	if err != nil {
		return nil // the directory does not exist yet: nothing in it to overwrite
	}
	for _, in := range inputs {
		inSt, err := os.Stat(in)
		if err != nil {
			continue // reported as a failure of that image later
		}
		out := filepath.Join(outputDir, outName(in))
		same := false
		if outSt, err := os.Stat(out); err == nil {
			same = os.SameFile(inSt, outSt)
		} else if inDir, err := resolvedDir(filepath.Dir(in)); err == nil {
			same = inDir == outDir
		}
		if same {
			return fmt.Errorf("--output_dir %s would overwrite the input %s (the output has the input's name): write to another directory", outputDir, in)
		}
	}
	return nil
}

// resolvedDir is dir made absolute with symbolic links followed.
func resolvedDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}
