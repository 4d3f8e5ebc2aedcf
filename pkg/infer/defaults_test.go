package infer

import (
	"runtime"
	"testing"

	"pix2pix/pkg/session"
)

// TestFillDefaults: on the CPU a job left at zero gets runs of
// DefaultCPUBatchSize, DefaultCPUInFlight of them, the cores divided
// between them (at least one thread each); on a GPU one run of
// DefaultBatchSize with TensorFlow's thread choice; what is set stays.
func TestFillDefaults(t *testing.T) {
	cores := runtime.NumCPU()
	rows := []struct {
		name                         string
		in                           Options
		batch, inFlight, intra, work int
	}{
		{"cpu", Options{}, DefaultCPUBatchSize, DefaultCPUInFlight, max(1, cores/DefaultCPUInFlight), cores},
		{"cpu, one run", Options{InFlight: 1}, DefaultCPUBatchSize, 1, cores, cores},
		{"cpu, more runs than cores", Options{InFlight: 2 * cores}, DefaultCPUBatchSize, 2 * cores, 1, cores},
		{"cpu, all set", Options{BatchSize: 3, InFlight: 1, Workers: 5, Session: session.Options{IntraOp: 7}}, 3, 1, 7, 5},
		{"gpu", Options{Session: session.Options{Device: "gpu:1"}}, DefaultBatchSize, 1, 0, cores},
	}
	for _, r := range rows {
		o := r.in
		if err := o.fillDefaults(); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		got := [4]int{o.BatchSize, o.InFlight, o.Session.IntraOp, o.Workers}
		if want := [4]int{r.batch, r.inFlight, r.intra, r.work}; got != want {
			t.Errorf("%s: batch, in flight, intra-op threads, workers = %v, want %v", r.name, got, want)
		}
	}
	o := Options{Session: session.Options{Device: "tpu"}}
	if err := o.fillDefaults(); err == nil {
		t.Error("device tpu: no error")
	}
}
