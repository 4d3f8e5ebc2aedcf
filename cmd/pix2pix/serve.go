package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/infer"
	"pix2pix/pkg/serve"
)

func serveCommand() *cli.Command {
	d := serve.DefaultConfig()
	return &cli.Command{
		Name:  "serve",
		Usage: "serve a trained model over HTTP, with a drawing page at /",
		Description: `Opens --model (a training output directory or a SavedModel) once and
answers POST /v1/translate (image bytes in, PNG out), POST
/v1/models/pix2pix:predict (the original export's Cloud ML JSON), GET
/healthz and GET /metrics; GET / is a page to draw on and see the output.
Concurrent requests are batched into generator runs; each image keeps its
own batch-norm statistics, so an answer does not depend on its batch-mates.
One batch runs at a time, on all cores: a lone request's latency is the
lowest; --in-flight 2 runs two at once, the cores divided between them (as
infer), for more images/s under load.
SIGTERM or Ctrl-C stops accepting, answers what is in flight, exits 0.

Example:
   pix2pix serve --model facades_train --addr 127.0.0.1:8000`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "model", Required: true, Usage: "training output directory or SavedModel (pix2pix export)", Category: catData},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8000", Usage: "host:port to listen on (port 0: any free port)", Category: catData},
			&cli.IntFlag{Name: "max-batch", Value: d.MaxBatch, Usage: "images per generator run at most", Category: catData},
			&cli.DurationFlag{Name: "max-wait", Value: d.MaxWait, Usage: "how long a batch waits for more images", Category: catData},
			&cli.IntFlag{Name: "max-queue", Value: d.MaxQueue, Usage: "images in the server at most; over it, 503 at once", Category: catData},
			&cli.Int64Flag{Name: "max-bytes", Value: d.MaxBytes, Usage: "largest request body in bytes", Category: catData},
			&cli.Int64Flag{Name: "max-pixels", Value: d.MaxPixels, Usage: "largest image in pixels, read from its header before decoding", Category: catData},
			&cli.DurationFlag{Name: "timeout", Value: d.Timeout, Usage: "longest a request may take before 503", Category: catData},
			&cli.IntFlag{Name: "workers", Usage: "concurrent decodes and encodes (0: one per core)", Category: catData},
			&cli.Int64Flag{Name: "seed", Usage: "seed of the dropout masks (?dropout=1)", Category: catData},
			&cli.BoolFlag{Name: "exact-deconv", Usage: "the original's ops instead of the faster forms (see infer --help)", Category: catData},
			pngCompressionFlag(),
			&cli.IntFlag{Name: "in-flight", Usage: "generator batches run at once (0: one, the lowest latency for a lone request; on the CPU 2 answer more images/s under load, each run on its share of the cores)", Category: catRuntime},
		}, withUsage(runtimeFlags(), "threads", runThreadsUsage)...),
		Action: runServe,
	}
}

func serveConfig(c *cli.Context) (serve.Config, error) {
	cfg := serve.Config{MaxBatch: c.Int("max-batch"), MaxWait: c.Duration("max-wait"), MaxQueue: c.Int("max-queue"),
		MaxBytes: c.Int64("max-bytes"), MaxPixels: c.Int64("max-pixels"), Timeout: c.Duration("timeout"), Workers: c.Int("workers"),
		Runs: c.Int("in-flight")}
	if err := cfg.Validate(); err != nil {
		return cfg, usage(err)
	}
	return cfg, nil
}

func runServe(c *cli.Context) error {
	cfg, err := serveConfig(c)
	if err != nil {
		return err
	}
	so, err := sessionOptions(c)
	if err != nil {
		return err
	}
	png, err := pngCompression(c)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		return usage(fmt.Errorf("--addr %s: %w", c.String("addr"), err))
	}
	defer ln.Close()
	m, err := infer.OpenServed(infer.Options{Model: c.String("model"), BatchSize: cfg.MaxBatch, Seed: c.Int64("seed"), ExactDeconv: c.Bool("exact-deconv"),
		PNGCompression: png, Session: infer.SplitCores(so, cfg.Runs)})
	if err != nil {
		return err
	}
	defer m.Close()
	srv, err := serve.New(m, cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("serving %s (%s) at http://%s/ : open it to draw; POST /v1/translate, /v1/models/pix2pix:predict; Ctrl-C stops\n",
		c.String("model"), m.Info().Kind, ln.Addr())
	if err := srv.Serve(ctx, srv.HTTPServer(ln.Addr().String()), ln, cfg.Timeout+5*time.Second); err != nil {
		return err
	}
	fmt.Println("stopped: every request in flight was answered")
	return nil
}
