package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/session"
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
	if r.ex.summaries != nil {
		if err := writeTraceEvent(r.tr.Sess, r.ex, gs, meta); err != nil {
			return nil, fmt.Errorf("trace of step %d into the event file: %w", gs, err)
		}
	}
	return out, fsutil.WriteFileAtomic(base+".json", 0o644, func(w io.Writer) error {
		if err := session.WriteChromeTrace(w, meta); err != nil {
			return fmt.Errorf("trace of step %d: %w", gs, err)
		}
		return nil
	})
}
