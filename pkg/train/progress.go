package train

import (
	"fmt"
	"math"
	"time"
)

// progress prints the original's progress block: epoch and step within
// it, images per second since the start, minutes remaining, and the three
// averaged losses.
func (r *run) progress(step, maxSteps, gs int64, spe int, t0 time.Time) {
	epoch := int64(math.Ceil(float64(gs) / float64(spe)))
	inEpoch := (gs-1)%int64(spe) + 1
	elapsed := time.Since(t0).Seconds()
	rate := float64(step+1) * float64(r.o.GlobalBatch()) / elapsed
	remaining := float64(maxSteps-step) * float64(r.o.GlobalBatch()) / rate
	if r.o.Bar != nil {
		r.o.Bar.Set(step+1, fmt.Sprintf("epoch %d step %d  %.1f img/s  D %.3f  G_GAN %.3f  G_L1 %.3f",
			epoch, inEpoch, rate, r.losses[0], r.losses[1], r.losses[2]))
		if !should(r.o.ProgressFreq, step, maxSteps) {
			return
		}
	}
	towers := ""
	if n := r.o.Placement().Towers(); n > 1 {
		towers = fmt.Sprintf("  global batch %d (%d towers of %d)", r.o.GlobalBatch(), n, r.o.BatchSize)
	}
	fmt.Fprintf(r.out, "progress  epoch %d  step %d  image/sec %0.1f  remaining %dm%s\n", epoch, inEpoch, rate, int64(remaining/60), towers)
	fmt.Fprintln(r.out, "discrim_loss", r.losses[0])
	fmt.Fprintln(r.out, "gen_loss_GAN", r.losses[1])
	fmt.Fprintln(r.out, "gen_loss_L1", r.losses[2])
}
