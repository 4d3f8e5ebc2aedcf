package trained

import (
	"math/rand"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
)

// techConfig is a small model at crop 64 with the given technique
// options applied by set.
func techConfig(set func(*pix2pix.Config)) pix2pix.Config {
	c := smallConfig()
	c.CropSize = 64
	c.Dropout = false
	if set != nil {
		set(&c)
	}
	return c
}

// sizedImages is a [n, size, size, c] tensor uniform in [-1, 1].
func sizedImages(t *testing.T, rng *rand.Rand, n, size, c int) *tf.Tensor {
	t.Helper()
	vals := make([]float32, n*size*size*c)
	for i := range vals {
		vals[i] = rng.Float32()*2 - 1
	}
	tv, err := tf.NewTensor(vals)
	if err != nil {
		t.Fatal(err)
	}
	if err := tv.Reshape([]int64{int64(n), int64(size), int64(size), int64(c)}); err != nil {
		t.Fatal(err)
	}
	return tv
}

// feeds is a random batch for tr's placeholders.
func feeds(t *testing.T, tr *Trainer, n int, seed int64) map[tf.Output]*tf.Tensor {
	rng := rand.New(rand.NewSource(seed))
	size := int(tr.Model.Config.Size())
	return map[tf.Output]*tf.Tensor{
		tr.Model.Inputs:  sizedImages(t, rng, n, size, tr.Model.Config.InChannels),
		tr.Model.Targets: sizedImages(t, rng, n, size, tr.Model.Config.OutChannels),
	}
}

// run fetches outs (after running targets) with fd.
func run(t *testing.T, tr *Trainer, fd map[tf.Output]*tf.Tensor, outs []tf.Output, targets ...*tf.Operation) []*tf.Tensor {
	t.Helper()
	res, err := tr.Sess.Run(fd, outs, targets)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readVar is the current value of the variable called name.
func readVar(t *testing.T, tr *Trainer, name string) []float32 {
	t.Helper()
	r, ok := tr.Saver.Reads[name]
	if !ok {
		t.Fatalf("no variable %s", name)
	}
	return floats(run(t, tr, nil, []tf.Output{r})[0])
}

// opOutput is output 0 of the first op whose name starts with prefix.
func opOutput(t *testing.T, g *tf.Graph, prefix string) tf.Output {
	t.Helper()
	for _, o := range g.Operations() {
		if strings.HasPrefix(o.Name(), prefix) {
			return o.Output(0)
		}
	}
	t.Fatalf("no op %s*", prefix)
	return tf.Output{}
}
