package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/export"
	"pix2pix/pkg/onnx"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "export a trained generator: the original's export.meta format and a SavedModel",
		Description: `Writes to --output_dir, from the latest checkpoint of --checkpoint:
  export.meta + export.{index,data-*} + checkpoint   the original's export mode:
      string[1] web-safe base64 PNG in, base64 PNG (or JPEG) out, and a key;
      JSON maps of the tensor names in the "inputs"/"outputs" collections
      (load with tf.compat.v1.train.import_meta_graph)
  saved_model/   a SavedModel (tag "serve") with signatures
      serving_default: images float [batch,256,256,3] in [0,1] -> outputs
          (same), dropout off: what OpenVINO and tf2onnx convert
      translate: the same, dropout as exported
      translate_image: image (PNG or JPEG bytes, any size) -> image (PNG)
      (load with tf.saved_model.load, graft's LoadSavedModel, or use with
      pix2pix infer --model)
  model.onnx     with --onnx: the generator as standard ONNX ops (opset 17),
      input "images" float [batch,3,256,256] (NCHW, RGB) in [0,1], output
      "outputs" (same), no dropout (for onnxruntime, OpenVINO, ...)
Dropout stays in the exported generator, as in the original; --no-test-dropout
removes it for deterministic outputs. A non-empty --output_dir is refused
(naming what would be replaced) unless --force; a training run's directory
is always refused, since its checkpoint state file would be replaced.

Example:
   pix2pix export --checkpoint facades_train --output_dir facades_export`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "checkpoint", Required: true, Usage: "training output directory", Category: catData},
			&cli.StringFlag{Name: "output_dir", Aliases: kebab("output_dir"), Required: true, Usage: "where to write the export", Category: catData},
			&cli.StringFlag{Name: "output_filetype", Aliases: kebab("output_filetype"), Value: "png", Usage: "png or jpeg (the original-format export's output)", Category: catData},
			&cli.BoolFlag{Name: "no-test-dropout", Usage: "export without dropout (deterministic outputs)", Category: catData},
			testBNFlag(), setupOpenFlag(),
			&cli.BoolFlag{Name: "no-saved-model", Usage: "write only the original's format", Category: catData},
			&cli.BoolFlag{Name: "onnx", Usage: "also write model.onnx: the generator in standard ONNX ops (opset 17), float NCHW [batch,3,256,256] in [0,1] in and out, no dropout", Category: catData},
			&cli.BoolFlag{Name: "force", Usage: "export into a non-empty directory, replacing a previous export there (never a training run's files)", Category: catData},
		},
		Action: runExport,
	}
}

// runExport writes the exports the flags ask for, after checking the target.
func runExport(c *cli.Context) error {
	ft := c.String("output_filetype")
	if ft != "png" && ft != "jpeg" {
		return cli.Exit(fmt.Sprintf("--output_filetype %q: want png or jpeg", ft), 2)
	}
	replaced, err := export.CheckTarget(c.String("output_dir"), !c.Bool("no-saved-model"), c.Bool("force"))
	if err != nil {
		return usage(err)
	}
	for _, r := range replaced {
		fmt.Printf("replacing %s (--force)\n", filepath.Join(c.String("output_dir"), r))
	}
	o := export.Options{Checkpoint: c.String("checkpoint"), Setup: c.String("setup"), OutputDir: c.String("output_dir"),
		JPEG: ft == "jpeg", Dropout: !c.Bool("no-test-dropout"), TestBN: c.String("test-bn")}
	fmt.Fprintln(os.Stdout, "exporting model")
	if err := export.WriteOriginal(o); err != nil {
		return err
	}
	fmt.Printf("wrote %s and %s\n", filepath.Join(o.OutputDir, "export.meta"), filepath.Join(o.OutputDir, "export"))
	if !c.Bool("no-saved-model") {
		dir, err := export.WriteSavedModel(o)
		if err != nil {
			return err
		}
		fmt.Printf("wrote %s\n", dir)
	}
	if c.Bool("onnx") {
		path := filepath.Join(o.OutputDir, onnx.FileName)
		if err := onnx.Write(o.Checkpoint, path, version); err != nil {
			return err
		}
		fmt.Printf("wrote %s\n", path)
	}
	return nil
}
