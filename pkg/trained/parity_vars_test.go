package trained

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"pix2pix/graphs/pix2pix"
)

// TestVariablesMatchReference compares the sorted variable list (name,
// dtype, shape) with the one the reference builds from the original's code,
// at the original's width and at a small one, plus the separable and Lab
// variants, and reports the parameter counts.
func TestVariablesMatchReference(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*pix2pix.Config)
	}{
		{"ngf64", func(c *pix2pix.Config) { c.NGF, c.NDF = 64, 64 }},
		{"ngf4", func(c *pix2pix.Config) { c.NGF, c.NDF = 4, 4 }},
		{"ngf8-ndf4-separable", func(c *pix2pix.Config) { c.NGF, c.NDF, c.SeparableConv = 8, 4, true }},
		{"ngf4-lab", func(c *pix2pix.Config) { c.NGF, c.NDF, c.InChannels, c.OutChannels = 4, 4, 1, 2 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := pix2pix.DefaultConfig()
			tc.mod(&cfg)
			var ref struct {
				Variables []struct {
					Name  string  `json:"name"`
					DType string  `json:"dtype"`
					Shape []int64 `json:"shape"`
				} `json:"variables"`
				Gen int64 `json:"generator_params"`
				Dis int64 `json:"discriminator_params"`
			}
			out := runRef(t, "vars", cfg, 1)
			if err := json.Unmarshal(out, &ref); err != nil {
				t.Fatalf("reference output: %v\n%s", err, out)
			}
			var want []string
			for _, v := range ref.Variables {
				dims := make([]string, len(v.Shape))
				for i, d := range v.Shape {
					dims[i] = fmt.Sprint(d)
				}
				want = append(want, fmt.Sprintf("%s %s [%s]", v.Name, v.DType, strings.Join(dims, ",")))
			}
			_, m, _, err := Build(cfg, Placeholders(cfg, 1))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range m.Vars.Sorted() {
				got = append(got, pix2pix.VariableLine(v))
			}
			diffLines(t, got, want)
			gen, dis := m.ParamCount("generator"), m.ParamCount("discriminator")
			if gen != ref.Gen || dis != ref.Dis {
				t.Errorf("parameters: generator %d, discriminator %d; reference %d, %d", gen, dis, ref.Gen, ref.Dis)
			}
			t.Logf("%d variables equal to the reference's; generator %d parameters, discriminator %d", len(got), gen, dis)
		})
	}
}

// diffLines reports lines only in got or only in want (both sorted).
func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	g, w := in(got), in(want)
	n := 0
	for _, x := range got {
		if !w[x] && n < 20 {
			t.Errorf("only in Go:        %s", x)
			n++
		}
	}
	for _, x := range want {
		if !g[x] && n < 40 {
			t.Errorf("only in reference: %s", x)
			n++
		}
	}
	if len(got) != len(want) {
		t.Errorf("Go has %d variables, the reference %d", len(got), len(want))
	}
}
