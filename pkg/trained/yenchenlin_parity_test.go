package trained

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/yenchenlin"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/session"
)

// yenOutputs are the forward endpoints under the reference's names.
func yenOutputs(y *Yenchenlin) ([]string, []tf.Output) {
	m := y.Model
	return []string{"fake_B", "D", "D_logits", "D_", "D_logits_", "d_loss", "g_loss"},
		[]tf.Output{m.FakeB, m.D, m.DLogits, m.DFake, m.DFakeLogits, m.DLoss, m.GLoss}
}

// TestYenchenlinForwardMatchesReference: from the same weights (written
// by the reference's Saver, 110 variables, restored here with Adam
// afresh; then written here with every variable and restored there), one
// forward run gives the same fake_B, discriminator outputs and losses
// within 1e-5, and moves the generator's moving statistics the same way;
// the generator-only graph restores the reference's checkpoint too.
func TestYenchenlinForwardMatchesReference(t *testing.T) {
	cfg := yenConfig()
	const batch = 1
	dir := t.TempDir()
	y := newYen(t, cfg, batch)
	data, feeds := yenData(t, y, dir, batch)
	refInit := filepath.Join(dir, "ref-init", "model")
	runYenRef(t, "init", cfg, batch, "--seed", "3", "--out", refInit)
	for _, writer := range []string{"reference", "go"} {
		prefix := refInit
		if writer == "reference" {
			fresh, err := y.RestoreAny(refInit)
			if err != nil {
				t.Fatal(err)
			}
			if !fresh {
				t.Fatalf("%s holds no Adam state, yet RestoreAny restored it all", refInit)
			}
		} else {
			prefix = filepath.Join(dir, "go-init")
			if err := y.Restore(refInit + "-unused"); err == nil {
				t.Fatal("restoring a missing checkpoint succeeded")
			}
			if _, err := y.RestoreAny(refInit); err != nil {
				t.Fatal(err)
			}
			if err := y.SaveTo(prefix); err != nil {
				t.Fatal(err)
			}
			if _, err := y.RestoreAny(prefix); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(dir, writer+"-forward")
		runYenRef(t, "forward", cfg, batch, "--ckpt", prefix, "--data", data, "--out", out)
		ref, err := checkpoint.ReadTensors(filepath.Join(out, "result"))
		if err != nil {
			t.Fatal(err)
		}
		names, fetches := yenOutputs(y)
		got, err := y.Sess.Run(feeds, fetches, nil)
		if err != nil {
			t.Fatal(err)
		}
		var line []string
		for i, n := range names {
			d := maxAbsDiff(floats(got[i]), floats(ref[n]))
			line = append(line, fmt.Sprintf("%s %.3g", n, d))
			if d > 1e-5 {
				t.Errorf("weights from %s: %s differs from the reference by %.3g > 1e-5", writer, n, d)
			}
		}
		if writer == "reference" {
			checkGeneratorGraph(t, y, feeds, prefix, ref["fake_B"])
		}
		gen, dis := compareMoving(t, y, ref)
		t.Logf("weights written by %s; max abs differences: %s; moving statistics after the run: generator %.3g, discriminator %.3g",
			writer, strings.Join(line, ", "), gen, dis)
		if gen > 1e-5 {
			t.Errorf("weights from %s: generator moving statistics differ by %.3g > 1e-5 after one run", writer, gen)
		}
	}
}

// compareMoving returns the largest difference of the generator's and of
// the discriminator's moving statistics from the reference's after/<var>.
func compareMoving(t *testing.T, y *Yenchenlin, ref map[string]*tf.Tensor) (gen, dis float64) {
	t.Helper()
	for _, v := range y.Model.CheckpointVars {
		if !strings.Contains(v.Name, "/moving_") {
			continue
		}
		got, err := y.Sess.Run(nil, []tf.Output{y.Saver.Reads[v.Name]}, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := ref["after/"+v.Name]
		if !ok {
			t.Fatalf("reference result has no after/%s", v.Name)
		}
		d := maxAbsDiff(floats(got[0]), floats(r))
		if strings.HasPrefix(v.Name, "generator/") {
			gen = math.Max(gen, d)
		} else {
			dis = math.Max(dis, d)
		}
	}
	return gen, dis
}

// yenIteration runs one iteration of the program's loop on y: one D
// update, two G updates, then the three loss evaluations it prints, each
// a run of its own (each run moves the moving statistics).
func yenIteration(t *testing.T, y *Yenchenlin, feeds map[tf.Output]*tf.Tensor) map[string]float32 {
	t.Helper()
	m := y.Model
	for _, o := range []*tf.Operation{m.DOptim, m.GOptim, m.GOptim} {
		if _, err := y.Sess.Run(feeds, nil, []*tf.Operation{o}); err != nil {
			t.Fatal(err)
		}
	}
	losses := map[string]float32{}
	for _, l := range []struct {
		name string
		out  tf.Output
	}{{"d_loss_fake", m.DLossFake}, {"d_loss_real", m.DLossReal}, {"g_loss", m.GLoss}} {
		got, err := y.Sess.Run(feeds, []tf.Output{l.out}, nil)
		if err != nil {
			t.Fatal(err)
		}
		losses[l.name] = floats(got[0])[0]
	}
	return losses
}

// TestYenchenlinStepMatchesReference: one iteration (D, G, G) from the
// same weights in Go and in the reference: weights within the tolerances
// of the affinelayer step test (at most 0.1% of the elements off by more
// than 1e-5, none by more than 2 x lr per update), Adam moments within
// 1e-4 relative (except those of biases before batch norm, whose
// gradient is rounding noise), beta powers exact: D's beta1_power
// 0.5^2, G's beta1_power_1 0.5^3 (each starts at beta1 and is multiplied
// once per update).
func TestYenchenlinStepMatchesReference(t *testing.T) {
	cfg := yenConfig()
	const batch = 1
	dir := t.TempDir()
	y := newYen(t, cfg, batch)
	data, feeds := yenData(t, y, dir, batch)
	init := filepath.Join(dir, "init", "model")
	runYenRef(t, "init", cfg, batch, "--seed", "3", "--out", init)
	refOut := filepath.Join(dir, "ref")
	runYenRef(t, "step", cfg, batch, "--ckpt", init, "--data", data, "--out", refOut, "--steps", "1")
	ref, err := checkpoint.ReadTensors(filepath.Join(refOut, "result"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := y.RestoreAny(init); err != nil {
		t.Fatal(err)
	}
	losses := yenIteration(t, y, feeds)
	var lossLine []string
	for n, v := range losses {
		r := floats(ref["step_1/"+n])[0]
		lossLine = append(lossLine, fmt.Sprintf("%s %.6g (reference %.6g)", n, v, r))
		if math.Abs(float64(v-r)) > 1e-4*math.Max(1, math.Abs(float64(r))) {
			t.Errorf("%s after the iteration: %g, reference %g", n, v, r)
		}
	}
	f := compareYenState(t, y, ref)
	t.Logf("losses: %s", strings.Join(lossLine, ", "))
	t.Logf("weights: %d of %d elements differ by > 1e-5, worst %.3g (lr %.3g); Adam moments worst relative %.2e (%s); beta powers: %s",
		f.outside, f.total, f.worstWeight, cfg.LR, f.worstMoment, f.worstMomentName, f.powers)
	if float64(f.outside) > 0.001*float64(f.total) || f.worstWeight > 4*cfg.LR {
		t.Errorf("weights: %d of %d differ by > 1e-5, worst %.3g", f.outside, f.total, f.worstWeight)
	}
	if f.worstMoment > 1e-4 {
		t.Errorf("Adam moment %s differs by %.3g relative > 1e-4", f.worstMomentName, f.worstMoment)
	}
}

// checkGeneratorGraph: the generator-only graph of test mode, inference
// and export restores the checkpoint at prefix through Checkpoint.Restore
// (for the reference's: 110 variables, no Adam) and gives the reference's
// fake_B within 1e-5.
func checkGeneratorGraph(t *testing.T, y *Yenchenlin, feeds map[tf.Output]*tf.Tensor, prefix string, want *tf.Tensor) {
	t.Helper()
	realA, err := y.Sess.Run(feeds, []tf.Output{y.Model.RealA}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Checkpoint{Dir: filepath.Dir(prefix), Prefix: prefix}
	g, gen, sv, err := BuildGenerator("test", func(s *op.Scope) (*pix2pix.Generator, error) {
		in := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, 256, 256, 3)))
		return yenchenlin.BuildGenerator(s, y.Model.Config, in)
	})
	if err != nil {
		t.Fatal(err)
	}
	vars, err := c.Restore(g, sv, session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer vars.Sess.Close()
	got, err := vars.Sess.Run(map[tf.Output]*tf.Tensor{gen.Inputs: realA[0]}, []tf.Output{gen.Outputs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(floats(got[0]), floats(want))
	t.Logf("generator graph on %s (%d variables restored): fake_B max abs difference %.3g", filepath.Base(prefix), len(sv.Vars), d)
	if d > 1e-5 {
		t.Errorf("generator graph: fake_B differs from the reference's by %.3g > 1e-5", d)
	}
}
