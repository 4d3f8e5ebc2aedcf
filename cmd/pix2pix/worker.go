package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/cluster"
)

func workerCommand() *cli.Command {
	return &cli.Command{
		Name:  "worker",
		Usage: "serve this machine's devices to a training cluster (TensorFlow's gRPC server)",
		Description: `Starts the TensorFlow server of task --task of --cluster (or of
TF_CONFIG) and waits: the chief, ` + "`pix2pix train --cluster ... --task 0`" + `,
runs the model's compute here. Ctrl-C or SIGTERM stops it.

Example, on the second of two machines:
   pix2pix worker --cluster worker=h1:2222,h2:2222 --task 1`,
		Flags:  clusterFlags("this machine's task in the cluster (1, 2, ...; task 0 is the chief, which runs train)")[:2],
		Action: runWorker,
	}
}

func runWorker(c *cli.Context) error {
	cfg, err := clusterConfig(c)
	if err != nil {
		return usage(err)
	}
	if cfg == nil {
		return usage(fmt.Errorf("worker needs --cluster and --task, or %s", cluster.EnvVar))
	}
	if cfg.Task == 0 {
		return usage(fmt.Errorf("task 0 is the chief: run `pix2pix train --cluster %s --task 0` there, and workers with --task 1..%d", cfg.Spec, len(cfg.Tasks)-1))
	}
	// Signals are caught before the server starts, so that one arriving
	// while it starts still ends the process cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	srv, err := cluster.NewServer(*cfg)
	if err != nil {
		return err
	}
	fmt.Printf("worker task %d of %s listening on %s (%s); Ctrl-C stops\n", cfg.Task, cfg.Spec, cfg.Address(), srv.Target())
	s := <-sig
	// The server cannot be stopped cleanly (see cluster.Server.Stop): it
	// ends with the process, which exits now.
	fmt.Printf("worker task %d: %v: stopping\n", cfg.Task, s)
	return nil
}
