package export

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/options"
)

// exportName is the prefix of the original-format export's checkpoint.
const exportName = "export"

// CheckTarget says whether an export may write into dir, before anything
// is written, and returns what it would replace. An empty or missing dir
// is fine. A dir holding a training run is refused even with force: the
// export's state file would replace the run's, and resuming it would then
// load the export. Any other non-empty dir is refused unless force, with
// the entries the export would replace named (saved_model/ is replaced
// whole).
func CheckTarget(dir string, savedModel, force bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--output_dir %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if why := trainingRun(dir, entries); why != "" {
		return nil, fmt.Errorf("--output_dir %s holds a training run (%s): exporting there would replace its %q state file, so resuming it would load the export; export into another directory (--force does not override this)", dir, why, checkpoint.StateFile)
	}
	var replaced, kept []string
	for _, e := range entries {
		if replacedByExport(e.Name(), savedModel) {
			replaced = append(replaced, e.Name())
		} else {
			kept = append(kept, e.Name())
		}
	}
	sort.Strings(replaced)
	if force {
		return replaced, nil
	}
	what := "nothing (it adds export.meta, export.index, export.data-*, checkpoint"
	if savedModel {
		what += " and saved_model/"
	}
	what += ")"
	if len(replaced) > 0 {
		what = strings.Join(replaced, ", ")
		if contains(replaced, "saved_model") {
			what += " (saved_model/ is replaced whole, with everything in it)"
		}
	}
	return nil, fmt.Errorf("--output_dir %s is not empty (%d entries; kept: %s): the export would replace %s; pass --force to do that, or export into a new directory",
		dir, len(entries), listOrNone(kept), what)
}

// trainingRun says why dir looks like a training run's output, or "".
func trainingRun(dir string, entries []os.DirEntry) string {
	for _, e := range entries {
		n := e.Name()
		if n == options.FileName {
			return "it has " + n
		}
		if strings.HasPrefix(n, "model-") && strings.HasSuffix(n, ".index") {
			return "it has " + n
		}
	}
	if _, err := os.Stat(filepath.Join(dir, checkpoint.StateFile)); err != nil {
		return ""
	}
	st, err := checkpoint.ReadState(dir)
	if err != nil {
		return fmt.Sprintf("it has a %s state file that is not an export's: %v", checkpoint.StateFile, err)
	}
	if filepath.Base(st.ModelCheckpointPath) != exportName {
		return fmt.Sprintf("its %s file names %s", checkpoint.StateFile, st.ModelCheckpointPath)
	}
	return ""
}

// replacedByExport reports whether the export writes over the entry.
func replacedByExport(name string, savedModel bool) bool {
	switch {
	case name == checkpoint.StateFile, name == exportName+".meta", name == exportName+".index",
		strings.HasPrefix(name, exportName+".data-"):
		return true
	case name == "saved_model":
		return savedModel
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	if len(list) > 5 {
		return strings.Join(list[:5], ", ") + fmt.Sprintf(" and %d more", len(list)-5)
	}
	return strings.Join(list, ", ")
}
