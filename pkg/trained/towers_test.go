package trained

import (
	"math"
	"math/rand"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// twoCPUs are the two towers' devices: two CPU devices of one session
// (VirtualCPUs 2).
var twoCPUs = []string{"/device:CPU:0", "/device:CPU:1"}

const towerCrop = 128

// towerConfig is the original's U-Net and PatchGAN at crop 128 (seven
// levels: every kind of layer, a quarter of crop 256's time), small
// widths, dropout off (so a step's numbers depend only on its images).
func towerConfig(reading pix2pix.DiscrimReading) pix2pix.Config {
	c := smallConfig()
	c.CropSize = towerCrop
	c.Dropout = false
	c.Reading = reading
	return c
}

// newPlaced builds cfg with placeholders of batch images on a session
// with two CPU devices, towers on devices (none: the original's graph),
// and initialises it.
func newPlaced(t *testing.T, cfg pix2pix.Config, devices []string, batch int64) *Trainer {
	t.Helper()
	tr, err := NewPlaced(cfg, pix2pix.Placement{Devices: devices}, Placeholders(cfg, batch), session.Options{VirtualCPUs: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	if err := tr.Init(); err != nil {
		t.Fatal(err)
	}
	return tr
}

// image is one random [1, towerCrop, towerCrop, 3] image, as values.
func image(rng *rand.Rand) []float32 {
	v := make([]float32, towerCrop*towerCrop*3)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return v
}

// batchOf stacks images into one [n, towerCrop, towerCrop, 3] tensor.
func batchOf(t *testing.T, images ...[]float32) *tf.Tensor {
	t.Helper()
	var all []float32
	for _, im := range images {
		all = append(all, im...)
	}
	tv, err := tf.NewTensor(all)
	if err != nil {
		t.Fatal(err)
	}
	if err := tv.Reshape([]int64{int64(len(images)), towerCrop, towerCrop, 3}); err != nil {
		t.Fatal(err)
	}
	return tv
}

// pairFeeds feeds tr the examples (inputs[i], targets[i]) as one batch.
func pairFeeds(t *testing.T, tr *Trainer, inputs, targets [][]float32) map[tf.Output]*tf.Tensor {
	return map[tf.Output]*tf.Tensor{tr.Model.Inputs: batchOf(t, inputs...), tr.Model.Targets: batchOf(t, targets...)}
}

// TestTwoTowersOnOneImageEqualOneTower: two towers fed the same image
// take the step one tower takes on it, bit for bit, in every variable
// (weights, Adam slots and powers, loss averages, global_step): each
// tower computes what the single tower does, and the mean of two equal
// float32 numbers is exactly that number.
func TestTwoTowersOnOneImageEqualOneTower(t *testing.T) {
	cfg := towerConfig(pix2pix.ReadFresh)
	rng := rand.New(rand.NewSource(7))
	in, tg := image(rng), image(rng)
	one := newPlaced(t, cfg, nil, 1)
	two := newPlaced(t, cfg, twoCPUs, 2)
	run(t, one, pairFeeds(t, one, [][]float32{in}, [][]float32{tg}), nil, one.Model.Train)
	run(t, two, pairFeeds(t, two, [][]float32{in, in}, [][]float32{tg, tg}), nil, two.Model.Train)

	vars := one.Model.Vars.Sorted()
	if got := len(two.Model.Vars.Sorted()); got != len(vars) {
		t.Fatalf("two towers have %d variables, one tower %d", got, len(vars))
	}
	ra, rb := make([]tf.Output, len(vars)), make([]tf.Output, len(vars))
	for i, v := range vars {
		ra[i], rb[i] = one.Saver.Reads[v.Name], two.Saver.Reads[v.Name]
	}
	va, vb := run(t, one, nil, ra), run(t, two, nil, rb)
	var maxDiff float64
	var differ, elements int
	for k, v := range vars {
		if v.DType != tf.Float {
			if x, y := va[k].Value(), vb[k].Value(); x != y {
				t.Errorf("%s: one tower %v, two towers %v", v.Name, x, y)
			}
			continue
		}
		x, y := floats(va[k]), floats(vb[k])
		for i := range x {
			elements++
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				differ++
				maxDiff = math.Max(maxDiff, math.Abs(float64(x[i])-float64(y[i])))
			}
		}
	}
	t.Logf("after one step, %d variables (%d floats): max |two towers - one tower| = %g, %d floats differ", len(vars), elements, maxDiff, differ)
	if differ > 0 {
		t.Errorf("two towers on one image differ from one tower in %d of %d floats (max %g): want bit-identical", differ, elements, maxDiff)
	}
}

// gradsOf fetches grads (one tensor per variable) with fd, running
// targets in the same step.
func gradsOf(t *testing.T, tr *Trainer, fd map[tf.Output]*tf.Tensor, grads []pix2pix.Grad, targets ...*tf.Operation) [][]float32 {
	t.Helper()
	outs := make([]tf.Output, len(grads))
	for i, g := range grads {
		outs[i] = g.Grad
	}
	res := run(t, tr, fd, outs, targets...)
	out := make([][]float32, len(res))
	for i, r := range res {
		out[i] = floats(r)
	}
	return out
}

// maxRelToMean is the largest |got - (a+b)/2| / |(a+b)/2| over every
// element (the mean in float64), and where the mean is exactly 0, got
// must be too (a = -b, whose float32 sum is exactly 0).
func maxRelToMean(t *testing.T, name string, got, a, b [][]float32) float64 {
	var worst float64
	for v := range got {
		for i := range got[v] {
			want := (float64(a[v][i]) + float64(b[v][i])) / 2
			d := math.Abs(float64(got[v][i]) - want)
			switch {
			case want != 0:
				worst = math.Max(worst, d/math.Abs(want))
			case d != 0:
				t.Errorf("%s: variable %d element %d: mean is 0, two towers give %g", name, v, i, got[v][i])
			}
		}
	}
	return worst
}

// TestTwoTowersAverageGradients: two towers on two different images
// apply the mean of the two one-image gradients. The discriminator's,
// under both readings, is checked against two one-image runs from the
// same initial weights. The generator's is checked under the snapshot
// reading: there a tower's generator gradient depends only on its image
// and the step's starting weights (the discriminator's update, which
// with two towers applies the averaged gradient, is not read), so in
// exact arithmetic it is the one-image run's. (Under the fresh reading a
// tower reads the discriminator after the averaged update, which no
// one-image run makes; the bit-identical test above covers that path.)
func TestTwoTowersAverageGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	ins := [][]float32{image(rng), image(rng)}
	tgs := [][]float32{image(rng), image(rng)}
	for _, reading := range []pix2pix.DiscrimReading{pix2pix.ReadFresh, pix2pix.ReadSnapshot} {
		cfg := towerConfig(reading)
		// Two one-image trainers, each from the seed's initial weights:
		// fetching the generator's gradients runs the discriminator's
		// update (they wait for it), so one trainer cannot serve both.
		oneA, oneB := newPlaced(t, cfg, nil, 1), newPlaced(t, cfg, nil, 1)
		two := newPlaced(t, cfg, twoCPUs, 2)
		want := func(tr *Trainer) []pix2pix.Grad {
			if reading == pix2pix.ReadSnapshot {
				return append(append([]pix2pix.Grad{}, tr.Model.DiscrimGrads...), tr.Model.GenGrads...)
			}
			return tr.Model.DiscrimGrads
		}
		a := gradsOf(t, oneA, pairFeeds(t, oneA, ins[:1], tgs[:1]), want(oneA))
		b := gradsOf(t, oneB, pairFeeds(t, oneB, ins[1:], tgs[1:]), want(oneB))
		got := gradsOf(t, two, pairFeeds(t, two, ins, tgs), want(two), two.Model.Train)
		nd := len(two.Model.DiscrimGrads)
		d := maxRelToMean(t, "discriminator", got[:nd], a[:nd], b[:nd])
		t.Logf("%v reading: discriminator gradients, max relative error to the mean of two one-image runs %g", reading, d)
		if d > 1e-6 {
			t.Errorf("%v reading: discriminator gradients are off the mean by %g relative (want <= 1e-6)", reading, d)
		}
		if reading == pix2pix.ReadSnapshot {
			g := maxRelToMean(t, "generator", got[nd:], a[nd:], b[nd:])
			t.Logf("%v reading: generator gradients, max relative error %g", reading, g)
			if g > 1e-6 {
				t.Errorf("%v reading: generator gradients are off the mean by %g relative (want <= 1e-6)", reading, g)
			}
		}
	}
}
