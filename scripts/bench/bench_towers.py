"""Towers and a cluster on loopback, for `make bench`: `pix2pix train`
seconds per step and images per second with one tower, two towers on two
virtual CPUs of this machine, and two tasks (a chief and a worker, one
tower each, separate processes on 127.0.0.1), all at --batch_size 1 per
tower from the bench's ngf = ndf = 64 checkpoint; and the bytes one
cluster step moves between the tasks, summed from TensorFlow's own step
statistics (the RecvTensor entries of a traced step's RunMetadata, one per
tensor received from the other task, with its size).

On a machine with fewer cores than towers the towers share the cores, so
the figures show the overhead of replication, not a speed-up.
"""
import collections
import os
import re
import socket
import subprocess
import sys

# "[65536B] [93.8Mb/s] edge_1231_tower_1/x/read/ReadVariableOp from /job:.../task:0/... to /job:.../task:1/..."
# (the size rounded to 0.1 above a kilobyte: "[0.2MB]")
RECV = re.compile(r"^\[([\d.]+)([KMG]?i?B)\] \S+ edge_\d+_(\S+) from (\S+) to (\S+)")
TASK = re.compile(r"/task:(\d+)")
UNIT = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


def free_addresses(n):
    """n loopback addresses with ports free now (closed before use: a
    small race, acceptable for a benchmark)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return ["127.0.0.1:%d" % s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Worker:
    """`pix2pix worker --task 1` for as long as the with-block lasts."""

    def __init__(self, binary, spec, log):
        self.cmd = [binary, "worker", "--cluster", spec, "--task", "1"]
        self.log = log

    def __enter__(self):
        self.out = open(self.log, "w")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        self.p = subprocess.Popen(self.cmd, stdout=self.out, stderr=subprocess.STDOUT, env=env)
        return self

    def __exit__(self, *exc):
        self.p.terminate()
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.out.close()


def bytes_between_tasks(runmeta_path):
    """Bytes received per (from task, to task) in one traced step. A
    received tensor's size is the label's; where the label rounds it (to
    0.1 KB, MB, ...), its producer's output size as the sending task
    recorded it. (Some tensors have a second entry of 0 bytes: a receive
    that moved nothing.)"""
    import tensorflow as tf  # the reference venv's: TensorFlow's own protos

    rm = tf.compat.v1.RunMetadata.FromString(open(runmeta_path, "rb").read())
    produced = {}
    for dev in rm.step_stats.dev_stats:
        for n in dev.node_stats:
            if n.node_name != "RecvTensor" and len(n.output) == 1:
                produced[n.node_name] = n.output[0].tensor_description.allocation_description.requested_bytes
    moved, tensors = collections.Counter(), collections.Counter()
    for dev in rm.step_stats.dev_stats:
        for n in dev.node_stats:
            m = RECV.match(n.timeline_label) if n.node_name == "RecvTensor" else None
            if not m:
                continue
            src, dst = TASK.search(m.group(4)), TASK.search(m.group(5))
            if src and dst and src.group(1) != dst.group(1):
                key = "task %s -> task %s" % (src.group(1), dst.group(1))
                size = float(m.group(1)) * UNIT.get(m.group(2), 1)
                if m.group(2) != "B" and m.group(3) in produced:
                    size = produced[m.group(3)]
                moved[key] += size
                tensors[key] += 1
    return dict(moved), dict(tensors)


def bench(b, args, ckpt_dir, pairs):
    """b is the bench module (its train_run and train_commands)."""
    steps = args.warmup + args.timed_steps
    spec = "worker=" + ",".join(free_addresses(2))
    settings = [
        ("1 tower", 1, []),
        ("2 towers, 2 virtual CPUs", 2, ["--devices", "cpu:0,cpu:1", "--virtual-cpus", "2"]),
        ("2 tasks on loopback", 2, ["--cluster", spec]),
    ]
    out = {}
    for name, towers, extra in settings:
        (go, go_steps, go_out), _ = b.train_commands(args, ckpt_dir, pairs, 1, steps)
        if extra[:1] == ["--cluster"]:
            with Worker(args.bin, spec, os.path.join(args.workdir, "worker.log")):
                r = b.train_run(go + extra, go_steps, args.warmup, out=go_out)
        else:
            r = b.train_run(go + extra, go_steps, args.warmup, out=go_out)
        r["towers"] = towers
        r["images_per_sec"] = towers / r["step_seconds"]
        out[name] = r
        print("  %s: %.3f s/step, %.2f images/s" % (name, r["step_seconds"], r["images_per_sec"]), flush=True)
    out["cluster_bytes"] = traced_cluster_step(b, args, ckpt_dir, pairs, spec)
    return out


def traced_cluster_step(b, args, ckpt_dir, pairs, spec):
    """Runs 3 cluster steps tracing the second, and sums what it moved."""
    (go, _, go_out), _ = b.train_commands(args, ckpt_dir, pairs, 1, 3)
    i = go.index("--step-times")
    del go[i:i + 2]
    with Worker(args.bin, spec, os.path.join(args.workdir, "worker.log")):
        b.spawn(go + ["--cluster", spec, "--trace_freq", "3"], out=go_out)
    traces = os.path.join(go_out, "traces")
    metas = sorted(f for f in os.listdir(traces) if f.endswith(".runmeta.pb"))
    if not metas:
        sys.exit("bench: the traced cluster run wrote no RunMetadata in %s" % traces)
    moved, tensors = bytes_between_tasks(os.path.join(traces, metas[-1]))
    print("  bytes moved in one cluster step: %s" % ", ".join(
        "%s %.1f MB (%d tensors)" % (k, v / 1e6, tensors[k]) for k, v in sorted(moved.items())), flush=True)
    return {"bytes": moved, "tensors": tensors, "trace": metas[-1]}


def model_bytes(ckpt_dir):
    """Bytes of the model's variables (weights and batch-norm statistics,
    not the optimiser's slots) in the bench checkpoint, float32."""
    import tensorflow as tf

    ckpt = tf.train.latest_checkpoint(ckpt_dir)
    n = 0
    for name, shape in tf.train.list_variables(ckpt):
        if "/Adam" in name or name.endswith("_power") or "ExponentialMovingAverage" in name or name == "global_step":
            continue
        size = 1
        for d in shape:
            size *= d
        n += size
    return 4 * n


def run(b, args, ckpt_dir, pairs):
    res = bench(b, args, ckpt_dir, pairs)
    res["model_bytes"] = model_bytes(ckpt_dir)
    return res


def print_rows(res):
    """The towers table: each setting, then the bytes a cluster step moved
    against the model's size."""
    one = res["1 tower"]["step_seconds"]
    print("| pix2pix train, batch 1 per tower | s/step | images/s | s/step / 1 tower's |")
    print("|---|---|---|---|")
    for name in ("1 tower", "2 towers, 2 virtual CPUs", "2 tasks on loopback"):
        r = res[name]
        print("| %s | %.3f | %.2f | %.2f |" % (name, r["step_seconds"], r["images_per_sec"], r["step_seconds"] / one))
    mb = res["model_bytes"]
    for k, v in sorted(res["cluster_bytes"]["bytes"].items()):
        print("| bytes per cluster step, %s | %.1f MB | %.2f x the model's %.1f MB | |" % (k, v / 1e6, v / mb, mb / 1e6))
