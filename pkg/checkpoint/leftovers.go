package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// The names a save goes through (see Keeper.Save and Write), in order:
//
//  1. directory <name>-<N>_temp_<digits> (os.MkdirTemp's suffix is decimal),
//     holding part-00000-of-00001.{index,data-00000-of-00001}, each first
//     written as <file>.tempstate<digits> by TensorFlow's SaveV2;
//  2. MergeV2Checkpoints renames the data file to
//     <name>-<N>.data-00000-of-00001, then writes <name>-<N>.index in place
//     (not atomically), then removes the directory;
//  3. .<name>-<N>.meta.tmp-<digits>, renamed to <name>-<N>.meta;
//  4. .checkpoint.tmp-<digits>, renamed to checkpoint;
//  5. this run's checkpoints beyond --max-to-keep are removed.
const (
	tempInfix = "_temp_"
	tempShard = "part-00000-of-00001"
)

var (
	tempShardFile = regexp.MustCompile(`^part-00000-of-00001\.(index|data-00000-of-00001)(\.tempstate[0-9]+)?$`)
	stateTemp     = regexp.MustCompile(`^\.checkpoint\.tmp-[0-9]+$`)
)

// leftoverNames matches the names of one checkpoint name's save.
type leftoverNames struct{ tempDir, metaTemp, model *regexp.Regexp }

func namesFor(name string) leftoverNames {
	q := regexp.QuoteMeta(name)
	return leftoverNames{
		tempDir:  regexp.MustCompile(`^` + q + `-[0-9]+` + tempInfix + `[0-9]+$`),
		metaTemp: regexp.MustCompile(`^\.` + q + `-([0-9]+)\.meta\.tmp-[0-9]+$`),
		model:    regexp.MustCompile(`^` + q + `-([0-9]+)(\.index|\.data-00000-of-00001)$`),
	}
}

// CleanLeftovers removes from dir, the output directory of a run about to
// start, what a save of checkpoints <name>-<N> killed part way left
// behind, and nothing else. It returns the names removed. The rule, which
// can never remove a checkpoint that loads or a file of the user's:
//
//   - a temporary shard directory (step 1) is removed only if its name is
//     exactly that pattern and it holds nothing but the shard files above;
//   - a temporary meta or state file (steps 3, 4) is removed: those names
//     are this program's own and no reader ever opens them;
//   - <name>-<N>.index and .data-00000-of-00001 are removed only if N is
//     greater than the step of the checkpoint the state file names (or
//     there is no state file), no state file entry names it, it has no
//     <name>-<N>.meta, and either a .<name>-<N>.meta.tmp-* file proves the
//     save stopped at step 3, or its index is missing or does not parse
//     (it stopped in step 2 and does not load). A checkpoint that loads
//     but has no meta and no such temporary file (a kill between steps 2
//     and 3, or a user's unlisted checkpoint) is kept; resuming reaches N
//     again and replaces it with the same weights.
func CleanLeftovers(dir, name string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("look for unfinished saves: %w", err)
	}
	latest, listed, err := stateSteps(dir, name)
	if err != nil {
		return nil, err
	}
	names := namesFor(name)
	var removed []string
	remove := func(n string) error {
		if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("remove the leftover of an unfinished save: %w", err)
		}
		removed = append(removed, n)
		return nil
	}
	metaTemps := map[int64]bool{}
	for _, e := range entries {
		n := e.Name()
		switch {
		case e.IsDir() && names.tempDir.MatchString(n) && onlyShardFiles(filepath.Join(dir, n)):
			err = remove(n)
		case e.Type().IsRegular() && stateTemp.MatchString(n):
			err = remove(n)
		case e.Type().IsRegular() && names.metaTemp.MatchString(n):
			step, _ := strconv.ParseInt(names.metaTemp.FindStringSubmatch(n)[1], 10, 64)
			metaTemps[step] = true
			err = remove(n)
		}
		if err != nil {
			return removed, err
		}
	}
	for _, e := range entries {
		m := names.model.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		step, err := strconv.ParseInt(m[1], 10, 64)
		base := fmt.Sprintf("%s-%d", name, step)
		if err != nil || base+m[2] != e.Name() || step <= latest || listed[base] {
			continue // not this program's spelling, not newer, or listed
		}
		prefix := filepath.Join(dir, base)
		if _, err := os.Lstat(prefix + ".meta"); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		if metaTemps[step] || !indexLoads(prefix) {
			if err := remove(e.Name()); err != nil {
				return removed, err
			}
		}
	}
	return removed, nil
}

// stateSteps returns the step of the checkpoint dir's state file names
// (-1 if there is no state file) and the base names it lists. A state file
// naming something other than <name>-<N> gives no step to compare with,
// so no checkpoint counts as newer (math.MaxInt64).
func stateSteps(dir, name string) (int64, map[string]bool, error) {
	st, err := ReadState(dir)
	if errors.Is(err, ErrNoState) {
		return -1, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	listed := map[string]bool{filepath.Base(st.ModelCheckpointPath): true}
	for _, p := range st.AllModelCheckpointPaths {
		listed[filepath.Base(p)] = true
	}
	var step int64
	if _, err := fmt.Sscanf(filepath.Base(st.ModelCheckpointPath), name+"-%d", &step); err != nil ||
		filepath.Base(st.ModelCheckpointPath) != fmt.Sprintf("%s-%d", name, step) {
		return 1<<63 - 1, listed, nil
	}
	return step, listed, nil
}

// onlyShardFiles tells whether dir holds only regular files named as a
// temporary shard's.
func onlyShardFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !tempShardFile.MatchString(e.Name()) {
			return false
		}
	}
	return true
}

// indexLoads tells whether prefix.index exists and parses.
func indexLoads(prefix string) bool {
	_, err := List(prefix)
	return err == nil
}
