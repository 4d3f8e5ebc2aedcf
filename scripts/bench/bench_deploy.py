#!/usr/bin/env python3
"""Deployment benchmark: images/s of onnxruntime on the model.onnx that
`pix2pix export --onnx` writes, and of OpenVINO (CPU, fp32) on the
exported SavedModel, on the images `pix2pix infer` is timed on, in the
same run (bench.py puts the rows next to infer's).

Each runtime runs in its own process (3 runs, median), as a user's loop
would: decode each PNG, batches of 4 (infer's default batch), encode each
output as PNG. After one warm-up batch the loop over all images is timed:
images per second once started; start-up (import, load, compile) is given
apart. Both use their default thread counts (all cores).

usage: bench_deploy.py BIN MODEL_DIR IMAGES_DIR WORKDIR   (standalone: also
times pix2pix infer the way bench_infer.py does, on 1/4 and all images)
       bench_deploy.py --worker onnxruntime|openvino EXPORT_DIR IMAGES_DIR
"""
import glob
import io
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image

BATCH = 4


def worker(runtime, export_dir, images_dir):
    """Times one runtime in this process; prints JSON."""
    t0 = time.perf_counter()
    if runtime == "onnxruntime":
        import onnxruntime as ort
        s = ort.InferenceSession(os.path.join(export_dir, "model.onnx"), providers=["CPUExecutionProvider"])
        run = lambda x: s.run(["outputs"], {"images": x.transpose(0, 3, 1, 2)})[0].transpose(0, 2, 3, 1)
    else:
        import openvino as ov
        m = ov.convert_model(os.path.join(export_dir, "saved_model"))
        c = ov.Core().compile_model(m, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        run = lambda x: c(x)[0]
    files = sorted(glob.glob(os.path.join(images_dir, "*.png")))

    def batch(paths):
        x = np.stack([np.asarray(Image.open(p).convert("RGB"), np.float32) / 255 for p in paths])
        for y in run(x):
            Image.fromarray(np.clip(y * 255.5, 0, 255).astype(np.uint8)).save(io.BytesIO(), "PNG")

    batch(files[:BATCH])
    startup = time.perf_counter() - t0
    t1 = time.perf_counter()
    for i in range(0, len(files), BATCH):
        batch(files[i:i + BATCH])
    t = time.perf_counter() - t1
    print(json.dumps({"images": len(files), "seconds": t, "images_per_sec": len(files) / t, "startup_sec": startup}))


def export(bin_, model, work):
    """`pix2pix export --onnx --no-test-dropout` of model, once."""
    out = os.path.join(work, "export-deploy")
    if not os.path.exists(os.path.join(out, "model.onnx")):
        subprocess.run([bin_, "export", "--checkpoint", model, "--output_dir", out, "--no-test-dropout", "--onnx", "--force"],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def run(bin_, model, images, work, runs=3):
    """Times both runtimes; returns their rows."""
    exp = export(bin_, model, work)
    rows = {}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    for name, runtime in (("onnxruntime on model.onnx", "onnxruntime"), ("OpenVINO fp32 on saved_model/", "openvino")):
        rs = []
        for _ in range(runs):
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", runtime, exp, images],
                               capture_output=True, text=True, env=env)
            if p.returncode != 0:
                sys.exit("bench: %s failed:\n%s" % (runtime, p.stderr[-2000:]))
            rs.append(json.loads(p.stdout.strip().splitlines()[-1]))
        rate = statistics.median(r["images_per_sec"] for r in rs)
        rows[name] = {"images_per_sec": rate, "startup_sec": statistics.median(r["startup_sec"] for r in rs),
                      "images": rs[0]["images"]}
        print("  %s: %.2f images/s" % (name, rate), flush=True)
    return rows


def print_rows(rows, infer_rate):
    print("| deployment (same images, same run) | images/s | start-up s | vs `pix2pix infer` |")
    print("|---|---|---|---|")
    print("| pix2pix infer | %.2f | | 1.00x |" % infer_rate)
    for name, r in rows.items():
        print("| %s | %.2f | %.1f | %.2fx |" % (name, r["images_per_sec"], r["startup_sec"], r["images_per_sec"] / infer_rate))


def main():
    if sys.argv[1] == "--worker":
        return worker(*sys.argv[2:5])
    bin_, model, images, work = sys.argv[1:5]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_infer
    n = len(glob.glob(os.path.join(images, "*.png")))
    k = max(1, n // 4)
    few = bench_infer.subset(images, os.path.join(work, "a-few"), k)
    out = os.path.join(work, "out")
    cmd = lambda d: [bin_, "infer", "--no-test-dropout", "--model", model, "--keep-256", "--output_dir", out, d]
    t = {m: statistics.median(bench_infer.timed(cmd(d), out)[0] for _ in range(3)) for m, d in ((k, few), (n, images))}
    infer_rate = (n - k) / (t[n] - t[k])
    print("  pix2pix infer: %.2f images/s" % infer_rate, flush=True)
    print_rows(run(bin_, model, images, work), infer_rate)


if __name__ == "__main__":
    main()
