package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/dataprep"
)

// dataIO are the flags every per-image data command takes.
func dataIO(extra ...cli.Flag) []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "input_dir", Aliases: kebab("input_dir"), Required: true, Usage: "folder of *.png / *.jpg images"},
		&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Required: true, Usage: "where to write the results (as <name>.png)"},
		&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "parallel workers"},
	}, extra...)
}

// imageOp makes, from a command's flags, the function applied to each image.
type imageOp func(c *cli.Context) (func(image.Image) (image.Image, error), error)

// perImage is a data command that applies op to every image of
// --input_dir; a bad flag value (op's error) is a usage error.
func perImage(name, usage, desc string, extra []cli.Flag, op imageOp) *cli.Command {
	return &cli.Command{Name: name, Usage: usage, Description: desc, Flags: dataIO(extra...), Action: func(c *cli.Context) error {
		fn, err := op(c)
		if err != nil {
			return cli.Exit(err.Error(), 2)
		}
		files, err := dataprep.ImageFiles(c.String("input_dir"))
		if err != nil {
			return err
		}
		return finish(dataprep.Each(files, c.String("output_dir"), runOptions(c), func(p string) (image.Image, error) {
			img, err := dataprep.ReadImage(p)
			if err != nil {
				return nil, err
			}
			return fn(img)
		}))
	}}
}

// same is the imageOp of a function that takes no flags and cannot fail.
func same(f func(image.Image) image.Image) imageOp {
	return func(*cli.Context) (func(image.Image) (image.Image, error), error) {
		return func(i image.Image) (image.Image, error) { return f(i), nil }, nil
	}
}

func dataCommand() *cli.Command {
	cmd := &cli.Command{
		Name:  "data",
		Usage: "prepare datasets: the original's process.py and split.py operations, plus synthetic pairs",
		Subcommands: []*cli.Command{
			perImage("grayscale", "convert images to greyscale (stored as RGB)", "Example:\n   pix2pix data grayscale --input_dir photos --output_dir grey", nil, same(dataprep.Grayscale)),
			perImage("resize", "centre-crop (or --pad) to a square, then scale to --size",
				"Example:\n   pix2pix data resize --input_dir photos --output_dir photos256 --size 256",
				[]cli.Flag{&cli.IntFlag{Name: "size", Value: 256, Usage: "side of the output"}, &cli.BoolFlag{Name: "pad", Usage: "pad with black instead of cropping"}},
				func(c *cli.Context) (func(image.Image) (image.Image, error), error) {
					if c.Int("size") < 1 {
						return nil, fmt.Errorf("--size must be >= 1 (got %d)", c.Int("size"))
					}
					return func(i image.Image) (image.Image, error) { return dataprep.Resize(i, c.Int("size"), c.Bool("pad")) }, nil
				}),
			perImage("blank", "paint a centred white square of 30% of the side (inpainting inputs)",
				"Example:\n   pix2pix data blank --input_dir photos256 --output_dir blanked", nil, same(dataprep.Blank)),
			perImage("edges", "edge maps (dark lines on white) for edges-to-photo datasets",
				`Draws Sobel edges of the smoothed luma, thinned to one pixel. The original
used the HED network through Caffe, which needs learned weights that cannot be
fetched here: its edges are thicker, smoother object contours; these follow
every strong intensity change.

Example:
   pix2pix data edges --input_dir photos256 --output_dir edges`, nil, same(dataprep.Edges)),
			combineCommand(dataIO),
			splitCommand(),
			synthCommand(),
		},
	}
	// A bad --workers is a usage error before anything is written.
	for _, sub := range cmd.Subcommands {
		sub.Before = func(c *cli.Context) error { return checkFlags(c, []string{"workers"}, nil) }
	}
	return cmd
}

func combineCommand(io func(...cli.Flag) []cli.Flag) *cli.Command {
	return &cli.Command{
		Name:  "combine",
		Usage: "put A (--input_dir) and B (--b_dir) side by side, matching base names",
		Description: `For each A image, the B image of the same base name (.png or .jpg) must exist
and have the same size; grey becomes RGB and alpha is dropped.

Example:
   pix2pix data combine --input_dir edges --b_dir photos256 --output_dir pairs`,
		Flags: io(&cli.StringFlag{Name: "b_dir", Aliases: kebab("b_dir"), Required: true, Usage: "folder of B images"}),
		Action: func(c *cli.Context) error {
			files, err := dataprep.ImageFiles(c.String("input_dir"))
			if err != nil {
				return err
			}
			bDir := c.String("b_dir")
			return finish(dataprep.Each(files, c.String("output_dir"), runOptions(c), func(p string) (image.Image, error) {
				a, err := dataprep.ReadImage(p)
				if err != nil {
					return nil, err
				}
				base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
				var bPath string
				for _, ext := range []string{".png", ".jpg", ".jpeg"} {
					if _, err := os.Stat(filepath.Join(bDir, base+ext)); err == nil {
						bPath = filepath.Join(bDir, base+ext)
						break
					}
				}
				if bPath == "" {
					return nil, fmt.Errorf("no B image %s.png or %s.jpg in %s", base, base, bDir)
				}
				b, err := dataprep.ReadImage(bPath)
				if err != nil {
					return nil, err
				}
				img, err := dataprep.Combine(a, b)
				if err != nil {
					return nil, fmt.Errorf("%s and %s: %w", p, bPath, err)
				}
				return img, nil
			}))
		},
	}
}

func splitCommand() *cli.Command {
	return &cli.Command{
		Name:        "split",
		Usage:       "split a folder into train/, val/ and test/ (seeded shuffle)",
		Description: "Example:\n   pix2pix data split --input_dir pairs --output_dir dataset --train-frac 0.8 --test-frac 0.1",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input_dir", Aliases: kebab("input_dir"), Required: true, Usage: "folder of images"},
			&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Usage: "where train/, val/, test/ go (default: --input_dir)"},
			&cli.Float64Flag{Name: "train-frac", Aliases: []string{"train_frac"}, Value: 0.8, Usage: "fraction for train/"},
			&cli.Float64Flag{Name: "test-frac", Aliases: []string{"test_frac"}, Value: 0, Usage: "fraction for test/ (the rest goes to val/)"},
			&cli.BoolFlag{Name: "sort", Usage: "keep the sorted order instead of shuffling"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "shuffle seed"},
			&cli.BoolFlag{Name: "move", Usage: "move the files instead of copying them"},
		},
		Action: func(c *cli.Context) error {
			out := c.String("output_dir")
			if out == "" {
				out = c.String("input_dir")
			}
			counts, err := dataprep.Split(c.String("input_dir"), out, dataprep.SplitOptions{
				TrainFrac: c.Float64("train-frac"), TestFrac: c.Float64("test-frac"), Sort: c.Bool("sort"), Seed: c.Int64("seed"), Move: c.Bool("move")})
			if err != nil {
				return err
			}
			fmt.Printf("train %d, val %d, test %d images in %s\n", counts["train"], counts["val"], counts["test"], out)
			return nil
		},
	}
}

func synthCommand() *cli.Command {
	return &cli.Command{
		Name:  "synth",
		Usage: "generate a synthetic paired dataset (label maps -> rendered scenes), seeded",
		Description: `Writes --count pairs 1.png .. N.png: A, a label map of flat coloured regions
(sky, ground, buildings, windows, doors, trees); B, the scene rendered with a
texture per class. The same --seed gives the same images. A pix2pix model
learns the mapping in a few hundred steps: it is the demo's dataset.

Example:
   pix2pix data synth --output_dir synth --count 200`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Required: true, Usage: "where to write the pairs"},
			&cli.IntFlag{Name: "count", Value: 200, Usage: "number of pairs"},
			&cli.IntFlag{Name: "size", Value: 256, Usage: "side of each half"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "parallel workers"},
		},
		Action: func(c *cli.Context) error {
			return finish(dataprep.Synth(c.String("output_dir"), c.Int("count"), c.Int("size"), c.Int64("seed"), runOptions(c)))
		},
	}
}

// runOptions: workers, a progress bar on a terminal, warnings on stderr.
func runOptions(c *cli.Context) dataprep.Options {
	o := dataprep.Options{Workers: c.Int("workers"), Warn: func(p string, err error) {
		fmt.Fprintf(os.Stderr, "skipped %s: %v\n", p, err)
	}}
	o.Progress = countBar(os.Stderr, "")
	return o
}

// finish prints the summary; failures make the exit code 1.
func finish(rep *dataprep.Report, err error) error {
	if err != nil {
		return err
	}
	fmt.Printf("%d written, %d failed\n", rep.Written, len(rep.Failures))
	if n := len(rep.Failures); n > 0 {
		return cli.Exit(fmt.Sprintf("%d images failed (listed above)", n), 1)
	}
	return nil
}
