package train

import (
	"reflect"
	"testing"
)

// TestShouldFollowsTheOriginal checks the event rule the loop uses for
// every frequency (summaries, progress, display, traces, saves): every
// freq-th step counted from 1, and the last step always; never with
// freq 0. It needs no TensorFlow session and no Python.
func TestShouldFollowsTheOriginal(t *testing.T) {
	fires := func(freq, maxSteps int64) []int64 {
		var out []int64
		for step := int64(0); step < maxSteps; step++ {
			if should(freq, step, maxSteps) {
				out = append(out, step)
			}
		}
		return out
	}
	for _, c := range []struct {
		freq, maxSteps int64
		want           []int64
	}{
		{3, 10, []int64{2, 5, 8, 9}},
		{5, 10, []int64{4, 9}},
		{1, 3, []int64{0, 1, 2}},
		{20, 7, []int64{6}},
		{0, 5, nil},
	} {
		if got := fires(c.freq, c.maxSteps); !reflect.DeepEqual(got, c.want) {
			t.Errorf("freq %d over %d steps fires at %v, want %v", c.freq, c.maxSteps, got, c.want)
		}
	}
}

func TestMaxStepsRule(t *testing.T) {
	for _, c := range []struct {
		o    Options
		spe  int
		want int64
	}{
		{Options{MaxSteps: 7, MaxEpochs: 3}, 10, 7},
		{Options{MaxEpochs: 3}, 10, 30},
		{Options{}, 10, 1 << 32},
	} {
		if got := c.o.maxSteps(c.spe); got != c.want {
			t.Errorf("%+v with %d steps per epoch: %d steps, want %d", c.o, c.spe, got, c.want)
		}
	}
}
