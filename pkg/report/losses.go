package report

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LossFile is the log of averaged losses a training run appends to in its
// output directory: "step,discrim_loss,gen_loss_GAN,gen_loss_L1,lr,discrim_lr"
// lines (the two learning rates of the step; older logs have 4 columns).
const LossFile = "losses.csv"

// LossPoint is one logged step.
type LossPoint struct {
	Step                   int64
	Discrim, GenGAN, GenL1 float64
	// LR and DiscrimLR are the generator's and discriminator's learning
	// rates of the step (0 in an older log).
	LR, DiscrimLR float64
}

// LossLog appends loss points to a run's log.
type LossLog struct {
	f *os.File
	w *bufio.Writer
}

// OpenLossLog opens dir/losses.csv for appending, writing the header if the
// file is new.
func OpenLossLog(dir string) (*LossLog, error) {
	path := filepath.Join(dir, LossFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	l := &LossLog{f: f, w: bufio.NewWriter(f)}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		l.w.WriteString("step,discrim_loss,gen_loss_GAN,gen_loss_L1,lr,discrim_lr\n")
	}
	return l, nil
}

// Add logs one point.
func (l *LossLog) Add(p LossPoint) {
	fmt.Fprintf(l.w, "%d,%g,%g,%g,%g,%g\n", p.Step, p.Discrim, p.GenGAN, p.GenL1, p.LR, p.DiscrimLR)
}

// Flush pushes logged points to the file.
func (l *LossLog) Flush() error { return l.w.Flush() }

// Close flushes and closes the log.
func (l *LossLog) Close() error {
	if err := l.w.Flush(); err != nil {
		l.f.Close()
		return err
	}
	return l.f.Close()
}

// ReadLosses reads dir/losses.csv; lines it cannot read (a crash mid-line)
// are skipped. A missing file gives no points and no error.
func ReadLosses(dir string) ([]LossPoint, error) {
	data, err := os.ReadFile(filepath.Join(dir, LossFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []LossPoint
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ",")
		if len(f) != 4 && len(f) != 6 {
			continue
		}
		step, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		var v [3]float64
		ok := true
		for i := range v {
			if v[i], err = strconv.ParseFloat(f[i+1], 64); err != nil {
				ok = false
			}
		}
		if ok {
			p := LossPoint{Step: step, Discrim: v[0], GenGAN: v[1], GenL1: v[2]}
			if len(f) == 6 {
				p.LR, _ = strconv.ParseFloat(f[4], 64)
				p.DiscrimLR, _ = strconv.ParseFloat(f[5], 64)
			}
			out = append(out, p)
		}
	}
	return out, nil
}
