package train

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"

	"pix2pix/pkg/fsutil"
)

// traced runs a step with a full execution trace and writes it as
// traces/step_<global_step>.json in the Chrome trace-event format (open it
// in chrome://tracing or https://ui.perfetto.dev), plus the raw RunMetadata
// protobuf beside it; with an event file, the RunMetadata goes there too,
// as the original puts it.
func (r *run) traced(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation, gs int64) ([]*tf.Tensor, error) {
	out, meta, err := r.tr.Sess.RunTraced(feeds, fetches, targets)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(r.o.OutputDir, "traces")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(dir, fmt.Sprintf("step_%d", gs))
	if err := fsutil.WriteFileAtomic(base+".runmeta.pb", 0o644, func(w io.Writer) error {
		_, err := w.Write(meta)
		return err
	}); err != nil {
		return nil, err
	}
	var md cfgpb.RunMetadata
	if err := proto.Unmarshal(meta, &md); err != nil {
		return nil, fmt.Errorf("trace of step %d: %w", gs, err)
	}
	if r.ex.summaries != nil {
		if err := writeTraceEvent(r.tr.Sess, r.ex, gs, meta); err != nil {
			return nil, fmt.Errorf("trace of step %d into the event file: %w", gs, err)
		}
	}
	return out, fsutil.WriteFileAtomic(base+".json", 0o644, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(chromeTrace(&md))
	})
}

type traceEvent struct {
	Name string            `json:"name"`
	Cat  string            `json:"cat,omitempty"`
	Ph   string            `json:"ph"`
	Ts   int64             `json:"ts"`
	Dur  int64             `json:"dur,omitempty"`
	Pid  int               `json:"pid"`
	Tid  uint32            `json:"tid"`
	Args map[string]string `json:"args,omitempty"`
}

// chromeTrace lays the step's node executions out one process per device
// and one row per thread.
func chromeTrace(md *cfgpb.RunMetadata) map[string]interface{} {
	var events []traceEvent
	for pid, dev := range md.GetStepStats().GetDevStats() {
		events = append(events, traceEvent{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]string{"name": dev.Device}})
		for _, n := range dev.NodeStats {
			op := n.TimelineLabel
			if i := strings.Index(op, " = "); i >= 0 {
				op = op[i+3:]
				if j := strings.IndexByte(op, '('); j >= 0 {
					op = op[:j]
				}
			}
			dur := n.AllEndRelMicros
			if dur < 1 {
				dur = 1
			}
			events = append(events, traceEvent{Name: n.NodeName, Cat: op, Ph: "X", Ts: n.AllStartMicros, Dur: dur,
				Pid: pid, Tid: n.ThreadId, Args: map[string]string{"label": n.TimelineLabel}})
		}
	}
	return map[string]interface{}{"traceEvents": events, "displayTimeUnit": "ms"}
}
