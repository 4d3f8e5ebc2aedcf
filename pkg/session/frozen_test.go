package session

import (
	"os"
	"testing"
)

// TestSetFrozenWeights: infer and serve set the variable unless the user
// did; every other command removes it, naming a value that asked for it.
func TestSetFrozenWeights(t *testing.T) {
	cases := []struct {
		env           string // "" unset
		frozen        bool
		want, ignored string // want "" unset
	}{
		{"", true, "1", ""},
		{"0", true, "0", ""},
		{"1", true, "1", ""},
		{"", false, "", ""},
		{"1", false, "", "1"},
		{"true", false, "", "true"},
		{"0", false, "", ""},
	}
	for _, c := range cases {
		if c.env == "" {
			t.Setenv(frozenWeightsEnv, "")
			os.Unsetenv(frozenWeightsEnv)
		} else {
			t.Setenv(frozenWeightsEnv, c.env)
		}
		ignored := SetFrozenWeights(c.frozen)
		got, set := os.LookupEnv(frozenWeightsEnv)
		if (c.want == "") == set || got != c.want || ignored != c.ignored {
			t.Errorf("env %q, frozen %v: now %q (set %v), ignored %q; want %q, ignored %q", c.env, c.frozen, got, set, ignored, c.want, c.ignored)
		}
	}
}
