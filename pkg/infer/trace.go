package infer

import (
	"fmt"
	"io"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/session"
)

// tracedBatch is the generator run that --trace records: the second
// batch, so that the first one's one-time work (oneDNN primitive
// creation, weight reorders, memory pool growth) is left out, or the
// first when there is only one.
func (j *job) tracedBatch() int64 {
	if len(j.o.Inputs) > j.o.BatchSize {
		return 1
	}
	return 0
}

// runGenerator runs one batch through the generator, with a full
// execution trace written to Options.Trace (Chrome trace format) when it
// is the traced batch.
func (j *job) runGenerator(feeds map[tf.Output]*tf.Tensor, step int64) ([]*tf.Tensor, error) {
	fetch := []tf.Output{j.output}
	if j.o.Trace == "" || step != j.tracedBatch() {
		return j.sess.Run(feeds, fetch, nil)
	}
	out, meta, err := session.RunTraced(j.sess, feeds, fetch, nil)
	if err != nil {
		return nil, err
	}
	if err := fsutil.WriteFileAtomic(j.o.Trace, 0o644, func(w io.Writer) error {
		return session.WriteChromeTrace(w, meta)
	}); err != nil {
		return nil, fmt.Errorf("--trace %s: %w", j.o.Trace, err)
	}
	return out, nil
}
