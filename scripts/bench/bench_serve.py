#!/usr/bin/env python3
"""Serving benchmark: `pix2pix serve` on 127.0.0.1 at concurrency 1, 4
and 16 (images/s served, p50 and p99 latency per request), against
`pix2pix infer` on the same images and the same checkpoint.

Each level sends a fixed number of requests (every image of the set, in
turn) after a warm-up; throughput is requests / wall time of the level.
infer's rate is (N - 8) / (t_N - t_8), start-up cancelled out, as in
bench_infer.py. Prints a table and writes JSON; the last line names it.

usage: bench_serve.py BIN WORKDIR [N] [--requests R] [--ngf K]
(make bench runs it through bench.py on the ngf-64 checkpoint; a tiny
check: bench_serve.py bin/pix2pix /tmp/b 8 --requests 16 --ngf 4)
"""
import argparse
import concurrent.futures
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

import bench_infer

LEVELS = (1, 4, 16)


def start(bin_, model):
    """Starts pix2pix serve on a free port; returns (process, base URL)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.Popen([bin_, "serve", "--model", model, "--addr", "127.0.0.1:0", "--max-queue", "256"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    line = p.stdout.readline()
    m = re.search(r"at (http://127\.0\.0\.1:\d+/) ", line)
    if not m:
        p.kill()
        sys.exit("bench: pix2pix serve did not print its URL: %r" % line)
    return p, m.group(1)


def post(url, body):
    t0 = time.perf_counter()
    req = urllib.request.Request(url + "v1/translate?size=256", data=body, headers={"Content-Type": "image/png"})
    with urllib.request.urlopen(req, timeout=120) as r:
        r.read()
        if r.status != 200:
            raise RuntimeError("status %d" % r.status)
    return time.perf_counter() - t0


def level(url, bodies, clients, requests):
    """Sends `requests` requests from `clients` threads; returns figures."""
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        lat = sorted(pool.map(lambda i: post(url, bodies[i % len(bodies)]), range(requests)))
    wall = time.perf_counter() - t0
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
    return {"clients": clients, "requests": requests, "images_per_sec": requests / wall,
            "p50_ms": 1000 * statistics.median(lat), "p99_ms": 1000 * q(0.99)}


def infer_rate(bin_, work, singles, n, model):
    """pix2pix infer's images/s on the same images, start-up cancelled."""
    sub = bench_infer.subset(singles, os.path.join(work, "serve_a8"), 8)
    out = os.path.join(work, "serve_out")
    cmd = lambda d: [bin_, "infer", "--no-test-dropout", "--model", model, "--keep-256", "--output_dir", out, d]
    t8 = bench_infer.timed(cmd(sub), out)[0]
    tn = bench_infer.timed(cmd(singles), out)[0]
    return (n - 8) / (tn - t8)


def run(bin_, work, singles, n, model, requests, infer_ips=None):
    """Times the server at each level; infer_ips, if given, is infer's
    measured rate (bench.py passes its own), else it is measured here."""
    bodies = [open(os.path.join(singles, "%d.png" % (i + 1)), "rb").read() for i in range(n)]
    p, url = start(bin_, model)
    try:
        for b in bodies[:4]:
            post(url, b)  # warm-up: the first runs allocate
        levels = []
        for c in LEVELS:
            levels.append(level(url, bodies, c, requests))
            r = levels[-1]
            print("  serve, %2d clients: %.2f images/s, p50 %.0f ms, p99 %.0f ms" % (c, r["images_per_sec"], r["p50_ms"], r["p99_ms"]), flush=True)
    finally:
        p.terminate()
        p.wait(timeout=120)
    if infer_ips is None:
        infer_ips = infer_rate(bin_, work, singles, n, model)
    for r in levels:
        r["vs_infer"] = r["images_per_sec"] / infer_ips
    return {"requests_per_level": requests, "infer_images_per_sec": infer_ips, "levels": levels}


def table(out):
    print("| serve clients | images/s | p50 ms | p99 ms | vs `pix2pix infer` (%.2f images/s) |" % out["infer_images_per_sec"])
    print("|---|---|---|---|---|")
    for r in out["levels"]:
        print("| %d | %.2f | %.0f | %.0f | %.2fx |" % (r["clients"], r["images_per_sec"], r["p50_ms"], r["p99_ms"], r["vs_infer"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bin")
    ap.add_argument("workdir")
    ap.add_argument("n", nargs="?", type=int, default=64, help="images (at least 9)")
    ap.add_argument("--requests", type=int, default=64, help="requests per concurrency level")
    ap.add_argument("--ngf", type=int, default=64, help="width of the checkpoint trained for the bench")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    pairs, singles = bench_infer.make_images(a.workdir, a.n)
    model = bench_infer.ensure_model(a.bin, pairs, a.workdir) if a.ngf == 64 else tiny_model(a, pairs)
    out = run(a.bin, a.workdir, singles, a.n, model, a.requests)
    table(out)
    path = os.path.join(a.workdir, "bench_serve.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
    print("wrote", path)


def tiny_model(a, pairs):
    model = os.path.join(a.workdir, "model%d" % a.ngf)
    if not os.path.exists(os.path.join(model, "checkpoint")):
        bench_infer.timed([a.bin, "train", "--input_dir", pairs, "--output_dir", model, "--max_steps", "1", "--save_freq", "1",
                           "--ngf", str(a.ngf), "--ndf", str(a.ngf), "--summary_freq", "0", "--progress_freq", "0", "--seed", "1"],
                          os.path.join(a.workdir, "unused"))
    return model


if __name__ == "__main__":
    main()
