#!/usr/bin/env python3
"""Where a traced run's time goes: aggregates a Chrome trace written by
`pix2pix train --trace_freq N` (traces/step_N.json) or `pix2pix infer
--trace FILE` (both from RunMetadata step stats) by op type and by layer.

  - by op type: each kernel type's summed execution time and its share of
    all ops' summed time (ops run concurrently on the cores, so the sum
    exceeds the run's wall time; shares are of the sum);
  - by layer: generator/encoder_N, generator/decoder_N,
    discriminator/layer_N, from the node's name or, for gradient nodes
    named without a layer scope, from the first input that has one;
  - with the run's FLOPs (ref_bench.py flops) and the measured matmul peak:
    the fraction of the peak over the run's wall span (first op start to
    last op end), and for the convolutions alone over the time at least
    one convolution was running; with FLOPs by layer, each layer's share of
    the time next to its share of the FLOPs.

A traced run is somewhat slower than an untraced one (the trace costs a
little per op), so the shares are the robust figures, not the rates.

usage: breakdown.py TRACE.json [--flops FLOPS.json --which train_step|generator_forward
       --images N] [--peak GFLOPS] [--json OUT.json]
"""
import argparse
import json
import re
import sys

LAYER = re.compile(r"\b(encoder_\d+|decoder_\d+|layer_\d+)\b")
INPUTS = re.compile(r"= [^(]*\((.*)\)\s*$")
OTHER = "(no layer)"


def layer_of(name, label=""):
    """The layer a node belongs to: from its name, else from its inputs
    (label "name = Op(in1, in2, ...)"); OTHER when neither names one."""
    m = LAYER.search(name)
    if not m:
        ins = INPUTS.search(label)
        for part in (ins.group(1).split(", ") if ins else []):
            m = LAYER.search(part)
            if m:
                break
    if not m:
        return OTHER
    layer = m.group(1)
    return ("discriminator/" if layer.startswith("layer_") else "generator/") + layer


def is_conv(op_type):
    """Convolutions and their gradients, under any kernel name
    (Conv2D, _MklNativeFusedConv2D, _MklNativeConv2DBackpropFilterWithBias...)."""
    return "Conv2D" in op_type


def load(path):
    with open(path) as f:
        trace = json.load(f)
    return [e for e in trace["traceEvents"] if e.get("ph") == "X"]


def union_us(intervals):
    """Microseconds covered by at least one of the (start, end) intervals."""
    total, end = 0, None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def aggregate(events, flops=None, flops_by_type=None, flops_by_layer=None, peak_gflops=None):
    """The breakdown of one traced run as a dict (see the module doc)."""
    if not events:
        raise ValueError("the trace has no op executions")
    busy = sum(e["dur"] for e in events)
    start = min(e["ts"] for e in events)
    span = max(e["ts"] + e["dur"] for e in events) - start
    by_type, by_layer = {}, {}
    for e in events:
        t = by_type.setdefault(e["cat"], {"us": 0, "count": 0})
        t["us"] += e["dur"]
        t["count"] += 1
        lay = by_layer.setdefault(layer_of(e["name"], e.get("args", {}).get("label", "")), {"us": 0, "conv_us": 0})
        lay["us"] += e["dur"]
        if is_conv(e["cat"]):
            lay["conv_us"] += e["dur"]
    for rows in (by_type, by_layer):
        for r in rows.values():
            r["share"] = r["us"] / busy
    conv = [(e["ts"], e["ts"] + e["dur"]) for e in events if is_conv(e["cat"])]
    out = {"span_us": span, "busy_us": busy, "ops": len(events), "by_type": by_type, "by_layer": by_layer,
           "conv_share": sum(b - a for a, b in conv) / busy, "conv_wall_us": union_us(conv)}
    if flops and peak_gflops:
        out["gflops"] = flops / span / 1e3
        out["fraction_of_peak"] = out["gflops"] / peak_gflops
    if flops_by_type and peak_gflops and conv:
        conv_flops = sum(v for k, v in flops_by_type.items() if is_conv(k))
        out["conv_flops"] = conv_flops
        out["conv_gflops"] = conv_flops / out["conv_wall_us"] / 1e3
        out["conv_fraction_of_peak"] = out["conv_gflops"] / peak_gflops
    if flops_by_layer:
        total = sum(flops_by_layer.values())
        for name, r in by_layer.items():
            r["flops_share"] = flops_by_layer.get(name, 0) / total
    return out


def print_breakdown(title, b, top=12):
    """Markdown tables: op types (the top ones, the rest summed) and layers."""
    line = "%s: wall span %.3f s, ops' summed time %.3f s (%d ops), convolutions %.0f%% of it" % (
        title, b["span_us"] / 1e6, b["busy_us"] / 1e6, b["ops"], 100 * b["conv_share"])
    if "fraction_of_peak" in b:
        line += "; whole run %.1f GFLOP/s = %.2f of peak" % (b["gflops"], b["fraction_of_peak"])
    if "conv_fraction_of_peak" in b:
        line += "; convolutions alone %.1f GFLOP/s = %.2f of peak (over the %.3f s some convolution ran)" % (
            b["conv_gflops"], b["conv_fraction_of_peak"], b["conv_wall_us"] / 1e6)
    print(line)
    print("| op type | ms | share | count |")
    print("|---|---|---|---|")
    rows = sorted(b["by_type"].items(), key=lambda kv: -kv[1]["us"])
    for name, r in rows[:top]:
        print("| %s | %.1f | %.3f | %d |" % (name, r["us"] / 1e3, r["share"], r["count"]))
    rest = rows[top:]
    if rest:
        print("| %d other types | %.1f | %.3f | %d |" % (len(rest), sum(r["us"] for _, r in rest) / 1e3,
                                                       sum(r["share"] for _, r in rest), sum(r["count"] for _, r in rest)))
    print("| layer | ms | share of time | share of FLOPs | of it in convolutions |")
    print("|---|---|---|---|---|")
    for name, r in sorted(b["by_layer"].items(), key=lambda kv: layer_key(kv[0])):
        fs = "%.3f" % r["flops_share"] if "flops_share" in r else ""
        print("| %s | %.1f | %.3f | %s | %.0f%% |" % (name, r["us"] / 1e3, r["share"], fs,
                                                    100 * r["conv_us"] / max(r["us"], 1)))
    print()


def layer_key(name):
    """Encoders, decoders (innermost first, as they run), discriminator, rest."""
    m = re.search(r"(encoder|decoder|layer)_(\d+)$", name)
    if not m:
        return (3, 0)
    kind, n = m.group(1), int(m.group(2))
    return {"encoder": (0, n), "decoder": (1, -n), "layer": (2, n)}[kind]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trace")
    p.add_argument("--flops", help="ref_bench.py flops JSON")
    p.add_argument("--which", default="train_step", choices=["train_step", "generator_forward"])
    p.add_argument("--images", type=int, default=1, help="images in the traced run (generator_forward counts one)")
    p.add_argument("--peak", type=float, help="matmul peak GFLOP/s")
    p.add_argument("--json", help="also write the breakdown to this file as JSON")
    args = p.parse_args()
    f = {}
    if args.flops:
        with open(args.flops) as fh:
            f = json.load(fh)
    n = args.images if args.which == "generator_forward" else 1
    scale = lambda d: {k: v * n for k, v in d.items()} if d else None  # noqa: E731
    b = aggregate(load(args.trace), f.get(args.which + "_flops", 0) * n, scale(f.get(args.which + "_by_type")),
                  scale(f.get(args.which + "_by_layer")), args.peak)
    print_breakdown(args.trace, b)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(b, fh, indent=1, sort_keys=True)


if __name__ == "__main__":
    sys.exit(main())
