package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pix2pix/graphs/codec"
)

// pngCompressionFlag is --png-compression, for the commands that write
// PNG outputs from a model (infer, serve).
func pngCompressionFlag() cli.Flag {
	return &cli.IntFlag{Name: "png-compression", Value: codec.PNGDefaultLevel, Category: catData,
		Usage: "zlib level of PNG outputs: -1 zlib's default (6, as the original), 0 none (the fastest to write, the largest files), 1-9; the pixels are the same at every level"}
}

// pngCompression reads --png-compression, refusing a level zlib does not
// have as a usage error.
func pngCompression(c *cli.Context) (*int, error) {
	level := c.Int("png-compression")
	if err := codec.CheckPNGLevel(level); err != nil {
		return nil, usage(fmt.Errorf("--png-compression: %w", err))
	}
	return &level, nil
}
