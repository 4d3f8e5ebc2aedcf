#!/usr/bin/env python3
"""`make bench`: pix2pix against the Python reference (the original's graph,
input pipeline and loop under TensorFlow 2.18's tf.compat.v1), in one run,
on the same TensorFlow build, the same images and the same ngf = ndf = 64
weights, at 256x256:

  - training seconds per step at batch 1 and 4, input pipeline included,
    start-up and warm-up steps excluded: the median interval between step
    ends in each run, then the median over runs;
  - batch inference images/sec: `pix2pix infer` (and `pix2pix test`) against
    the reference's test mode (see bench_infer.py);
  - serving: `pix2pix serve` images/s and p50/p99 latency at 1, 4 and 16
    concurrent clients, against `pix2pix infer` (see bench_serve.py);
  - deployment images/sec: onnxruntime on `pix2pix export --onnx`'s
    model.onnx and OpenVINO (fp32) on its SavedModel, same images, next to
    `pix2pix infer` (see bench_deploy.py);
  - peak resident memory of every process (getrusage of the child);
  - start-up: process start to the end of the first training step;
  - FLOPs of a training step and of a generator forward pass (TensorFlow's
    registered cost statistics), the achieved GFLOP/s, and the machine's
    float32 matmul rate measured in the same TensorFlow build;
  - where the time goes: one traced pix2pix training step at batch 1 and 4
    and one traced inference batch, by op type and by layer, with the
    fraction of the peak for the whole run and for the convolutions alone
    (see bench_breakdown.py and breakdown.py);
  - where the CPU has bfloat16 instructions, training and inference with
    the opt-in `--precision bf16`, against the float32 and the bfloat16
    matmul peaks (see bench_precision.py).

Prints one table and writes bench.json; the last line names the JSON file.

usage: bench.py BIN REF_SCRIPT WORKDIR [--runs 3] [--infer-images 64]
       [--variants]   also time pix2pix training with each opt-in setting
       [--breakdown-only]   only the FLOPs, the matmul peak and the traced
                            breakdown (about 2 minutes)
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_infer  # noqa: E402
import bench_serve  # noqa: E402
import bench_deploy  # noqa: E402
import bench_towers  # noqa: E402
import bench_breakdown  # noqa: E402
import bench_precision  # noqa: E402


def spawn(cmd, env_extra=None, out=None):
    """Runs cmd to completion; returns (spawn time, wall seconds, peak RSS
    in MiB). Exits with the program's stderr if it fails."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.update(env_extra or {})
    if out:
        shutil.rmtree(out, ignore_errors=True)
    t0 = time.time()
    with open(os.devnull, "w") as devnull:
        p = subprocess.Popen(cmd, stdout=devnull, stderr=subprocess.PIPE, env=env)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
    wall = time.time() - t0
    code = os.waitstatus_to_exitcode(status)
    p.returncode = code
    if code != 0:
        sys.exit("bench: %s failed (exit %d):\n%s" % (" ".join(cmd), code, err.decode()[-3000:]))
    return t0, wall, usage.ru_maxrss / 1024.0


def read_steps(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def train_run(cmd, steps_file, warmup, env_extra=None, out=None):
    """One training process: per-step intervals after warm-up, start-up,
    peak RSS."""
    t0, wall, rss = spawn(cmd, env_extra, out)
    steps = read_steps(steps_file)
    ends = [s["end"] for s in steps]
    intervals = [b - a for a, b in zip(ends[warmup - 1:], ends[warmup:])]
    return {
        "step_seconds": statistics.median(intervals),
        "intervals": intervals,
        "startup_to_first_step_end": steps[0]["end"] - t0,
        "startup_to_first_step_start": steps[0]["start"] - t0,
        "first_step_seconds": steps[0]["end"] - steps[0]["start"],
        "peak_rss_mib": rss,
        "wall_seconds": wall,
    }


def train_commands(args, ckpt_dir, pairs, batch, steps):
    work = args.workdir
    go_out = os.path.join(work, "train-out")
    go_steps = os.path.join(work, "steps-pix2pix.jsonl")
    ref_steps = os.path.join(work, "steps-reference.jsonl")
    go = [args.bin, "train", "--input_dir", pairs, "--output_dir", go_out, "--checkpoint", ckpt_dir,
          "--batch_size", str(batch), "--max_steps", str(steps), "--save_freq", "0", "--summary_freq", "0",
          "--progress_freq", "0", "--step-times", go_steps]
    ref = [sys.executable, args.ref, "train", "--input_dir", pairs, "--ckpt", os.path.join(ckpt_dir, "model-1"),
           "--batch_size", str(batch), "--max_steps", str(steps), "--step_times", ref_steps]
    return (go, go_steps, go_out), (ref, ref_steps, None)


def bench_train(args, ckpt_dir, pairs, batch, extra):
    """The reference's and pix2pix's training, and pix2pix with each of
    extra's flags (name -> flags), in rounds."""
    steps = args.warmup + args.timed_steps
    (go, go_steps, go_out), (ref, ref_steps, _) = train_commands(args, ckpt_dir, pairs, batch, steps)
    runs = {"pix2pix": [], "reference": []}
    runs.update({name: [] for name in extra})
    for i in range(args.runs):
        # Interleaved, so drift in the machine's speed hits all alike.
        runs["reference"].append(train_run(ref, ref_steps, args.warmup))
        runs["pix2pix"].append(train_run(go, go_steps, args.warmup, out=go_out))
        for name, flags in extra.items():
            runs[name].append(train_run(go + flags, go_steps, args.warmup, out=go_out))
        print("  batch %d run %d/%d: %s" % (batch, i + 1, args.runs, ", ".join(
            "%s %.3f s/step" % (name, r[-1]["step_seconds"]) for name, r in runs.items())), flush=True)
    return {name: summarize(r) for name, r in runs.items()}


def summarize(runs):
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    return {
        "step_seconds": med("step_seconds"),
        "steps_per_sec": 1.0 / med("step_seconds"),
        "startup_seconds": med("startup_to_first_step_end"),
        "startup_to_first_step_start": med("startup_to_first_step_start"),
        "first_step_seconds": med("first_step_seconds"),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "runs": runs,
    }


# The reference-side FLOP count and matmul rate (benchmark-only parts of
# the reference harness).
REF_BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref_bench.py")


def harness_json(args, *argv):
    """Runs a ref_bench.py subcommand and returns its JSON output."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([sys.executable, REF_BENCH] + list(argv), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    if r.returncode != 0:
        sys.exit("bench: reference %s failed:\n%s" % (argv[0], r.stderr.decode()[-3000:]))
    return json.loads(r.stdout)


def matmul_peak(args, dtype="float32"):
    """Best matmul rate in dtype over a few sizes (the machine's practical
    peak in this TensorFlow build)."""
    results = [harness_json(args, "matmul", "--size", str(n), "--repeats", "8", "--dtype", dtype)
               for n in (1024, 2048, 3072)]
    best = max(results, key=lambda r: r["best_gflops"])
    return {"gflops": best["best_gflops"], "size": best["size"], "by_size": results}


VARIANTS = [
    ("default", [], {}),
    ("PIX2PIX_MEMORY_TUNING=0", [], {"PIX2PIX_MEMORY_TUNING": "0"}),
    ("--threads 3", ["--threads", "3"], {}),
    ("--onednn on", ["--onednn", "on"], {}),
    ("--onednn on --threads 3", ["--onednn", "on", "--threads", "3"], {}),
    ("--xla", ["--xla"], {}),
]


def variants(args, ckpt_dir, pairs, batch):
    """pix2pix training with each optional setting (all but the memory
    switch change numerics slightly, so they are off by default), for the
    optimisation notes; not part of the headline ratios."""
    steps = args.warmup + args.timed_steps
    (go, go_steps, go_out), _ = train_commands(args, ckpt_dir, pairs, batch, steps)
    rows = {}
    for name, flags, env in VARIANTS:
        r = [train_run(go + flags, go_steps, args.warmup, env, out=go_out) for _ in range(args.variant_runs)]
        rows[name] = summarize(r)
        print("  batch %d variant %-24s %.3f s/step" % (batch, name, rows[name]["step_seconds"]), flush=True)
    return rows


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1),
            "os": platform.platform(), "python": platform.python_version()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("bin")
    p.add_argument("ref")
    p.add_argument("workdir")
    p.add_argument("--runs", type=int, default=3, help="processes per program and batch size")
    p.add_argument("--warmup", type=int, default=3, help="training steps left out of the timing")
    p.add_argument("--timed-steps", type=int, default=8, help="training steps timed per run")
    p.add_argument("--infer-images", type=int, default=64)
    p.add_argument("--serve-requests", type=int, default=48, help="requests per concurrency level of pix2pix serve")
    p.add_argument("--variants", action="store_true", help="also time pix2pix with opt-in settings")
    p.add_argument("--variant-runs", type=int, default=2, help="processes per variant and batch size")
    p.add_argument("--breakdown-only", action="store_true",
                   help="only FLOPs, matmul peak and the per-op breakdown of traced runs (a quick check)")
    args = p.parse_args()
    if args.runs < 1 or args.warmup < 1 or args.timed_steps < 2:
        sys.exit("bench: need --runs >= 1, --warmup >= 1, --timed-steps >= 2")
    os.makedirs(args.workdir, exist_ok=True)
    t_start = time.time()

    pairs, singles = bench_infer.make_images(args.workdir, args.infer_images)
    ckpt_dir = bench_infer.ensure_model(args.bin, pairs, args.workdir)
    print("bench: ngf = ndf = 64, 256x256, %d images in %s" % (args.infer_images, args.workdir), flush=True)

    flops = {b: harness_json(args, "flops", "--batch_size", str(b)) for b in (1, 4)}
    peak = matmul_peak(args)
    print("  float32 matmul peak: %.1f GFLOP/s (N = %d)" % (peak["gflops"], peak["size"]), flush=True)
    print()
    breakdowns = bench_breakdown.run(args.bin, spawn, args.workdir, ckpt_dir, pairs, singles, flops, peak["gflops"])
    if args.breakdown_only:
        write_json(args.workdir, {"machine": machine(), "matmul_peak_gflops": peak["gflops"], "breakdown": breakdowns})
        return

    bf16, bf16_state = bench_precision.support(args.bin)
    extra = {bench_precision.TRAIN: bench_precision.FLAGS} if bf16 else {}
    peak16 = matmul_peak(args, "bfloat16") if bf16 else None
    if peak16:
        print("  bfloat16 matmul peak: %.1f GFLOP/s (N = %d)" % (peak16["gflops"], peak16["size"]), flush=True)
    train = {b: bench_train(args, ckpt_dir, pairs, b, extra) for b in (1, 4)}
    infer = bench_infer.run(args.bin, args.ref, args.workdir, args.infer_images, ckpt_dir,
                            {bench_precision.INFER: bench_precision.FLAGS} if bf16 else {})
    serve = bench_serve.run(args.bin, args.workdir, singles, args.infer_images, ckpt_dir, args.serve_requests,
                            infer["programs"]["pix2pix infer"]["images_per_sec"])
    deploy = bench_deploy.run(args.bin, ckpt_dir, singles, args.workdir, args.runs)
    towers = bench_towers.run(sys.modules[__name__], args, ckpt_dir, pairs)
    opt_in = {"b%d" % b: variants(args, ckpt_dir, pairs, b) for b in (1, 4)} if args.variants else None

    gen_flops = flops[1]["generator_forward_flops"]
    out = {
        "machine": machine(),
        "tensorflow": "2.18 (the tensorflow-cpu wheel's libtensorflow for pix2pix, the same wheel for the reference)",
        "matmul_peak_gflops": peak["gflops"],
        "matmul": peak,
        "flops": {"train_step_b1": flops[1]["train_step_flops"], "train_step_b4": flops[4]["train_step_flops"],
                  "generator_forward_per_image": gen_flops},
        "train": {"b%d" % b: train[b] for b in (1, 4)},
        "infer": infer,
        "serve": serve,
        "deploy": deploy,
        "breakdown": breakdowns,
        "towers": towers,
        "bf16": {"state": bf16_state, "matmul": peak16},
        "bench_seconds": None,
    }
    for b in (1, 4):
        for name, t in train[b].items():
            t["gflops"] = flops[b]["train_step_flops"] / t["step_seconds"] / 1e9
            t["fraction_of_peak"] = t["gflops"] / peak["gflops"]
        out["train_time_ratio_b%d" % b] = train[b]["pix2pix"]["step_seconds"] / train[b]["reference"]["step_seconds"]
    for name, r in infer["programs"].items():
        r["gflops"] = r["images_per_sec"] * gen_flops / 1e9
        r["fraction_of_peak"] = r["gflops"] / peak["gflops"]
    out["infer_speedup"] = infer["infer_speedup"]
    out["infer_fraction_of_peak"] = infer["programs"]["pix2pix infer"]["fraction_of_peak"]
    if peak16:
        bench_precision.add_fractions(train, infer, peak16["gflops"])
    if opt_in:
        out["variants"] = opt_in
    out["bench_seconds"] = time.time() - t_start

    print()
    print("| measure | pix2pix | reference | pix2pix / reference |")
    print("|---|---|---|---|")
    for b in (1, 4):
        g, r = train[b]["pix2pix"], train[b]["reference"]
        print("| train s/step, batch %d | %.3f | %.3f | **%.3f** |" % (b, g["step_seconds"], r["step_seconds"],
                                                                     out["train_time_ratio_b%d" % b]))
        print("| train GFLOP/s (fraction of peak), batch %d | %.1f (%.2f) | %.1f (%.2f) | |" % (
            b, g["gflops"], g["fraction_of_peak"], r["gflops"], r["fraction_of_peak"]))
        print("| start-up to first step done, batch %d (s) | %.1f | %.1f | %.2f |" % (
            b, g["startup_seconds"], r["startup_seconds"], g["startup_seconds"] / r["startup_seconds"]))
        print("| peak RSS, train batch %d (MiB) | %.0f | %.0f | %.2f |" % (
            b, g["peak_rss_mib"], r["peak_rss_mib"], g["peak_rss_mib"] / r["peak_rss_mib"]))
    ri, ti, pi = (infer["programs"][k] for k in ("reference test mode", "pix2pix test", "pix2pix infer"))
    print("| inference images/s (`infer` vs test mode) | %.2f | %.2f | **%.2fx** |" % (
        pi["images_per_sec"], ri["images_per_sec"], out["infer_speedup"]))
    print("| inference images/s (`test` vs test mode) | %.2f | %.2f | %.2fx |" % (
        ti["images_per_sec"], ri["images_per_sec"], ti["images_per_sec"] / ri["images_per_sec"]))
    print("| inference GFLOP/s (fraction of peak) | %.1f (%.2f) | %.1f (%.2f) | |" % (
        pi["gflops"], pi["fraction_of_peak"], ri["gflops"], ri["fraction_of_peak"]))
    p0 = infer["programs"][bench_infer.PNG0]
    print("| inference images/s, `infer --png-compression 0` (files %.2f x the default's) | %.2f (%.2f of peak) | %.2f | %.2fx |" % (
        p0["output_bytes"] / pi["output_bytes"], p0["images_per_sec"], p0["fraction_of_peak"], ri["images_per_sec"],
        p0["images_per_sec"] / ri["images_per_sec"]))
    print("| inference start-up (s) | %.1f | %.1f | |" % (pi["startup_sec"], ri["startup_sec"]))
    print("| peak RSS, inference of %d images (MiB) | %.0f | %.0f | %.2f |" % (
        args.infer_images, pi["peak_rss_mib"], ri["peak_rss_mib"], pi["peak_rss_mib"] / ri["peak_rss_mib"]))
    print()
    bench_serve.table(serve)
    bench_deploy.print_rows(deploy, pi["images_per_sec"])
    print()
    bench_towers.print_rows(towers)
    print()
    bench_precision.print_rows(bf16_state, train, infer, peak16["gflops"] if peak16 else None)
    if opt_in:
        print()
        print("| pix2pix train option (opt-in) | s/step batch 1 | / reference | s/step batch 4 | / reference |")
        print("|---|---|---|---|---|")
        for name, _, _ in VARIANTS:
            a, b = opt_in["b1"][name]["step_seconds"], opt_in["b4"][name]["step_seconds"]
            print("| %s | %.3f | %.3f | %.3f | %.3f |" % (name, a, a / train[1]["reference"]["step_seconds"],
                                                      b, b / train[4]["reference"]["step_seconds"]))
    print()
    bench_breakdown.print_summary(breakdowns)
    print()
    print("FLOPs: training step %.1f G (batch 1), %.1f G (batch 4); generator forward %.2f G per image; "
          "float32 matmul peak %.1f GFLOP/s; %d cores, %s" % (
              flops[1]["train_step_flops"] / 1e9, flops[4]["train_step_flops"] / 1e9, gen_flops / 1e9,
              peak["gflops"], out["machine"]["cores"], out["machine"]["cpu"]))
    write_json(args.workdir, out)


def write_json(workdir, out):
    path = os.path.join(workdir, "bench.json")
    with open(path + ".tmp", "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
    os.replace(path + ".tmp", path)
    print("wrote", path)


if __name__ == "__main__":
    main()
