package cluster

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// WaitReachable waits until every task but this one accepts TCP
// connections on its address, retrying (a worker may still be starting)
// until timeout. TensorFlow's CreateSession would otherwise wait for an
// absent worker for ever, logging "still waiting for response from
// worker"; this names the tasks that did not answer and their addresses.
func WaitReachable(ctx context.Context, cfg Config, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pending := map[int]string{}
	for i, a := range cfg.Tasks {
		if i != cfg.Task {
			pending[i] = a
		}
	}
	var d net.Dialer
	for {
		for i, a := range pending {
			c, err := d.DialContext(ctx, "tcp", a)
			if err == nil {
				c.Close()
				delete(pending, i)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: %s not reachable within %v (is `pix2pix worker --cluster %s --task %d` running there, and the port open?)",
				describe(pending), timeout, cfg.Spec, first(pending))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func describe(tasks map[int]string) string {
	ids := make([]int, 0, len(tasks))
	for i := range tasks {
		ids = append(ids, i)
	}
	sort.Ints(ids)
	s := make([]string, len(ids))
	for k, i := range ids {
		s[k] = fmt.Sprintf("worker task %d at %s", i, tasks[i])
	}
	return strings.Join(s, ", ")
}

func first(tasks map[int]string) int {
	m := -1
	for i := range tasks {
		if m < 0 || i < m {
			m = i
		}
	}
	return m
}
