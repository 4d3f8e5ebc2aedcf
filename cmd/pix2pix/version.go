package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/session"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the program and TensorFlow versions, the library path, whether oneDNN kernels run, whether --precision bf16 can, and the visible devices",
		Action: func(c *cli.Context) error {
			fmt.Printf("pix2pix     %s\n", version)
			fmt.Printf("tensorflow  %s\n", session.TFVersion())
			fmt.Printf("library     %s\n", orUnknown(session.LibraryPath()))
			on, err := session.OneDNNKernels()
			if err != nil {
				return err
			}
			fmt.Printf("onednn      %s: %s\n", map[bool]string{true: "on", false: "off"}[on], session.OneDNNReason(on))
			if err := (session.Options{Precision: session.PrecisionBF16}).CheckPrecision(""); err != nil {
				fmt.Printf("bf16        no: %v\n", err)
			} else if !on {
				fmt.Printf("bf16        no: --precision bf16 needs TensorFlow's oneDNN kernels, and they do not run (see onednn)\n")
			} else {
				fmt.Printf("bf16        yes: --precision bf16 runs (%s)\n", session.BF16Features())
			}
			devs, err := session.ListDevices()
			if err != nil {
				return fmt.Errorf("list devices: %w", err)
			}
			for _, d := range devs {
				// Only an accelerator's memory limit is a real figure; the
				// CPU's is a nominal 256 MiB.
				if d.Type == "CPU" || d.MemoryLimitBytes <= 0 {
					fmt.Printf("device      %s (%s)\n", d.Name, d.Type)
				} else {
					fmt.Printf("device      %s (%s, %.1f GiB)\n", d.Name, d.Type, float64(d.MemoryLimitBytes)/(1<<30))
				}
			}
			return nil
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
