"""`make bench`'s mixed-precision rows: `--precision bf16`, an opt-in for
CPUs with bfloat16 instructions, timed in the same rounds as the default
float32 runs (training) and programs (inference), with its fraction of
both the float32 matmul peak (the headline rows' yardstick) and the
bfloat16 one (what its convolutions multiply in). Where pix2pix refuses
bf16, `pix2pix version` says why; the rows are then left out and that
reason printed instead."""

import subprocess

TRAIN = "pix2pix --precision bf16"
INFER = "pix2pix infer --precision bf16"
FLAGS = ["--precision", "bf16"]


def support(bin_):
    """(True, state) when `pix2pix version` says --precision bf16 runs on
    this machine, else (False, its reason)."""
    r = subprocess.run([bin_, "version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("bf16 "):
            state = line[len("bf16 "):].strip()
            return state.startswith("yes"), state
    return False, "`pix2pix version` printed no bf16 line (exit %d)" % r.returncode


def add_fractions(train, infer, peak16):
    """Records each bf16 run's fraction of the bfloat16 matmul peak."""
    for t in train.values():
        if TRAIN in t:
            t[TRAIN]["fraction_of_bf16_peak"] = t[TRAIN]["gflops"] / peak16
    if INFER in infer["programs"]:
        r = infer["programs"][INFER]
        r["fraction_of_bf16_peak"] = r["gflops"] / peak16


def print_rows(state, train, infer, peak16):
    """The bf16 table (or the reason there is none)."""
    if peak16 is None:
        print("`--precision bf16`: not measured here (%s)" % state)
        return
    print("| `--precision bf16` (opt-in, mixed precision; numerics not the original's) | pix2pix bf16 | pix2pix fp32 "
          "| reference | bf16 / reference | GFLOP/s (of fp32 peak, of bf16 peak %.1f) |" % peak16)
    print("|---|---|---|---|---|---|")
    for b in sorted(train):
        t = train[b]
        if TRAIN not in t:
            continue
        g, f, r = t[TRAIN], t["pix2pix"], t["reference"]
        print("| train s/step, batch %d | %.3f | %.3f | %.3f | **%.3f** | %.1f (%.2f, %.2f) |" % (
            b, g["step_seconds"], f["step_seconds"], r["step_seconds"], g["step_seconds"] / r["step_seconds"],
            g["gflops"], g["fraction_of_peak"], g["fraction_of_bf16_peak"]))
    p = infer["programs"]
    if INFER in p:
        g, f, r = p[INFER], p["pix2pix infer"], p["reference test mode"]
        print("| inference images/s (`infer` vs test mode) | %.2f | %.2f | %.2f | **%.2fx** | %.1f (%.2f, %.2f) |" % (
            g["images_per_sec"], f["images_per_sec"], r["images_per_sec"], g["images_per_sec"] / r["images_per_sec"],
            g["gflops"], g["fraction_of_peak"], g["fraction_of_bf16_peak"]))
        print()
        print("`infer --precision bf16` outputs against `infer`'s (float32), %d images: at most %d/255 apart, "
              "%.2f/255 on average" % (infer["images"], g["max_diff_from_infer"], g["mean_diff_from_infer"]))
