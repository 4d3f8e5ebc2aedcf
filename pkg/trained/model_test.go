package trained

import (
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// TestEMAFollowsLosses runs three steps and checks each loss average moved
// as shadow = 0.99*shadow + 0.01*loss, with the losses fetched in the same
// steps, and that global_step counts the steps.
func TestEMAFollowsLosses(t *testing.T) {
	tr := newTrainer(t, smallConfig(), 1)
	m := tr.Model
	rng := rand.New(rand.NewSource(3))
	feeds := map[tf.Output]*tf.Tensor{m.Inputs: randomImages(t, rng, 1, 3), m.Targets: randomImages(t, rng, 1, 3)}
	shadow := [3]float64{}
	for step := 1; step <= 3; step++ {
		// The averages are read after this step's update, in the same run.
		out, err := tr.Sess.Run(feeds, []tf.Output{m.DiscrimLoss, m.GenLossGAN, m.GenLossL1, m.GlobalStep,
			m.DiscrimLossAvg, m.GenLossGANAvg, m.GenLossL1Avg}, []*tf.Operation{m.Train})
		if err != nil {
			t.Fatal(err)
		}
		avg := out[4:]
		if gs := session.Value(out[3]).(int64); gs != int64(step-1) {
			t.Errorf("step %d: global_step read at the start = %d, want %d", step, gs, step-1)
		}
		for i := range shadow {
			loss := float64(session.Value(out[i]).(float32))
			shadow[i] = 0.99*shadow[i] + 0.01*loss
			got := float64(session.Value(avg[i]).(float32))
			if d := math.Abs(got - shadow[i]); d > 1e-6*math.Max(1, math.Abs(shadow[i])) {
				t.Errorf("step %d: average %d = %.9g, want 0.99*shadow + 0.01*loss = %.9g (diff %.2g)", step, i, got, shadow[i], d)
			}
		}
		t.Logf("step %d: losses %.6f %.6f %.6f  averages %.6f %.6f %.6f", step,
			session.Value(out[0]), session.Value(out[1]), session.Value(out[2]), session.Value(avg[0]), session.Value(avg[1]), session.Value(avg[2]))
	}
}

// TestFastFormsMatchOriginalOps: the generator built with FastForms (its
// transposed convolutions as four convolutions with the bias inside each,
// its leaky ReLU as one op) gives the same outputs up to float rounding.
func TestFastFormsMatchOriginalOps(t *testing.T) {
	// With no norm, every encoder's output is a BiasAdd that a skip
	// connection reads: the case the fast forms' skip input exists for.
	for _, norm := range []string{pix2pix.NormBatch, pix2pix.NormNone} {
		t.Run(norm, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Dropout, cfg.GenNorm = false, norm
			tr := newTrainer(t, cfg, 2)
			prefix := filepath.Join(t.TempDir(), "w")
			if err := tr.SaveTo(prefix); err != nil {
				t.Fatal(err)
			}
			fast := cfg
			fast.FastForms = true
			tf2 := newTrainer(t, fast, 2)
			if err := tf2.Restore(prefix); err != nil {
				t.Fatal(err)
			}
			// decoder_1 reads encoder_1 through its leaky ReLU, which
			// leaves the convolution's output one reader.
			if op, name := skipInput(t, tf2.Graph, "generator/decoder_1/concat/ConcatV2"); op != "LeakyRelu" || !strings.HasPrefix(name, "generator/encoder_1/") {
				t.Errorf("fast forms: decoder_1's skip input is a %s (%s), want encoder_1's LeakyRelu", op, name)
			}
			rng := rand.New(rand.NewSource(9))
			in, tg := randomImages(t, rng, 2, 3), randomImages(t, rng, 2, 3)
			a, err := tr.Sess.Run(map[tf.Output]*tf.Tensor{tr.Model.Inputs: in, tr.Model.Targets: tg}, []tf.Output{tr.Model.Outputs}, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := tf2.Sess.Run(map[tf.Output]*tf.Tensor{tf2.Model.Inputs: in, tf2.Model.Targets: tg}, []tf.Output{tf2.Model.Outputs}, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := maxAbsDiff(floats(a[0]), floats(b[0]))
			t.Logf("generator outputs, original ops vs fast forms: max abs difference %.3g", d)
			if d > 1e-4 {
				t.Errorf("the fast forms differ by %.3g", d)
			}
		})
	}
}

// skipInput is the op type and name of the second input of the concat
// node (a decoder's skip input).
func skipInput(t *testing.T, g *tf.Graph, concat string) (string, string) {
	t.Helper()
	gd, err := session.GraphDef(g)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	var in string
	for _, n := range gd.Node {
		types[n.Name] = n.Op
		if n.Name == concat {
			in = strings.SplitN(n.Input[1], ":", 2)[0]
		}
	}
	if in == "" {
		t.Fatalf("no node %s with two inputs", concat)
	}
	return types[in], in
}
