package trained

import (
	"fmt"
	"strings"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
)

// CheckCompatible compares the checkpoint at prefix with the graph's
// variables before anything is restored, and names the first mismatch
// and the option that likely causes it. Extra tensors in the checkpoint
// are ignored, as TensorFlow's Saver does. The hint speaks of the flags,
// as training has them.
func (t *Vars) CheckCompatible(prefix string) error {
	return t.checkCompatible(prefix, hint)
}

// checkCompatible is CheckCompatible with the advice given by hintFor.
func (t *Vars) checkCompatible(prefix string, hintFor func(name string) string) error {
	entries, err := checkpoint.List(prefix)
	if err != nil {
		return err
	}
	byName := make(map[string]checkpoint.Entry, len(entries))
	for _, e := range entries {
		byName[e.Name] = e
	}
	for _, v := range t.Saver.Vars {
		e, ok := byName[v.Name]
		if !ok {
			return fmt.Errorf("checkpoint %s has no variable %s: it was written by a different model (%s)", prefix, v.Name, hintFor(v.Name))
		}
		if e.DType != v.DType || fmt.Sprint(e.Shape) != fmt.Sprint(v.Shape) {
			return fmt.Errorf("checkpoint %s holds %s as %s %v, this model needs %s %v: %s",
				prefix, v.Name, pix2pix.DTypeName(e.DType), e.Shape, pix2pix.DTypeName(v.DType), v.Shape, hintFor(v.Name))
		}
	}
	return nil
}

// hint names the options that decide a variable's presence and shape.
func hint(name string) string {
	switch {
	case strings.Contains(name, "separable_conv2d") || (strings.HasPrefix(name, "generator/") && strings.Contains(name, "/conv2d")):
		return "check --ngf, --separable_conv and --lab_colorization against the run that wrote it (its options.json)"
	case strings.HasPrefix(name, "generator/"):
		return "check --ngf and --lab_colorization against the run that wrote it (its options.json)"
	case strings.HasPrefix(name, "discriminator/"):
		return "check --ndf and --lab_colorization against the run that wrote it (its options.json)"
	}
	return "it does not look like a pix2pix training checkpoint"
}
