package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"pix2pix/pkg/cluster"
	"pix2pix/pkg/train"
)

const catCluster = "Cluster"

// clusterFlags are the flags of train (the chief) and worker.
func clusterFlags(taskUsage string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "cluster", Usage: "the TensorFlow cluster, worker=host:port,host:port,... (task 0, the chief, first); without it, the " + cluster.EnvVar + " environment variable, if set", Category: catCluster},
		&cli.IntFlag{Name: "task", Usage: taskUsage, Category: catCluster},
		&cli.DurationFlag{Name: "cluster-timeout", Value: train.DefaultClusterTimeout, Usage: "how long the chief waits for every worker to answer at start-up", Category: catCluster},
		&cli.DurationFlag{Name: "cluster-step-timeout", Value: train.DefaultStepTimeout, Usage: "a session run (a step, a save) of the chief that takes longer fails: a worker that hangs without closing its connections is named then", Category: catCluster},
	}
}

// clusterConfig reads --cluster and --task, or TF_CONFIG (the flags win:
// see cluster.Resolve); nil when neither is given.
func clusterConfig(c *cli.Context) (*cluster.Config, error) {
	cfg, ok, err := cluster.Resolve(c.String("cluster"), c.Int("task"), c.IsSet("task"), os.Getenv(cluster.EnvVar))
	if err != nil || !ok {
		return nil, err
	}
	if c.String("cluster") != "" && os.Getenv(cluster.EnvVar) != "" {
		fmt.Fprintf(os.Stderr, "pix2pix: --cluster given: %s is ignored\n", cluster.EnvVar)
	}
	return &cfg, nil
}

// applyCluster sets o's cluster (nil without one) and its timeouts.
func applyCluster(c *cli.Context, o *train.Options) error {
	var err error
	if o.Cluster, err = clusterConfig(c); err != nil || o.Cluster == nil {
		return err
	}
	o.ClusterTimeout = c.Duration("cluster-timeout")
	if o.Session.OperationTimeout = c.Duration("cluster-step-timeout"); o.Session.OperationTimeout <= 0 {
		return fmt.Errorf("--cluster-step-timeout must be > 0 (got %v)", o.Session.OperationTimeout)
	}
	return nil
}

// exitWorkerLost is train's exit code when a cluster worker stopped
// answering (a checkpoint was saved first; see train.ErrWorkerLost).
const exitWorkerLost = 5
