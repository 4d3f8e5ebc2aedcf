#!/usr/bin/env python3
"""Batch-inference benchmark: `pix2pix infer` against the reference's test
mode (the original's test-mode pipeline and generator under TensorFlow
2.18's tf.compat.v1), same TensorFlow build, same ngf-64 checkpoint, same
images, in one run.

Each program runs on 8 and on N images (3 runs each, medians; the rounds
go through the programs in turn). Throughput
is (N - 8) / (t_N - t_8): images per second once started, with start-up
(process, library and graph loading) cancelled out; start-up is t_8 minus
8 images' worth. Prints a table and writes JSON; the last line names the
JSON file.

usage: bench_infer.py BIN REF_SCRIPT WORKDIR [N]   (make bench runs it
through bench.py, with training, memory and FLOPs)
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image


def make_images(work, n):
    """N paired 512x256 images (A: grey waves, B: a colour map of them)."""
    pairs, singles = os.path.join(work, "pairs"), os.path.join(work, "a")
    if os.path.isdir(pairs) and len(os.listdir(pairs)) == n:
        return pairs, singles
    for d in (pairs, singles):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:256, 0:256]
    for i in range(n):
        fx, fy, ph = rng.uniform(0.02, 0.08), rng.uniform(0.02, 0.08), rng.uniform(0, 6.28)
        v = np.sin(fx * xx + fy * yy + ph) * 0.5 + 0.5
        a = np.stack([v * 255] * 3, -1).astype(np.uint8)
        b = np.stack([v * 255, (1 - v) * 255, v * 127], -1).astype(np.uint8)
        Image.fromarray(np.concatenate([a, b], 1)).save(os.path.join(pairs, "%d.png" % (i + 1)))
        Image.fromarray(a).save(os.path.join(singles, "%d.png" % (i + 1)))
    return pairs, singles


def subset(src, dst, k):
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    for i in range(1, k + 1):
        shutil.copy(os.path.join(src, "%d.png" % i), dst)
    return dst


def timed(cmd, out_dir):
    """Runs cmd; returns (wall seconds, peak RSS in MiB)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        p = subprocess.Popen(cmd, stdout=devnull, stderr=subprocess.PIPE, env=env)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("bench: %s failed:\n%s" % (" ".join(cmd), err.decode()[-2000:]))
    return t, usage.ru_maxrss / 1024.0


def ensure_model(bin_, pairs, work):
    """An ngf-64 checkpoint (model-1: one training step from a seeded
    initialisation), shared by every benchmark; returns its directory."""
    model = os.path.join(work, "model64")
    if not os.path.exists(os.path.join(model, "checkpoint")):
        timed([bin_, "train", "--input_dir", pairs, "--output_dir", model, "--max_steps", "1", "--save_freq", "1",
               "--summary_freq", "0", "--progress_freq", "0", "--seed", "1"], os.path.join(work, "unused"))
    return model


# PNG0 is `pix2pix infer` writing uncompressed PNGs: the pixels are the
# same, the files larger (output_bytes says by how much on these images).
PNG0 = "pix2pix infer --png-compression 0"


def tree_bytes(d):
    """Total size of the files under d (a run's outputs)."""
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


def max_diff(a, b):
    """The largest difference, in 1/255, between same-named PNGs of
    directories a and b, and its mean over all of b's pixels."""
    worst, total, count = 0, 0.0, 0
    for name in sorted(os.listdir(b)):
        x = np.asarray(Image.open(os.path.join(a, name)), dtype=np.int16)
        y = np.asarray(Image.open(os.path.join(b, name)), dtype=np.int16)
        d = np.abs(x - y)
        worst, total, count = max(worst, int(d.max())), total + float(d.sum()), count + d.size
    return worst, total / count


def run(bin_, ref, work, n, model, extra=None):
    """Times the programs, and `pix2pix infer` with each of extra's flags
    (name -> flags), on 8 and on n images (3 runs each, medians); returns
    their rates, start-ups, peak RSS and the bytes of their outputs (the
    last run on n images), and for extra's, how far their outputs are
    from `pix2pix infer`'s."""
    pairs, singles = make_images(work, n)
    prefix = os.path.join(model, "model-1")
    sizes = {8: (subset(pairs, os.path.join(work, "pairs8"), 8), subset(singles, os.path.join(work, "a8"), 8)), n: (pairs, singles)}
    py = sys.executable
    extra = extra or {}

    def infer(*flags):
        return lambda p, s, o: [bin_, "infer", "--no-test-dropout", "--model", model, "--keep-256", *flags, "--output_dir", o, s]

    progs = {
        "reference test mode": lambda p, s, o: [py, ref, "test", "--no_dropout", "--ckpt", prefix, "--input_dir", p, "--output_dir", o],
        "pix2pix test": lambda p, s, o: [bin_, "test", "--no-test-dropout", "--checkpoint", model, "--input_dir", p, "--output_dir", o],
        "pix2pix infer": infer(),
        PNG0: infer("--png-compression", "0"),
    }
    progs.update({name: infer(*flags) for name, flags in extra.items()})
    # Rounds go through every program in turn, so a machine that speeds up
    # or slows down during the benchmark moves all of them alike and the
    # ratios stay fair (the VMs this runs on drift by 10% over minutes).
    runs = {(name, k): [] for name in progs for k in (8, n)}
    out_dir = os.path.join(work, "out")
    output_bytes, diffs = {}, {}
    infer_out = os.path.join(work, "out-infer")
    for r in range(3):
        for name, cmd in progs.items():
            for k in (8, n):
                runs[name, k].append(timed(cmd(*sizes[k], out_dir), out_dir))
            if r < 2:
                continue
            # Outputs are the same every round (no dropout): the last
            # round's are measured.
            output_bytes[name] = tree_bytes(out_dir)
            if name == "pix2pix infer":
                shutil.rmtree(infer_out, ignore_errors=True)
                shutil.copytree(out_dir, infer_out)
            elif name in extra:
                diffs[name] = max_diff(infer_out, out_dir)
    rows = {}
    for name in progs:
        t = {k: statistics.median(r[0] for r in runs[name, k]) for k in (8, n)}
        rate = (n - 8) / (t[n] - t[8])
        rows[name] = {"seconds_8": t[8], "seconds_n": t[n], "images_per_sec": rate, "startup_sec": t[8] - 8 / rate,
                      "peak_rss_mib": max(r[1] for k in (8, n) for r in runs[name, k]), "output_bytes": output_bytes[name]}
        if name in diffs:
            rows[name]["max_diff_from_infer"], rows[name]["mean_diff_from_infer"] = diffs[name]
        print("  %s: %.2f images/s" % (name, rate), flush=True)
    base = rows["reference test mode"]["images_per_sec"]
    return {
        "images": n,
        "programs": rows,
        "infer_speedup": rows["pix2pix infer"]["images_per_sec"] / base,
        "infer_wall_speedup": rows["reference test mode"]["seconds_n"] / rows["pix2pix infer"]["seconds_n"],
    }


def main():
    bin_, ref, work = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    os.makedirs(work, exist_ok=True)
    pairs, _ = make_images(work, n)
    out = run(bin_, ref, work, n, ensure_model(bin_, pairs, work))
    rows = out["programs"]
    base = rows["reference test mode"]["images_per_sec"]
    print("| program | images/sec (ngf 64, %d images) | start-up s | wall s for %d | peak RSS MiB | vs reference |" % (n, n))
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print("| %s | %.2f | %.1f | %.1f | %.0f | %.2fx |" % (name, r["images_per_sec"], r["startup_sec"], r["seconds_n"],
                                                           r["peak_rss_mib"], r["images_per_sec"] / base))
    path = os.path.join(work, "bench_infer.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main()
