package train

import (
	"bufio"
	"fmt"
	"os"
	"time"
)

// stepLog writes one JSON line per step, {"step": N, "start": s, "end": e}
// in Unix seconds, the format the Python reference harness writes too, so
// `make bench` times both programs the same way: start is taken before
// waiting for the step's batch, so the input pipeline counts.
type stepLog struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

func openStepLog(path string) (*stepLog, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--step-times: %w", err)
	}
	return &stepLog{f: f, w: bufio.NewWriter(f), path: path}, nil
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// add records one step; it flushes every line so a killed run keeps the
// steps it made.
func (l *stepLog) add(step int64, start, end time.Time) error {
	if l == nil {
		return nil
	}
	fmt.Fprintf(l.w, "{\"step\": %d, \"start\": %.6f, \"end\": %.6f}\n", step, unixSeconds(start), unixSeconds(end))
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("--step-times %s: %w", l.path, err)
	}
	return nil
}

func (l *stepLog) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
