package main

import (
	"fmt"
	"math"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/session"
)

// Exit codes: 2 for a usage error (a bad flag value or argument, found
// before anything is read or written), 1 for everything else (bad data, a
// bad checkpoint, some images failed), 130 for an interrupted run.
const exitUsage = 2

// usage makes err a usage error (exit code 2).
func usage(err error) error {
	if err == nil {
		return nil
	}
	return cli.Exit(err.Error(), exitUsage)
}

// checkFlags validates the common flag values a command has, so that every
// bad value is a usage error before anything is created: integer flags
// that must be >= 0, float flags that must be finite, and the runtime
// flags (--device, --threads).
func checkFlags(c *cli.Context, nonNegative, finite []string) error {
	for _, name := range nonNegative {
		if v := c.Int64(name); v < 0 {
			return usage(fmt.Errorf("--%s must be >= 0 (got %d)", name, v))
		}
	}
	for _, name := range finite {
		if v := c.Float64(name); math.IsNaN(v) || math.IsInf(v, 0) {
			return usage(fmt.Errorf("--%s must be a finite number (got %v)", name, v))
		}
	}
	return checkRuntimeFlags(c)
}

// checkRuntimeFlags validates --device and the thread counts, if the
// command has them.
func checkRuntimeFlags(c *cli.Context) error {
	if !hasFlag(c, "device") {
		return nil
	}
	if _, err := session.ParseDevice(c.String("device")); err != nil {
		return usage(fmt.Errorf("--device: %w", err))
	}
	for _, name := range []string{"threads", "inter-op-threads"} {
		if v := c.Int(name); v < 0 {
			return usage(fmt.Errorf("--%s must be >= 0 (got %d)", name, v))
		}
	}
	if err := session.CheckGPUMemoryFraction(c.Float64("gpu-memory-fraction")); err != nil {
		return usage(err)
	}
	switch m := c.String("onednn"); m {
	case session.OneDNNAuto, session.OneDNNOn, session.OneDNNOff:
	default:
		return usage(fmt.Errorf("--onednn %q: want auto, on or off", m))
	}
	return nil
}

// hasFlag reports whether the command defines the flag.
func hasFlag(c *cli.Context, name string) bool {
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// atLeastOne rejects an int flag below 1.
func atLeastOne(c *cli.Context, name string) error {
	if v := c.Int(name); v < 1 {
		return usage(fmt.Errorf("--%s must be >= 1 (got %d)", name, v))
	}
	return nil
}

// runThreadsUsage is --threads for infer and serve, whose generator runs
// at once share the cores (infer.SplitCores).
const runThreadsUsage = "intra-op threads of each generator run (0: the CPU's cores divided between the runs in flight; other counts split sums differently, so numerics change slightly)"

// withUsage replaces the help text of the int flag name in flags, for a
// command where a shared flag's zero means something else.
func withUsage(flags []cli.Flag, name, text string) []cli.Flag {
	for _, f := range flags {
		if i, ok := f.(*cli.IntFlag); ok && i.Name == name {
			i.Usage = text
		}
	}
	return flags
}
