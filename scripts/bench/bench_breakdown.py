"""make bench's per-op breakdown: traces one pix2pix training step at
batch 1 and 4 (train --trace_freq) and one inference batch of 4 (infer
--trace, its second batch), and aggregates each by op type and by layer
with breakdown.py, against the FLOPs and the matmul peak bench.py
measured."""
import glob
import os
import shutil

import bench_infer
import breakdown

# A traced training run takes TRACE_STEPS steps and traces step
# TRACED_STEP: after the first's one-time work (oneDNN primitive creation,
# the memory pool's growth), and not the last, which also computes the
# health signals (gradient norms) that ordinary steps skip. (train also
# traces its last step; that trace is left out.)
TRACE_STEPS, TRACED_STEP = 4, 3


def train_trace(bin_, spawn, work, ckpt_dir, pairs, batch):
    out = os.path.join(work, "trace-train-b%d" % batch)
    spawn([bin_, "train", "--input_dir", pairs, "--output_dir", out, "--checkpoint", ckpt_dir,
           "--batch_size", str(batch), "--max_steps", str(TRACE_STEPS), "--trace_freq", str(TRACED_STEP),
           "--save_freq", "0", "--summary_freq", "0", "--progress_freq", "0"], out=out)
    # train traces the last step as well: keep the earlier one.
    traces = sorted(glob.glob(os.path.join(out, "traces", "step_*.json")),
                    key=lambda p: int(os.path.basename(p)[len("step_"):-len(".json")]))
    if len(traces) != 2:
        raise SystemExit("bench: expected two traces in %s, found %d" % (out, len(traces)))
    return traces[0]


def infer_trace(bin_, spawn, work, ckpt_dir, singles):
    """Traces the second batch of 4 of 8 images."""
    inputs = bench_infer.subset(singles, os.path.join(work, "a8-trace"), 8)
    out = os.path.join(work, "trace-infer")
    path = os.path.join(work, "trace-infer.json")
    # One batch at a time, so that the traced run has the machine to itself.
    spawn([bin_, "infer", "--no-test-dropout", "--model", ckpt_dir, "--keep-256", "--batch_size", "4", "--in-flight", "1",
           "--output_dir", out, "--trace", path, inputs])
    shutil.rmtree(out, ignore_errors=True)
    return path


def run(bin_, spawn, work, ckpt_dir, pairs, singles, flops, peak_gflops):
    """Returns {"train_b1", "train_b4", "infer_b4"} breakdowns, printing
    each as it is made."""
    out = {}
    for b in (1, 4):
        f = flops[b]
        out["train_b%d" % b] = breakdown.aggregate(
            breakdown.load(train_trace(bin_, spawn, work, ckpt_dir, pairs, b)), f["train_step_flops"],
            f["train_step_by_type"], f["train_step_by_layer"], peak_gflops)
        breakdown.print_breakdown("training step, batch %d" % b, out["train_b%d" % b])
    f, n = flops[1], 4
    scale = lambda d: {k: v * n for k, v in d.items()}  # noqa: E731
    out["infer_b4"] = breakdown.aggregate(
        breakdown.load(infer_trace(bin_, spawn, work, ckpt_dir, singles)), f["generator_forward_flops"] * n,
        scale(f["generator_forward_by_type"]), scale(f["generator_forward_by_layer"]), peak_gflops)
    breakdown.print_breakdown("inference batch of %d (pix2pix infer)" % n, out["infer_b4"])
    return out


def print_summary(bd):
    """A table of one line per traced run, for the end of the bench's
    output."""
    print("| traced run | fraction of peak | convolutions' fraction of peak | convolutions' share of op time"
          " | top op types (share) |")
    print("|---|---|---|---|---|")
    print("\n".join(summary_rows(bd)))


def summary_rows(bd):
    rows = []
    for key, title in (("train_b1", "train batch 1"), ("train_b4", "train batch 4"), ("infer_b4", "infer batch 4")):
        b = bd[key]
        top = sorted(b["by_type"].items(), key=lambda kv: -kv[1]["us"])[:4]
        rows.append("| %s | %.2f | %.2f | %.2f | %s |" % (
            title, b["fraction_of_peak"], b["conv_fraction_of_peak"], b["conv_share"],
            ", ".join("%s %.2f" % (k, v["share"]) for k, v in top)))
    return rows
