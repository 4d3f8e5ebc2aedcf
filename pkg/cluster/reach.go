package cluster

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// TaskName says which task i is, for messages: "worker task 1 at h2:2222".
func (c Config) TaskName(i int) string { return fmt.Sprintf("worker task %d at %s", i, c.Tasks[i]) }

// others are the tasks but this one, by number.
func (c Config) others() map[int]string {
	out := map[int]string{}
	for i, a := range c.Tasks {
		if i != c.Task {
			out[i] = a
		}
	}
	return out
}

// dial removes from pending every task that accepts a TCP connection
// before ctx ends.
func dial(ctx context.Context, pending map[int]string) {
	var d net.Dialer
	for i, a := range pending {
		if c, err := d.DialContext(ctx, "tcp", a); err == nil {
			c.Close()
			delete(pending, i)
		}
	}
}

// WaitReachable waits until every task but this one accepts TCP
// connections on its address, retrying (a worker may still be starting)
// until timeout. TensorFlow's CreateSession would otherwise wait for an
// absent worker for ever, logging "still waiting for response from
// worker"; this names the tasks that did not answer and their addresses.
func WaitReachable(ctx context.Context, cfg Config, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pending := cfg.others()
	for {
		if dial(ctx, pending); len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			ids := sorted(pending)
			return fmt.Errorf("cluster: %s not reachable within %v (is `pix2pix worker --cluster %s --task %d` running there, and the port open?)",
				cfg.describe(ids), timeout, cfg.Spec, ids[0])
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Unreachable names the tasks but this one that do not accept a TCP
// connection within timeout now: after a failed step, the ones to blame.
func Unreachable(cfg Config, timeout time.Duration) []string {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pending := cfg.others()
	dial(ctx, pending)
	var out []string
	for _, i := range sorted(pending) {
		out = append(out, cfg.TaskName(i))
	}
	return out
}

func (c Config) describe(ids []int) string {
	s := make([]string, len(ids))
	for k, i := range ids {
		s[k] = c.TaskName(i)
	}
	return strings.Join(s, ", ")
}

func sorted(tasks map[int]string) []int {
	ids := make([]int, 0, len(tasks))
	for i := range tasks {
		ids = append(ids, i)
	}
	sort.Ints(ids)
	return ids
}
