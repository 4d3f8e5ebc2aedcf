package sweep

import (
	"reflect"
	"strings"
	"testing"
)

func names(ss []Setting) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

// TestVaryIsOneFactorAtATime: the base (each grid combination) comes
// first under the same names a grid-only sweep gives it, then each varied
// value alone on top of it, each with every seed; the args carry the
// grid's pairs, then the varied one, then the seed.
func TestVaryIsOneFactorAtATime(t *testing.T) {
	grid := []Axis{{Key: "ndf", Values: []string{"16", "32"}}}
	vary := []Axis{{Key: "discrim-norm", Values: []string{"none"}}, {Key: "gan-loss", Values: []string{"logits", "lsgan"}}}
	got, err := Vary(grid, vary, []int64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ndf=16,seed=1", "ndf=16,seed=2",
		"ndf=16,discrim-norm=none,seed=1", "ndf=16,discrim-norm=none,seed=2",
		"ndf=16,gan-loss=logits,seed=1", "ndf=16,gan-loss=logits,seed=2",
		"ndf=16,gan-loss=lsgan,seed=1", "ndf=16,gan-loss=lsgan,seed=2",
		"ndf=32,seed=1", "ndf=32,seed=2",
		"ndf=32,discrim-norm=none,seed=1", "ndf=32,discrim-norm=none,seed=2",
		"ndf=32,gan-loss=logits,seed=1", "ndf=32,gan-loss=logits,seed=2",
		"ndf=32,gan-loss=lsgan,seed=1", "ndf=32,gan-loss=lsgan,seed=2",
	}
	if !reflect.DeepEqual(names(got), want) {
		t.Fatalf("names:\n got %q\nwant %q", names(got), want)
	}
	if a := strings.Join(got[6].Args(), " "); a != "--ndf=16 --gan-loss=lsgan --seed=1" {
		t.Errorf("args of %s: %s", got[6].Name, a)
	}
	base := []string{"ndf=16,seed=1", "ndf=16,seed=2", "ndf=32,seed=1", "ndf=32,seed=2"}
	if g := names(Expand(grid, []int64{1, 2})); !reflect.DeepEqual(g, base) {
		t.Errorf("a grid-only sweep names its runs %q, want %q (the names Vary gives the base)", g, base)
	}
	// Without a grid, the base is the seeds alone.
	got, _ = Vary(nil, vary[:1], []int64{3})
	if !reflect.DeepEqual(names(got), []string{"seed=3", "discrim-norm=none,seed=3"}) {
		t.Errorf("no grid: %q", names(got))
	}
}

func TestVaryRefusesRepeatedKeys(t *testing.T) {
	for _, c := range []struct {
		grid, vary []Axis
	}{
		{[]Axis{{Key: "gan_loss", Values: []string{"eps"}}}, []Axis{{Key: "gan-loss", Values: []string{"lsgan"}}}},
		{nil, []Axis{{Key: "ndf", Values: []string{"8"}}, {Key: "ndf", Values: []string{"16"}}}},
	} {
		if _, err := Vary(c.grid, c.vary, []int64{1}); err == nil || !strings.Contains(err.Error(), "already a --grid or --vary axis") {
			t.Errorf("grid %v vary %v: err %v, want a repeated-key error", c.grid, c.vary, err)
		}
	}
}

func TestParseAxisNamesItsFlag(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ndf", `--vary "ndf": want key=value1,value2`},
		{"seed=1,2", `--vary "seed=1,2": seed is set by the sweep`},
		{"ndf=8,,16", `--vary "ndf=8,,16": an empty value`},
	} {
		if _, err := ParseAxis("vary", c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseAxis(%q): %v, want %q", c.in, err, c.want)
		}
	}
	a, err := ParseAxis("grid", " --kernel-size = 4, 5 ")
	if err != nil || a.Key != "kernel-size" || !reflect.DeepEqual(a.Values, []string{"4", "5"}) {
		t.Errorf("ParseAxis: %+v, %v", a, err)
	}
}
