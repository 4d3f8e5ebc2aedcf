package trained

import (
	"bytes"
	"strings"
	"testing"

	gpb "github.com/wamuir/graft/tensorflow/core/framework/graph_go_proto"
	ndpb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/proto"
)

// TestGeneratorUpdateWaitsForDiscriminator walks the GraphDef: every
// generator ResourceApplyAdam must have the discriminator's train op among
// its control inputs (directly, or through one group op), and no
// discriminator update may depend, by any path, on a generator update.
func TestGeneratorUpdateWaitsForDiscriminator(t *testing.T) {
	for _, reading := range []string{"fresh", "snapshot"} {
		t.Run(reading, func(t *testing.T) {
			cfg := smallConfig()
			if reading == "snapshot" {
				cfg.Reading = 1
			}
			g, m, _, err := Build(cfg, Placeholders(cfg, 1))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := g.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			var def gpb.GraphDef
			if err := proto.Unmarshal(buf.Bytes(), &def); err != nil {
				t.Fatal(err)
			}
			nodes := map[string]*ndpb.NodeDef{}
			for _, n := range def.Node {
				nodes[n.Name] = n
			}
			dTrain := m.DiscrimTrain.Name()
			controls := func(n *ndpb.NodeDef) []string {
				var c []string
				for _, in := range n.Input {
					if strings.HasPrefix(in, "^") {
						c = append(c, in[1:])
					}
				}
				return c
			}
			varOf := func(n *ndpb.NodeDef) string { return strings.SplitN(n.Input[0], ":", 2)[0] }
			var gen, dis []*ndpb.NodeDef
			for _, n := range def.Node {
				if n.Op != "ResourceApplyAdam" {
					continue
				}
				switch v := varOf(n); {
				case strings.HasPrefix(v, "generator/"):
					gen = append(gen, n)
				case strings.HasPrefix(v, "discriminator/"):
					dis = append(dis, n)
				default:
					t.Errorf("%s updates unexpected variable %s", n.Name, v)
				}
			}
			if len(gen) != len(m.GenGrads) || len(dis) != len(m.DiscrimGrads) {
				t.Fatalf("found %d generator and %d discriminator updates, want %d and %d", len(gen), len(dis), len(m.GenGrads), len(m.DiscrimGrads))
			}
			for _, n := range gen {
				ok := false
				for _, c := range controls(n) {
					if c == dTrain {
						ok = true
					}
					if grp := nodes[c]; grp != nil && grp.Op == "NoOp" {
						for _, cc := range controls(grp) {
							ok = ok || cc == dTrain
						}
					}
				}
				if !ok {
					t.Errorf("generator update %s (of %s) does not wait for %s", n.Name, varOf(n), dTrain)
				}
			}
			// No path from any discriminator update back to a generator update.
			genSet := map[string]bool{}
			for _, n := range gen {
				genSet[n.Name] = true
			}
			seen := map[string]bool{}
			var reaches func(name string) bool
			reaches = func(name string) bool {
				if genSet[name] {
					return true
				}
				if seen[name] {
					return false
				}
				seen[name] = true
				for _, in := range nodes[name].Input {
					src := strings.SplitN(strings.TrimPrefix(in, "^"), ":", 2)[0]
					if reaches(src) {
						return true
					}
				}
				return false
			}
			for _, n := range dis {
				if reaches(n.Name) {
					t.Errorf("discriminator update %s depends on a generator update", n.Name)
				}
			}
			t.Logf("%d generator updates wait for %s; %d discriminator updates depend on none of them", len(gen), dTrain, len(dis))
		})
	}
}
