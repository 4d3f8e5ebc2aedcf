package testmode

import (
	"fmt"

	"pix2pix/graphs/input"
	"pix2pix/pkg/dataset"
)

// usable checks every input in full before anything is written and
// returns the good ones; each bad one is reported and skipped, as infer
// does, so one damaged file costs its own outputs, not the run's.
func usable(paths []string, in input.Config, o Options) ([]string, []dataset.Failure, error) {
	o.Check.Paired = !in.LabColorization
	o.Check.Decode = true
	o.Check.Workers = o.Workers
	o.Check.Progress = o.Out
	fails := dataset.CheckFiles(paths, o.Check)
	if len(fails) == 0 {
		return paths, nil, nil
	}
	bad := map[string]bool{}
	for _, f := range fails {
		fmt.Fprintf(o.Out, "skipped %v\n", f.Err)
		bad[f.Path] = true
	}
	var good []string
	for _, p := range paths {
		if !bad[p] {
			good = append(good, p)
		}
	}
	if len(good) == 0 {
		return nil, fails, fmt.Errorf("none of the %d images in %s is usable (listed above)", len(paths), o.InputDir)
	}
	return good, fails, nil
}
