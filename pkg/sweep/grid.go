// Package sweep runs a grid of training runs (options x seeds) into one
// folder, a sub-folder per run named by its settings: it skips runs that
// already ended (resume), takes one shard of the grid, and records every
// run's outcome, so that a run that fails or goes NaN never stops the
// sweep. It runs each training as a process of its own and imports no
// TensorFlow.
package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"pix2pix/pkg/dataset"
)

// Axis is one --grid key=v1,v2,...: a train flag and its values.
type Axis struct {
	Key    string
	Values []string
}

// ParseAxis reads "key=v1,v2" (of --grid or --vary). The key is passed
// to train as --key, so any train flag is a grid key, as it exists.
func ParseAxis(flag, s string) (Axis, error) {
	k, vs, ok := strings.Cut(s, "=")
	k = strings.TrimLeft(strings.TrimSpace(k), "-")
	if !ok || k == "" || vs == "" {
		return Axis{}, fmt.Errorf("--%s %q: want key=value1,value2 (a train flag and its values), e.g. ndf=32,64", flag, s)
	}
	if k == "seed" || k == "output_dir" || k == "output-dir" {
		return Axis{}, fmt.Errorf("--%s %q: %s is set by the sweep (use --seeds for seeds)", flag, s, k)
	}
	a := Axis{Key: k}
	for _, v := range strings.Split(vs, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return Axis{}, fmt.Errorf("--%s %q: an empty value", flag, s)
		}
		a.Values = append(a.Values, v)
	}
	return a, nil
}

// ParseSeeds reads "1-8", "1,3,5" or "1-3,7".
func ParseSeeds(s string) ([]int64, error) {
	var out []int64
	bad := fmt.Errorf("--seeds %q: want a list of seeds and ranges, e.g. 1-8 or 1,3,5", s)
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return nil, bad
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil || b < a {
				return nil, bad
			}
		}
		for x := a; x <= b; x++ {
			out = append(out, x)
		}
	}
	return out, nil
}

// Setting is one run of the grid.
type Setting struct {
	// Name is the run's folder: key=value pairs and the seed, joined by ",".
	Name  string
	Pairs [][2]string
	Seed  int64
}

// Args are the train flags that make the setting.
func (s Setting) Args() []string {
	var out []string
	for _, p := range s.Pairs {
		out = append(out, "--"+p[0]+"="+p[1])
	}
	return append(out, "--seed="+strconv.FormatInt(s.Seed, 10))
}

// Settings map the setting to strings, for records.
func (s Setting) Settings() map[string]string {
	m := map[string]string{"seed": strconv.FormatInt(s.Seed, 10)}
	for _, p := range s.Pairs {
		m[p[0]] = p[1]
	}
	return m
}

// Expand is every combination of the axes' values with every seed, the
// first axis varying slowest and the seed fastest.
func Expand(axes []Axis, seeds []int64) []Setting {
	var out []Setting
	for _, c := range combos(axes) {
		out = append(out, withSeeds(c, seeds)...)
	}
	return out
}

// Vary is one-factor-at-a-time on top of the grid: every grid
// combination as it is (the base), then the same with each value of each
// varied axis set alone, every one with every seed. A varied value is
// best not the base's own (its runs would repeat the base's under another
// name). A run's name is the grid's pairs, then the varied pair, then the
// seed, so that a grid-only sweep and this one name the base alike.
func Vary(grid, vary []Axis, seeds []int64) ([]Setting, error) {
	inGrid := map[string]bool{}
	for _, a := range grid {
		inGrid[normKey(a.Key)] = true
	}
	seen := map[string]bool{}
	for _, a := range vary {
		if inGrid[normKey(a.Key)] || seen[normKey(a.Key)] {
			return nil, fmt.Errorf("--vary %s: the key is already a --grid or --vary axis; give its values once", a.Key)
		}
		seen[normKey(a.Key)] = true
	}
	var out []Setting
	for _, c := range combos(grid) {
		out = append(out, withSeeds(c, seeds)...)
		for _, a := range vary {
			for _, v := range a.Values {
				out = append(out, withSeeds(append(append([][2]string{}, c...), [2]string{a.Key, v}), seeds)...)
			}
		}
	}
	return out, nil
}

func normKey(k string) string { return strings.ReplaceAll(k, "-", "_") }

// combos is every combination of the axes' values, the first axis
// varying slowest.
func combos(axes []Axis) [][][2]string {
	out := [][][2]string{nil}
	for _, a := range axes {
		var next [][][2]string
		for _, c := range out {
			for _, v := range a.Values {
				next = append(next, append(append([][2]string{}, c...), [2]string{a.Key, v}))
			}
		}
		out = next
	}
	return out
}

// withSeeds is the setting of pairs with each seed, named by them.
func withSeeds(pairs [][2]string, seeds []int64) []Setting {
	var parts []string
	for _, p := range pairs {
		parts = append(parts, p[0]+"="+strings.ReplaceAll(p[1], "/", "_"))
	}
	out := make([]Setting, 0, len(seeds))
	for _, seed := range seeds {
		name := strings.Join(append(append([]string{}, parts...), "seed="+strconv.FormatInt(seed, 10)), ",")
		out = append(out, Setting{Name: name, Pairs: pairs, Seed: seed})
	}
	return out
}

// ShardOf is shard's part of the grid's runs (see dataset.Shard).
func ShardOf(shard dataset.Shard, all []Setting) []Setting {
	var out []Setting
	for i, st := range all {
		if shard.Has(i) {
			out = append(out, st)
		}
	}
	return out
}
