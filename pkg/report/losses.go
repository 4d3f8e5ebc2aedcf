package report

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LossFile is the log of averaged losses a training run appends to in its
// output directory: step, the three averaged losses, the health signals
// (mean D(real) and D(fake), both gradient norms) and the two learning
// rates of the step (lossHeader); logs of earlier versions have 4 columns.
const LossFile = "losses.csv"

// LossPoint is one logged step.
type LossPoint struct {
	Step                   int64
	Discrim, GenGAN, GenL1 float64
	// Health signals (NaN in a log of an earlier version).
	DReal, DFake, GenGradNorm, DiscrimGradNorm float64
	// LR and DiscrimLR are the generator's and discriminator's learning
	// rates of the step (NaN in a log of an earlier version).
	LR, DiscrimLR float64
}

const lossHeader = "step,discrim_loss,gen_loss_GAN,gen_loss_L1,d_real,d_fake,gen_grad_norm,discrim_grad_norm,lr,discrim_lr\n"

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
		l.w.WriteString(lossHeader)
	}
	return l, nil
}

// Add logs one point.
func (l *LossLog) Add(p LossPoint) {
	fmt.Fprintf(l.w, "%d,%g,%g,%g,%g,%g,%g,%g,%g,%g\n", p.Step, p.Discrim, p.GenGAN, p.GenL1,
		p.DReal, p.DFake, p.GenGradNorm, p.DiscrimGradNorm, p.LR, p.DiscrimLR)
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
		if p, ok := parseLossLine(line); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// parseLossLine reads one line of 4 columns (earlier logs) or 10; the
// columns a line lacks are NaN.
func parseLossLine(line string) (LossPoint, bool) {
	f := strings.Split(line, ",")
	if len(f) != 4 && len(f) != 10 {
		return LossPoint{}, false
	}
	step, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return LossPoint{}, false
	}
	v := [9]float64{}
	for i := range v {
		v[i] = math.NaN()
	}
	for i := 1; i < len(f); i++ {
		if v[i-1], err = strconv.ParseFloat(f[i], 64); err != nil {
			return LossPoint{}, false
		}
	}
	return LossPoint{Step: step, Discrim: v[0], GenGAN: v[1], GenL1: v[2], DReal: v[3], DFake: v[4],
		GenGradNorm: v[5], DiscrimGradNorm: v[6], LR: v[7], DiscrimLR: v[8]}, true
}
