package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/trained"
)

func graphCommand() *cli.Command {
	return &cli.Command{
		Name:  "graph",
		Usage: "build the training graph and print its variables, parameter counts and op count",
		Description: `Prints every variable of the training graph (name, dtype, shape; sorted),
the trainable parameter counts of the generator and the discriminator, and
the graph's op count. These names are the checkpoint's keys, identical to
the original's. --write saves the GraphDef for TensorBoard. --kernels
checks, with the CUDA build of TensorFlow, that every op without a GPU
kernel is pinned to the CPU.

Examples:
   pix2pix graph --ngf 64 --ndf 64 --write /tmp/pix2pix.pb
   bin/gpu/pix2pix graph --kernels --ngf 4 --ndf 4`,
		Flags: append(modelFlags(),
			&cli.StringFlag{Name: "write", Usage: "write the binary GraphDef to `FILE` (view with TensorBoard's graph tab after converting, or import in Python)"},
			&cli.BoolFlag{Name: "kernels", Usage: "instead, list the ops of every graph that runs on --device (train, test, infer; also separable and Lab) that have no GPU kernel in the loaded library, and where each is placed; fails if one is not pinned to the CPU (meaningful with the CUDA build: make check-gpu-build)"},
			&cli.StringFlag{Name: "kernels-fixture", Usage: "with --kernels, also write every op kind's answer to `FILE` (cmd/pix2pix/testdata/gpu-kernels.txt, which make test checks pinning against)"},
		),
		Action: func(c *cli.Context) error {
			cfg, err := modelConfig(c)
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			if c.Bool("kernels") {
				return reportKernels(os.Stdout, cfg, c.Int("batch_size"), c.String("kernels-fixture"))
			}
			g, m, _, err := trained.Build(cfg, trained.Placeholders(cfg, int64(c.Int("batch_size"))))
			if err != nil {
				return err
			}
			for _, v := range m.Vars.Sorted() {
				fmt.Println(pix2pix.VariableLine(v))
			}
			gen, dis := m.ParamCount("generator"), m.ParamCount("discriminator")
			fmt.Printf("variables: %d\n", len(m.Vars.All()))
			fmt.Printf("generator parameters: %d (%.2f M)\n", gen, float64(gen)/1e6)
			fmt.Printf("discriminator parameters: %d (%.2f M)\n", dis, float64(dis)/1e6)
			fmt.Printf("parameter_count = %d\n", gen+dis)
			fmt.Printf("ops: %d\n", len(g.Operations()))
			if path := c.String("write"); path != "" {
				err := fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
					_, err := g.WriteTo(w)
					return err
				})
				if err != nil {
					return err
				}
				fmt.Printf("wrote %s\n", path)
			}
			return nil
		},
	}
}
