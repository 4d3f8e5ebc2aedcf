package trained

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/session"
)

// GraphFunc adds a graph around a generator to s (its inputs, the
// generator, whatever reads its outputs) and returns the generator. Test
// mode, inference and both exports are each one GraphFunc.
type GraphFunc func(s *op.Scope) (*pix2pix.Generator, error)

// Generator is a generator graph whose variables are restored from a
// checkpoint, with its session.
type Generator struct {
	Graph *tf.Graph
	Gen   *pix2pix.Generator
	Vars
}

// Close releases the session.
func (g *Generator) Close() error { return g.Sess.Close() }

// BuildGenerator makes the graph of build with the generator's saver
// (added after the graph, as every command always did), without a
// session; what names the graph in errors ("test", "export").
func BuildGenerator(what string, build GraphFunc) (*tf.Graph, *pix2pix.Generator, *pix2pix.Saver, error) {
	s := op.NewScope()
	gen, err := build(s)
	if err != nil {
		return nil, nil, nil, err
	}
	sv := pix2pix.BuildSaver(s, gen.Vars.Sorted())
	g, err := s.Finalize()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build %s graph: %w", what, err)
	}
	return g, gen, sv, nil
}

// LoadGenerator builds the graph of build, opens a session on it,
// restores the generator's variables from the checkpoint (after checking
// they fit), fills its derived weights (Prepare) and empties what only
// they read (Release).
func (c *Checkpoint) LoadGenerator(what string, build GraphFunc, o session.Options) (*Generator, error) {
	g, gen, sv, err := BuildGenerator(what, build)
	if err != nil {
		return nil, err
	}
	vars, err := c.Restore(g, sv, o)
	if err != nil {
		return nil, err
	}
	if gen.Prepare != nil {
		for _, o := range []*tf.Operation{gen.Prepare, gen.Release} {
			if _, err := vars.Sess.Run(nil, nil, []*tf.Operation{o}); err != nil {
				vars.Sess.Close()
				return nil, fmt.Errorf("prepare generator (%s): %w", o.Name(), err)
			}
		}
	}
	return &Generator{Graph: g, Gen: gen, Vars: *vars}, nil
}

// InferenceGraph is the generator as inference runs it: a placeholder
// "inputs" of up to maxBatch images (0: any number) and per-image
// batch-norm statistics, so an image's output does not depend on what it
// is batched with.
func InferenceGraph(cfg pix2pix.Config, maxBatch int) GraphFunc {
	return func(s *op.Scope) (*pix2pix.Generator, error) {
		inputs := op.Placeholder(s.SubScope("inputs"), tf.Float, op.PlaceholderShape(tf.MakeShape(-1, cfg.Size(), cfg.Size(), int64(cfg.InChannels))))
		return pix2pix.BuildGenerator(s, cfg, inputs, pix2pix.GeneratorOptions{PerImageNorm: true, MaxBatch: maxBatch})
	}
}
