// Command pix2pix trains and runs the pix2pix image-to-image translation
// model (Isola et al. 2017) as the affinelayer pix2pix-tensorflow program
// does, on TensorFlow's C API. Each subcommand lives in its own file; this
// one only assembles the app and maps errors to exit codes.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/session"
)

// version is set at build time by the Makefile (-X main.version=...).
var version = "dev"

func main() {
	// TensorFlow's C++ start-up notices are kept out before main runs
	// (pkg/session/quiet.go), unless --verbose or TF_CPP_MIN_LOG_LEVEL;
	// the level then applies to TensorFlow's absl-format lines too.
	session.FilterStderr()
	// Allocator settings for big per-step tensors (no effect on results;
	// PIX2PIX_MEMORY_TUNING=0 turns them off), before TensorFlow allocates.
	session.TuneMemory()
	// oneDNN may keep each convolution's filter once reordered only in a
	// process that never changes one (see session.SetFrozenWeights).
	cmd := commandName(os.Args[1:])
	if v := session.SetFrozenWeights(cmd == "infer" || cmd == "serve"); v != "" {
		fmt.Fprintf(os.Stderr, "pix2pix: TF_ONEDNN_ASSUME_FROZEN_WEIGHTS=%s ignored: only infer and serve keep the weights fixed\n", v)
	}
	code := 0
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "pix2pix:", err)
		code = exitCode(err)
	}
	session.RestoreStderr()
	os.Exit(code)
}

// newApp assembles the command-line application.
func newApp() *cli.App {
	return &cli.App{
		Name:    "pix2pix",
		Usage:   "pix2pix image-to-image translation on TensorFlow, compatible with affinelayer/pix2pix-tensorflow",
		Version: version,
		// os.Stderr, not the descriptor TensorFlow's messages are filtered on.
		ErrWriter: os.Stderr,
		Commands: []*cli.Command{
			trainCommand(),
			workerCommand(),
			testCommand(),
			inferCommand(),
			serveCommand(),
			compareCommand(),
			sweepCommand(),
			exportCommand(),
			dataCommand(),
			graphCommand(),
			versionCommand(),
		},
		Flags: []cli.Flag{
			// Read from argv before the library loads (pkg/session/quiet.go);
			// declared here so that the parser accepts it and --help lists it.
			&cli.BoolFlag{Name: session.VerboseFlag, Usage: "show TensorFlow's own log messages (its start-up notices included); TF_CPP_MIN_LOG_LEVEL, if set, decides instead"},
		},
		EnableBashCompletion: true,
		// sweep's --grid key=v1,v2 keeps its commas: each --grid is one axis.
		DisableSliceFlagSeparator: true,
		// Errors are printed once, by main, with the program's prefix.
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

// commandName is the subcommand args name: the first one that is not a
// flag (the app's only flag, --verbose, takes no value).
func commandName(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// exitCode maps an error to the process exit code: 2 for usage errors, 1 for
// everything else.
func exitCode(err error) int {
	if ec, ok := err.(cli.ExitCoder); ok {
		return ec.ExitCode()
	}
	return 1
}
