package train

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/cluster"
	"pix2pix/pkg/session"
)

// ErrWorkerLost is returned when a cluster task stopped answering during
// training; the checkpoint saved on the way out is named in the wrapping
// error.
var ErrWorkerLost = errors.New("worker lost")

// DefaultClusterTimeout is how long the chief waits for its workers.
const DefaultClusterTimeout = 30 * time.Second

// DefaultStepTimeout bounds each session run of a cluster run: far more
// than a step takes, so that only a worker that hangs trips it.
const DefaultStepTimeout = 5 * time.Minute

// startChief starts the chief's TensorFlow server, waits for the workers
// to answer, and points the session at the server, with a tower on
// every task (unless o.Devices says otherwise) and the variables on the
// chief. The server lives as long as the process (see
// cluster.Server.Stop).
func startChief(ctx context.Context, o *Options) error {
	c := o.Cluster
	timeout := o.ClusterTimeout
	if timeout <= 0 {
		timeout = DefaultClusterTimeout
	}
	srv, err := cluster.NewServer(*c)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "cluster: chief (task 0) serving on %s; waiting up to %v for %d worker(s)\n", c.Address(), timeout, len(c.Tasks)-1)
	if err := cluster.WaitReachable(ctx, *c, timeout); err != nil {
		return err
	}
	o.Session.Target = srv.Target()
	if o.Session.OperationTimeout == 0 {
		o.Session.OperationTimeout = DefaultStepTimeout
	}
	o.Devices, o.VariableDevice = o.clusterPlacement()
	return nil
}

// clusterPlacement is a cluster run's devices: --devices if given, else a
// tower on every task's CPU; the variables on the chief's CPU unless
// --variable-device says otherwise. The chief reads the inputs and
// writes every file, so the variables live with it and a lost worker
// never takes them along.
func (o Options) clusterPlacement() ([]string, string) {
	devs, vdev := o.Devices, o.VariableDevice
	if len(devs) == 0 {
		for t := range o.Cluster.Tasks {
			devs = append(devs, cluster.Device(t))
		}
	}
	if vdev == "" {
		vdev = cluster.Device(0)
	}
	return devs, vdev
}

// workerLost turns a failed step of a cluster run into ErrWorkerLost when
// a worker stopped answering: the variables live on the chief, so it
// saves them at their global step (unless that checkpoint is already the
// last one) and says how to resume. Other failures are returned as they
// are.
//
// gs is the global step the failed step would have reached. The step's
// updates run on the chief as their inputs arrive from the worker (the
// original groups them, with no order between global_step's increment,
// the loss averages and the generator's update), so when global_step
// already advanced, some of that step's updates may be in the checkpoint:
// the message says so, since that one is not a state an uninterrupted
// run passes through.
func (r *run) workerLost(stepErr error, gs int64) error {
	if r.o.Cluster == nil {
		return stepErr
	}
	lost := cluster.Unreachable(*r.o.Cluster, 2*time.Second)
	if len(lost) == 0 && timedOut(stepErr) {
		// A worker that hangs (a stopped process, a network partition)
		// still accepts connections: the step's deadline is the sign.
		for t := 1; t < len(r.o.Cluster.Tasks); t++ {
			lost = append(lost, fmt.Sprintf("%s (no answer within %v)", r.o.Cluster.TaskName(t), r.o.Session.OperationTimeout))
		}
	}
	if len(lost) == 0 {
		return stepErr
	}
	// The variables are the chief's, so saving needs no worker; closing
	// the session would wait for the lost one for ever.
	r.tr.Sess.Abandon()
	cur, err := r.tr.GlobalStep()
	if err != nil {
		return fmt.Errorf("%w: %s stopped answering (%s); reading global_step to save failed: %v", ErrWorkerLost, strings.Join(lost, ", "), session.FirstLine(stepErr), err)
	}
	partial, exact := cur >= gs, r.lastSave
	if partial {
		// Not a state an uninterrupted run passes through: keep the last
		// exact checkpoint beside it.
		r.keeper.KeepOneMore()
	}
	saved := r.saveAfterLoss(cur)
	if partial {
		saved += fmt.Sprintf(" (step %d failed part way: some of its updates may be in it", gs)
		if exact != "" && exact != r.lastSave {
			saved += fmt.Sprintf("; %s, the last exact state, is kept", filepath.Base(exact))
		}
		saved += ")"
	}
	return fmt.Errorf("%w: %s stopped answering (%s); %s; restart it and resume with --checkpoint %s",
		ErrWorkerLost, strings.Join(lost, ", "), session.FirstLine(stepErr), saved, r.o.OutputDir)
}

// saveAfterLoss saves the chief's variables as model-<gs> and says what
// it did; if no step ran since that checkpoint was saved or loaded, it
// already holds them and is left as it is.
func (r *run) saveAfterLoss(gs int64) string {
	want := filepath.Join(r.o.OutputDir, fmt.Sprintf("model-%d", gs))
	if r.lastSave == want || (r.lastSave == "" && sameCheckpoint(r.restored, want)) {
		return fmt.Sprintf("no step since %s was saved", filepath.Base(want))
	}
	fmt.Fprintln(r.out, "saving model")
	if err := r.save(gs); err != nil {
		return fmt.Sprintf("saving %s failed: %v", filepath.Base(want), err)
	}
	return "saved " + filepath.Base(r.lastSave)
}

// checkCluster refuses a cluster run that cannot start: train is task 0.
func (o Options) checkCluster() error {
	if o.Cluster == nil {
		return nil
	}
	if o.Cluster.Task != 0 {
		return fmt.Errorf("--task %d: train runs on the chief, task 0; start task %d with `pix2pix worker --cluster %s --task %d`", o.Cluster.Task, o.Cluster.Task, o.Cluster.Spec, o.Cluster.Task)
	}
	if o.ClusterTimeout < 0 {
		return fmt.Errorf("--cluster-timeout must be > 0 (got %v)", o.ClusterTimeout)
	}
	if o.Session.Precision == session.PrecisionBF16 {
		// The rewrite's CPU check can only look at this machine.
		return fmt.Errorf("--precision bf16 with --cluster: the workers' CPUs are not checked for bfloat16 instructions; train a cluster with --precision fp32")
	}
	devs, vdev := o.clusterPlacement()
	return pix2pix.Placement{Devices: devs, VariableDevice: vdev}.Check(o.Model)
}

// timedOut tells whether a step failed on its deadline (the session's
// OperationTimeout), which TensorFlow reports as DEADLINE_EXCEEDED.
func timedOut(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "deadline") || strings.Contains(m, "timed out")
}
