package trained

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/options"
)

// OpenCheckpointSetup is OpenCheckpoint for commands given --setup: a
// directory with an options.json must record that setup; one without
// (yenchenlin/pix2pix-tensorflow's own checkpoint directory, or the
// reference harness's, holds only pix2pix.model-K and the checkpoint
// state file) is opened as setup's, its widths read from the checkpoint.
// An empty setup is OpenCheckpoint.
func OpenCheckpointSetup(dir, setup string) (*Checkpoint, error) {
	if setup == "" {
		return OpenCheckpoint(dir)
	}
	if setup != pix2pix.SetupAffinelayer && setup != pix2pix.SetupYenchenlin {
		return nil, fmt.Errorf("--setup %q: want %s or %s", setup, pix2pix.SetupAffinelayer, pix2pix.SetupYenchenlin)
	}
	_, err := os.Stat(filepath.Join(dir, options.FileName))
	if errors.Is(err, fs.ErrNotExist) && setup == pix2pix.SetupYenchenlin {
		return openYenchenlinDir(dir)
	}
	c, err := OpenCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	if c.Config.Setup != setup {
		return nil, fmt.Errorf("--setup %s: %s records setup %s; leave out --setup (it is for a directory without %s)",
			setup, filepath.Join(dir, options.FileName), c.Config.Setup, options.FileName)
	}
	return c, nil
}

// openYenchenlinDir opens the latest checkpoint of a directory written by
// yenchenlin/pix2pix-tensorflow: ngf and ndf are the widths of its first
// convolutions (the program's flags never reach its model, so they are
// 64 there; the reference harness writes others), the direction is the
// program's (the right half of an A|B file in, the left half the target:
// BtoA), dropout on as in its sampler.
func openYenchenlinDir(dir string) (*Checkpoint, error) {
	prefix, err := checkpoint.Latest(dir)
	if err != nil {
		return nil, err
	}
	entries, err := checkpoint.List(prefix)
	if err != nil {
		return nil, err
	}
	width := func(name string, in int64) (int, error) {
		for _, e := range entries {
			if e.Name == name && len(e.Shape) == 4 && e.Shape[2] == in {
				return int(e.Shape[3]), nil
			}
		}
		return 0, fmt.Errorf("checkpoint %s has no %s of shape [5, 5, %d, width]: it is not a yenchenlin/pix2pix-tensorflow checkpoint (leave out --setup yenchenlin for a pix2pix run's directory, which has an %s)",
			prefix, name, in, options.FileName)
	}
	mo := options.Model{WhichDirection: "BtoA", Techniques: options.Techniques{Setup: pix2pix.SetupYenchenlin}}
	if mo.NGF, err = width("generator/g_e1_conv/w", 3); err != nil {
		return nil, err
	}
	if mo.NDF, err = width("discriminator/d_h0_conv/w", 6); err != nil {
		return nil, err
	}
	return fromOptions(dir, prefix, mo)
}
