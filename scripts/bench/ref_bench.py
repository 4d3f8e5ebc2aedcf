"""Reference-side measurements for make bench and the FLOP test, on the
graph of scripts/reference/pix2pix_ref.py (imported from there):

  flops    FLOPs of a training step and a generator forward pass
  matmul   the machine's float32 (or bfloat16) matrix-multiply GFLOP/s in this TF build

Run with the venv of scripts/setup-reference.sh, as pix2pix_ref.py.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import pix2pix_ref  # noqa: E402
from breakdown import layer_of  # noqa: E402
from pix2pix_ref import ArgumentParser, build_model, make_session, v1  # noqa: E402


def conv_grad_flops(op):
    """2 x the multiply-adds of the convolution a Conv2DBackpropInput or
    Conv2DBackpropFilter differentiates: each output element of the forward
    convolution (the shape of out_backprop, input 2) takes kh x kw x C_in
    of them. Exact, where TensorFlow's registered formula (input size /
    stride^2) overcounts convolutions on padded inputs with VALID padding,
    such as the discriminator's."""
    out = op.inputs[2].shape
    kernel = (op.inputs[1] if op.type == "Conv2DBackpropInput" else op.outputs[0]).shape
    if not (out.is_fully_defined() and kernel.is_fully_defined()):
        return 0
    kh, kw, c_in, _ = kernel.as_list()
    return 2 * out.num_elements() * kh * kw * c_in


def count_flops(graph, roots):
    """FLOPs of every op that running roots executes (walking data and
    control inputs): TensorFlow's registered "flops" statistics (what
    tf.compat.v1.profiler's float_operation counts: 2 x multiply-adds for
    Conv2D, one per element for elementwise ops), with conv_grad_flops for
    the convolution gradients. Returns (total, {op type: flops}, {layer:
    flops}), layers as breakdown.layer_of names them.

    The optimisers' gate_gradients tuples tie every gradient of an op to
    its siblings by control edges, so the static graph reaches gradients
    nobody uses (the discriminator's kernel gradients in the generator's
    pass, the images' gradients). Grappler prunes them: a traced step runs
    26 kernel-gradient convolutions, not 31. So the walk does not follow a
    gate's control edge (the group_deps of a tuple/control_dependency)."""
    from tensorflow.python.framework import ops as tf_ops
    seen, stack, by_type, by_layer = set(), [r.op if hasattr(r, "op") else r for r in roots], {}, {}
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(t.op for t in op.inputs)
        if "/tuple/control_dependency" not in op.name:
            stack.extend(op.control_inputs)
        if op.type in ("Conv2DBackpropInput", "Conv2DBackpropFilter"):
            flops = conv_grad_flops(op)
        else:
            try:
                flops = tf_ops.get_stats_for_node_def(graph, op.node_def, "flops").value
            except ValueError:  # no statistic registered, or unknown shape
                continue
        if flops:
            by_type[op.type] = by_type.get(op.type, 0) + int(flops)
            layer = layer_of(op.name)
            by_layer[layer] = by_layer.get(layer, 0) + int(flops)
    return sum(by_type.values()), by_type, by_layer


def cmd_flops(opts):
    """FLOPs of one training step and of one generator forward pass at
    --batch_size, as JSON."""
    model = build_model(opts)
    graph = v1.get_default_graph()
    train, train_types, train_layers = count_flops(graph, [model["train"]])
    gen, gen_types, gen_layers = count_flops(graph, [model["outputs"]])
    json.dump({"batch_size": opts.batch_size,
               "train_step_flops": train, "generator_forward_flops": gen,
               "train_step_by_type": train_types,
               "generator_forward_by_type": gen_types,
               "train_step_by_layer": train_layers, "generator_forward_by_layer": gen_layers},
              sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


def cmd_matmul(opts):
    """The machine's matrix-multiply rate in --dtype in this TensorFlow
    build: an N x N product of two variables, run --repeats times after a
    warm-up; prints the best and median GFLOP/s (2 N^3 per product) as
    JSON. bfloat16 is the peak of `--precision bf16`, whose convolutions
    multiply in it."""
    n = opts.size
    dtype = {"float32": tf.float32, "bfloat16": tf.bfloat16}[opts.dtype]
    a = v1.get_variable("a", [n, n], dtype=dtype, initializer=v1.random_normal_initializer(dtype=dtype))
    b = v1.get_variable("b", [n, n], dtype=dtype, initializer=v1.random_normal_initializer(dtype=dtype))
    # Reduce to a scalar so the fetch copies nothing big; the sum is
    # negligible next to the 2 N^3 of the product.
    product = tf.reduce_sum(tf.matmul(a, b))
    rates = []
    with make_session(opts) as sess:
        sess.run(v1.global_variables_initializer())
        sess.run(product)
        for _ in range(opts.repeats):
            t0 = time.perf_counter()
            sess.run(product)
            rates.append(2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
    json.dump({"size": n, "repeats": opts.repeats, "dtype": opts.dtype,
               "best_gflops": max(rates),
               "median_gflops": float(np.median(rates))}, sys.stdout)
    sys.stdout.write("\n")


def parse_args(argv):
    common = pix2pix_ref.common_options()
    parser = ArgumentParser(
        prog="ref_bench.py",
        description="reference-side benchmark measurements for make bench")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sub.add_parser("flops", parents=[common],
                   help="FLOPs of a training step and a generator forward pass "
                        "(TensorFlow's cost statistics), as JSON")
    p = sub.add_parser("matmul", parents=[common],
                       help="measure float32 (or bfloat16) matrix-multiply GFLOP/s")
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    p.add_argument("--repeats", type=int, default=10)
    return pix2pix_ref.check_common(parser.parse_args(argv))


def main(argv=None):
    return pix2pix_ref.run_command({"flops": cmd_flops, "matmul": cmd_matmul},
                                   parse_args, argv, "ref_bench")


if __name__ == "__main__":
    sys.exit(main())
