// Package cluster runs pix2pix on several machines through TensorFlow's own
// distributed runtime: it reads the cluster (the --cluster and --task flags,
// or TensorFlow's TF_CONFIG convention), starts this process's TensorFlow
// gRPC server through the C API (TF_NewServer and its family, which graft
// does not wrap: this package holds the feature's only cgo), names each
// task's devices, and checks that the other tasks answer before a session
// depends on them. TensorFlow itself moves the tensors between tasks.
//
// One job, "worker", holds every task; task 0 is the chief, which runs
// the training session and does everything that touches files.
package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Job is the one job name of a pix2pix cluster. TensorFlow's device names
// carry it (/job:worker/replica:0/task:N/...).
const Job = "worker"

// Spec is a cluster: the address ("host:port") of each task of job
// "worker", task i at Tasks[i]. Task 0 is the chief.
type Spec struct {
	Tasks []string
}

// Config is a cluster and which of its tasks this process is.
type Config struct {
	Spec
	Task int
}

// Device is the full TensorFlow name of task's CPU, the name a graph
// places ops on that task with.
func Device(task int) string {
	return fmt.Sprintf("/job:%s/replica:0/task:%d/device:CPU:0", Job, task)
}

// Address is the address of this process's task.
func (c Config) Address() string { return c.Tasks[c.Task] }

// ParseSpec reads the --cluster flag: "worker=host:port,host:port,...",
// the tasks in order (the first is the chief, task 0). The job name is
// required so that the flag reads as TensorFlow's ClusterSpec does.
func ParseSpec(s string) (Spec, error) {
	job, list, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return Spec{}, fmt.Errorf("--cluster %q: want %s=host:port,host:port,... (the chief first)", s, Job)
	}
	if job = strings.TrimSpace(job); job != Job {
		return Spec{}, fmt.Errorf("--cluster %q: job %q: the only job is %q (task 0 is the chief), as in %s=h1:2222,h2:2222", s, job, Job, Job)
	}
	var tasks []string
	if strings.TrimSpace(list) != "" {
		tasks = strings.Split(list, ",")
	}
	sp, err := newSpec(tasks)
	if err != nil {
		return Spec{}, fmt.Errorf("--cluster %q: %w", s, err)
	}
	return sp, nil
}

// newSpec checks the task addresses: at least two tasks (the chief and a
// worker to compute on), each host:port with a port in 1..65535, no
// address twice (two tasks cannot listen on one port).
func newSpec(tasks []string) (Spec, error) {
	if len(tasks) < 2 {
		return Spec{}, fmt.Errorf("%d task(s): a cluster needs the chief (task 0) and at least one worker", len(tasks))
	}
	seen := map[string]int{}
	out := make([]string, len(tasks))
	for i, t := range tasks {
		t = strings.TrimSpace(t)
		if err := checkAddress(t); err != nil {
			return Spec{}, fmt.Errorf("task %d: %w", i, err)
		}
		if j, dup := seen[t]; dup {
			return Spec{}, fmt.Errorf("tasks %d and %d both have address %s: each task needs its own host:port", j, i, t)
		}
		seen[t] = i
		out[i] = t
	}
	return Spec{Tasks: out}, nil
}

func checkAddress(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("address %q: want host:port (%v)", a, err)
	}
	if host == "" {
		return fmt.Errorf("address %q: no host", a)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("address %q: port %q is not a number in 1..65535", a, port)
	}
	return nil
}

// WithTask checks that task is one of the spec's tasks.
func (s Spec) WithTask(task int) (Config, error) {
	if task < 0 || task >= len(s.Tasks) {
		return Config{}, fmt.Errorf("--task %d: the cluster has %d tasks, 0..%d", task, len(s.Tasks), len(s.Tasks)-1)
	}
	return Config{Spec: s, Task: task}, nil
}

// String is the spec as the --cluster flag spells it.
func (s Spec) String() string { return Job + "=" + strings.Join(s.Tasks, ",") }
