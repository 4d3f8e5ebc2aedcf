package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/graphs/display"
	"pix2pix/graphs/input"
	"pix2pix/graphs/nn"
	"pix2pix/graphs/pix2pix"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/infer"
	"pix2pix/pkg/session"
	"pix2pix/pkg/testmode"
	"pix2pix/pkg/train"
)

// deviceGraph is a graph that runs in a session on the user's --device.
// (The input pipeline and infer's image codec run in sessions of their
// own, always on the CPU.)
type deviceGraph struct {
	name string
	g    *tf.Graph
}

// deviceGraphs builds every such graph for cfg, for its separable and
// Lab variants, the techniques' and the yenchenlin setup's: training
// (with summaries and display images), test mode, and infer's generator
// in both deconvolution forms, at the crop size and at any size
// (--resize native).
func deviceGraphs(cfg pix2pix.Config, batch int) ([]deviceGraph, error) {
	variants := []struct {
		name string
		cfg  pix2pix.Config
	}{{"", cfg}, {" separable_conv", cfg}, {" lab_colorization", cfg}, {" instance-hinge", cfg}, {" logits-moving", cfg}, {" lsgan", cfg}, {" yenchenlin", pix2pix.DefaultConfig()}}
	variants[1].cfg.SeparableConv = true
	variants[2].cfg.InChannels, variants[2].cfg.OutChannels = 1, 2
	// The techniques' options bring ops of their own (instance norm, the
	// losses, the scalar output's dense layer, the lr schedule, the
	// moving averages' updates and reads).
	ih := &variants[3].cfg
	ih.GenNorm, ih.DiscrimNorm, ih.GANLoss, ih.DiscrimOutput = pix2pix.NormInstance, pix2pix.NormInstance, pix2pix.LossHinge, pix2pix.OutputScalar
	ih.GenSteps, ih.LRDecaySteps, ih.Init = 2, 10, pix2pix.InitTruncated
	lm := &variants[4].cfg
	lm.GANLoss, lm.LabelSmoothing, lm.BNUpdateMoving, lm.TestBN = pix2pix.LossLogits, 0.9, true, pix2pix.TestBNMoving
	lm.KernelSize, lm.DiscrimNorm = 5, pix2pix.NormNone
	variants[5].cfg.GANLoss = pix2pix.LossLSGAN
	// The yenchenlin setup's graphs (graphs/yenchenlin): its batch norm,
	// dense layer, sigmoid cross-entropy and two Adams.
	yc := &variants[6].cfg
	yc.Setup, yc.NGF, yc.NDF, yc.Seed = pix2pix.SetupYenchenlin, cfg.NGF, cfg.NDF, cfg.Seed
	var out []deviceGraph
	add := func(name string, g *tf.Graph, err error) error {
		if err != nil {
			return fmt.Errorf("%s graph: %w", name, err)
		}
		out = append(out, deviceGraph{name, g})
		return nil
	}
	for _, v := range variants {
		lab := v.cfg.InChannels == 1
		g, err := train.Graph(v.cfg, display.Config{LabColorization: lab, WhichDirection: "AtoB", AspectRatio: 1, Batch: batch}, batch)
		if err := add("train"+v.name, g, err); err != nil {
			return nil, err
		}
		g, err = testmode.Graph(v.cfg, input.Config{LabColorization: lab, WhichDirection: "AtoB"}, testmode.Options{BatchSize: batch, AspectRatio: 1})
		if err := add("test"+v.name, g, err); err != nil {
			return nil, err
		}
		for _, mode := range []struct{ exact, native bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			name := "infer" + v.name
			if mode.exact {
				name += " exact-deconv"
			}
			if mode.native {
				if v.cfg.Setup == pix2pix.SetupYenchenlin {
					continue // refused: that setup's generator has a fixed size
				}
				name += " resize-native"
			}
			g, err = infer.GeneratorGraph(v.cfg, mode.exact, mode.native)
			if err := add(name, g, err); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// reportKernels prints, for each device graph, the kinds of op that the
// loaded library has no GPU kernel for and where each is placed, and fails
// if one of them is left to the session's device. With fixture set, it
// also writes every kind's answer there (the list TestHostOnlyOpsArePinned
// reads, so that `make test` checks pinning without the CUDA build).
func reportKernels(w io.Writer, cfg pix2pix.Config, batch int, fixture string) error {
	graphs, err := deviceGraphs(cfg, batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GPU kernels in %s (tensorflow %s)\n", session.LibraryPath(), session.TFVersion())
	answers := map[session.OpKind]bool{}
	var unpinned []string
	for _, dg := range graphs {
		ps, err := session.GraphOps(dg.g)
		if err != nil {
			return err
		}
		if err := session.CheckKernels(ps, "GPU"); err != nil {
			return err
		}
		var lines []string
		for _, p := range ps {
			answers[p.Kind] = p.HasKernel
			if p.HasKernel {
				continue
			}
			where := "pinned to " + p.Pinned
			if p.Pinned == "" {
				where = "NOT PINNED (would fall back to the CPU by soft placement)"
				unpinned = append(unpinned, fmt.Sprintf("%s: %s (%s)", dg.name, p.Kind, p.Example))
			}
			lines = append(lines, fmt.Sprintf("    %-60s %4d nodes, %s, e.g. %s", p.Kind, p.Nodes, where, p.Example))
		}
		fmt.Fprintf(w, "  %s: %d ops of %d kinds, %d kinds without a GPU kernel\n", dg.name, len(dg.g.Operations()), len(ps), len(lines))
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
	if fixture != "" {
		if err := writeKernelFixture(fixture, answers); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s (%d kinds)\n", fixture, len(answers))
	}
	if len(unpinned) > 0 {
		return fmt.Errorf("ops without a GPU kernel left to the session's device (pin them to %s):\n  %s", nn.HostDevice, strings.Join(unpinned, "\n  "))
	}
	return nil
}

// writeKernelFixture writes "kind<TAB>gpu|host" lines, sorted.
func writeKernelFixture(path string, answers map[session.OpKind]bool) error {
	kinds := make([]string, 0, len(answers))
	for k := range answers {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		fmt.Fprintf(w, "# Op kinds of pix2pix's device graphs and whether TensorFlow %s's CUDA build\n", session.TFVersion())
		fmt.Fprintln(w, "# registers a GPU kernel for them. Written by `make check-gpu-build UPDATE=1`.")
		for _, k := range kinds {
			answer := "host"
			if answers[session.OpKind(k)] {
				answer = "gpu"
			}
			if _, err := fmt.Fprintf(w, "%s\t%s\n", k, answer); err != nil {
				return err
			}
		}
		return nil
	})
}
