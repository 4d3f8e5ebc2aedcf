package session

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	cfgpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

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

// ChromeTrace lays a run's node executions (RunMetadata step stats) out
// in the Chrome trace-event format (chrome://tracing, ui.perfetto.dev):
// one process per device, one row per thread, each event named by its
// node with the kernel's op type as its category (what
// scripts/bench/breakdown.py aggregates).
func ChromeTrace(md *cfgpb.RunMetadata) map[string]interface{} {
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

// WriteChromeTrace writes serialized RunMetadata as a Chrome trace.
func WriteChromeTrace(w io.Writer, meta []byte) error {
	var md cfgpb.RunMetadata
	if err := proto.Unmarshal(meta, &md); err != nil {
		return fmt.Errorf("run metadata: %w", err)
	}
	return json.NewEncoder(w).Encode(ChromeTrace(&md))
}
