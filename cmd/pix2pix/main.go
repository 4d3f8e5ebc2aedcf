// Command pix2pix trains and runs the pix2pix image-to-image translation
// model (Isola et al. 2017) as the affinelayer pix2pix-tensorflow program
// does, on TensorFlow's C API. Each subcommand lives in its own file; this
// one only assembles the app and maps errors to exit codes.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/session"
)

// version is set at build time by the Makefile (-X main.version=...).
var version = "dev"

func main() {
	// TensorFlow's C++ logging prints CPU-feature notices on every start;
	// keep them out unless the user asked for them.
	if _, ok := os.LookupEnv("TF_CPP_MIN_LOG_LEVEL"); !ok {
		os.Setenv("TF_CPP_MIN_LOG_LEVEL", "2")
	}
	// Allocator settings for big per-step tensors (no effect on results;
	// PIX2PIX_MEMORY_TUNING=0 turns them off), before TensorFlow allocates.
	session.TuneMemory()
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "pix2pix:", err)
		os.Exit(exitCode(err))
	}
}

// newApp assembles the command-line application.
func newApp() *cli.App {
	return &cli.App{
		Name:    "pix2pix",
		Usage:   "pix2pix image-to-image translation on TensorFlow, compatible with affinelayer/pix2pix-tensorflow",
		Version: version,
		Commands: []*cli.Command{
			trainCommand(),
			testCommand(),
			inferCommand(),
			exportCommand(),
			dataCommand(),
			graphCommand(),
			versionCommand(),
		},
		EnableBashCompletion: true,
		// Errors are printed once, by main, with the program's prefix.
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

// exitCode maps an error to the process exit code: 2 for usage errors, 1 for
// everything else.
func exitCode(err error) int {
	if ec, ok := err.(cli.ExitCoder); ok {
		return ec.ExitCode()
	}
	return 1
}
