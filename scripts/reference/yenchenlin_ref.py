#!/usr/bin/env python3
"""Reference harness for the second TensorFlow pix2pix setup the project
compares with: yenchenlin/pix2pix-tensorflow (its TensorFlow 1.0 head).

It rebuilds that program's graph under TensorFlow 2.18's tf.compat.v1, with
TF1 reference variables, from a reading of its public code (model.py,
ops.py), written anew here: the same scopes, variable names, initialisers,
op order and losses, so that variable lists, checkpoints and outputs can be
compared with pix2pix's --setup yenchenlin. TF1-only pieces are replaced by
their equivalents: tf.contrib.layers.batch_norm (in training mode, moving
averages updated in place on every run, updates_collections=None) is built
from its definition, and keep_prob dropout becomes rate dropout.

Subcommands (JSON on stdout where they print):
  vars     the checkpoint's variables (the Saver is built before the
           optimisers, as there) and the whole graph's, with counts
  init     initialise and save a checkpoint at --out
  data     random real_A_and_B images [batch, 256, 256, 6] in [-1, 1]
  forward  restore --ckpt, run the generator and both discriminator copies
           once on --data, save outputs, losses and the moving statistics
  step     restore, run --steps iterations of the original loop (one D
           update, two G updates, as separate runs), save the model and the
           losses
Run with the venv of scripts/setup-reference.sh.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import sys

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_v2_behavior()
v1 = tf.compat.v1

SIZE = 256
L1_LAMBDA = 100.0
BN_DECAY, BN_EPS = 0.9, 1e-5


class HarnessError(Exception):
    """A message for the user (exit code 1)."""


def conv(x, out, name, stride=2):
    """5x5 convolution, SAME, weights truncated-normal 0.02 (`w`), bias 0."""
    with v1.variable_scope(name):
        w = v1.get_variable("w", [5, 5, x.shape[-1], out],
                            initializer=v1.truncated_normal_initializer(stddev=0.02))
        b = v1.get_variable("biases", [out], initializer=v1.constant_initializer(0.0))
        y = tf.nn.conv2d(x, w, strides=[1, stride, stride, 1], padding="SAME")
        return tf.reshape(tf.nn.bias_add(y, b), y.shape)


def deconv(x, out_shape, name):
    """5x5 transposed convolution, stride 2, SAME, weights normal 0.02."""
    with v1.variable_scope(name):
        w = v1.get_variable("w", [5, 5, out_shape[-1], x.shape[-1]],
                            initializer=v1.random_normal_initializer(stddev=0.02))
        y = tf.nn.conv2d_transpose(x, w, output_shape=out_shape, strides=[1, 2, 2, 1])
        b = v1.get_variable("biases", [out_shape[-1]], initializer=v1.constant_initializer(0.0))
        return tf.reshape(tf.nn.bias_add(y, b), y.shape)


def batch_norm(x, name):
    """contrib batch_norm(decay=0.9, epsilon=1e-5, scale=True,
    updates_collections=None), training mode: normalises with the batch's
    statistics and updates the moving averages before returning."""
    c = x.shape[-1]
    with v1.variable_scope(name):
        beta = v1.get_variable("beta", [c], initializer=v1.zeros_initializer())
        gamma = v1.get_variable("gamma", [c], initializer=v1.ones_initializer())
        mm = v1.get_variable("moving_mean", [c], initializer=v1.zeros_initializer(), trainable=False)
        mv = v1.get_variable("moving_variance", [c], initializer=v1.ones_initializer(), trainable=False)
        mean, var = tf.nn.moments(x, [0, 1, 2])
        up_m = v1.assign_sub(mm, (mm - mean) * (1 - BN_DECAY))
        up_v = v1.assign_sub(mv, (mv - var) * (1 - BN_DECAY))
        with tf.control_dependencies([up_m, up_v]):
            mean, var = tf.identity(mean), tf.identity(var)
        return tf.nn.batch_normalization(x, mean, var, beta, gamma, BN_EPS)


def lrelu(x):
    return tf.maximum(x, 0.2 * x)


def generator(image, opts):
    """U-Net: e1..e8 (no norm on e1), d1..d7 with skips to e7..e1, dropout
    on d1-d3, d8 to 3 channels, tanh."""
    g, b = opts.ngf, opts.batch_size
    widths = [g, g * 2, g * 4, g * 8, g * 8, g * 8, g * 8, g * 8]
    with v1.variable_scope("generator"):
        e = [conv(image, widths[0], "g_e1_conv")]
        for k in range(2, 9):
            e.append(batch_norm(conv(lrelu(e[-1]), widths[k - 1], "g_e%d_conv" % k), "g_bn_e%d" % k))
        x = e[-1]
        for k in range(1, 8):
            side = SIZE >> (8 - k)
            d = batch_norm(deconv(tf.nn.relu(x), [b, side, side, widths[7 - k]], "g_d%d" % k), "g_bn_d%d" % k)
            if k <= 3 and not opts.no_dropout:
                d = tf.nn.dropout(d, rate=0.5, seed=opts.seed)
            x = tf.concat([d, e[7 - k]], 3)
        return tf.nn.tanh(deconv(tf.nn.relu(x), [b, SIZE, SIZE, 3], "g_d8"))


def discriminator(ab, opts, reuse):
    """h0..h3 (stride 1 on h3, batch norm on h1-h3), then one linear unit
    on the flattened h3: a logit per image."""
    f = opts.ndf
    with v1.variable_scope("discriminator", reuse=reuse):
        h = lrelu(conv(ab, f, "d_h0_conv"))
        h = lrelu(batch_norm(conv(h, f * 2, "d_h1_conv"), "d_bn1"))
        h = lrelu(batch_norm(conv(h, f * 4, "d_h2_conv"), "d_bn2"))
        h = lrelu(batch_norm(conv(h, f * 8, "d_h3_conv", stride=1), "d_bn3"))
        flat = tf.reshape(h, [opts.batch_size, -1])
        with v1.variable_scope("d_h3_lin"):
            m = v1.get_variable("Matrix", [flat.shape[1], 1], tf.float32,
                                v1.random_normal_initializer(stddev=0.02))
            bias = v1.get_variable("bias", [1], initializer=v1.constant_initializer(0.0))
            logits = tf.matmul(flat, m) + bias
        return tf.nn.sigmoid(logits), logits


def bce(logits, label):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        logits=logits, labels=tf.ones_like(logits) * label))


def build(opts):
    """The graph of model.py's build_model: real_B is channels 0-2 of the
    placeholder, real_A channels 3-5 (the loader puts the file's left half
    first, so the model translates the right half into the left)."""
    if opts.seed is not None:
        v1.set_random_seed(opts.seed)
    m = {"data": v1.placeholder(tf.float32, [opts.batch_size, SIZE, SIZE, 6], name="real_A_and_B_images")}
    real_b, real_a = m["data"][:, :, :, :3], m["data"][:, :, :, 3:6]
    m["fake_B"] = generator(real_a, opts)
    m["D"], m["D_logits"] = discriminator(tf.concat([real_a, real_b], 3), opts, False)
    m["D_"], m["D_logits_"] = discriminator(tf.concat([real_a, m["fake_B"]], 3), opts, True)
    m["d_loss_real"] = bce(m["D_logits"], 1.0)
    m["d_loss_fake"] = bce(m["D_logits_"], 0.0)
    m["g_loss"] = bce(m["D_logits_"], 1.0) + L1_LAMBDA * tf.reduce_mean(tf.abs(real_b - m["fake_B"]))
    m["d_loss"] = m["d_loss_real"] + m["d_loss_fake"]
    # The Saver is built before the optimisers, as there: a checkpoint holds
    # the weights and batch-norm statistics, no Adam state.
    m["ckpt_vars"] = list(v1.global_variables())
    m["saver"] = v1.train.Saver(max_to_keep=1)
    t_vars = v1.trainable_variables()
    d_vars = [v for v in t_vars if "d_" in v.name]
    g_vars = [v for v in t_vars if "g_" in v.name]
    m["d_optim"] = v1.train.AdamOptimizer(opts.lr, beta1=opts.beta1).minimize(m["d_loss"], var_list=d_vars)
    m["g_optim"] = v1.train.AdamOptimizer(opts.lr, beta1=opts.beta1).minimize(m["g_loss"], var_list=g_vars)
    return m


def describe(variables):
    return [{"name": v.op.name, "dtype": v.dtype.base_dtype.name, "shape": v.shape.as_list()}
            for v in sorted(variables, key=lambda v: v.op.name)]


def save_arrays(prefix, arrays):
    """{name: array} as a V2 checkpoint at prefix, fed through placeholders."""
    names = sorted(arrays)
    g = tf.Graph()
    with g.as_default():
        holders = [v1.placeholder(tf.as_dtype(np.asarray(arrays[n]).dtype), np.shape(arrays[n])) for n in names]
        op = tf.raw_ops.SaveV2(prefix=tf.constant(prefix), tensor_names=tf.constant(names),
                               shape_and_slices=tf.constant([""] * len(names)), tensors=holders)
    os.makedirs(os.path.dirname(prefix) or ".", exist_ok=True)
    with v1.Session(graph=g) as s:
        s.run(op, {h: np.asarray(arrays[n]) for h, n in zip(holders, names)})


def restored_session(opts, m):
    s = v1.Session()
    s.run(v1.global_variables_initializer())  # Adam's slots: not in the checkpoint
    try:
        m["saver"].restore(s, opts.ckpt)
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError, ValueError) as e:
        raise HarnessError("cannot restore %r (check --ngf, --ndf, --batch_size): %s"
                           % (opts.ckpt, str(e).splitlines()[0]))
    return s


def read_data(opts):
    try:
        arr = tf.train.load_checkpoint(opts.data).get_tensor("real_A_and_B")
    except Exception as e:
        raise HarnessError("cannot read %r: %s" % (opts.data, e))
    if arr.shape != (opts.batch_size, SIZE, SIZE, 6):
        raise HarnessError("%r holds %s, want [%d, 256, 256, 6]" % (opts.data, list(arr.shape), opts.batch_size))
    return arr


def bn_stats():
    return [v for v in v1.global_variables() if "moving_" in v.op.name]


def cmd_vars(opts):
    m = build(opts)
    ckpt = describe(m["ckpt_vars"])
    print(json.dumps({"checkpoint": ckpt, "graph": describe(v1.global_variables()),
                      "checkpoint_count": len(ckpt), "graph_count": len(v1.global_variables())}))


def cmd_init(opts):
    m = build(opts)
    os.makedirs(os.path.dirname(opts.out) or ".", exist_ok=True)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        m["saver"].save(s, opts.out, write_meta_graph=False)


def cmd_data(opts):
    rng = np.random.RandomState(opts.seed or 0)
    save_arrays(opts.out, {"real_A_and_B": rng.uniform(-1, 1, (opts.batch_size, SIZE, SIZE, 6)).astype(np.float32)})


def fetch_all(s, m, feed, names):
    return dict(zip(names, s.run([m[n] for n in names], feed)))


def cmd_forward(opts):
    m = build(opts)
    data = read_data(opts)
    with restored_session(opts, m) as s:
        names = ["fake_B", "D", "D_logits", "D_", "D_logits_", "d_loss", "g_loss"]
        out = fetch_all(s, m, {m["data"]: data}, names)
        out.update({"after/" + v.op.name: s.run(v) for v in bn_stats()})
    save_arrays(os.path.join(opts.out, "result"), out)


def cmd_step(opts):
    m = build(opts)
    data = read_data(opts)
    feed = {m["data"]: data}
    out = {}
    with restored_session(opts, m) as s:
        for i in range(1, opts.steps + 1):
            s.run(m["d_optim"], feed)
            s.run(m["g_optim"], feed)
            s.run(m["g_optim"], feed)  # the second G update of the original loop
            for n in ("d_loss_fake", "d_loss_real", "g_loss"):
                out["step_%d/%s" % (i, n)] = s.run(m[n], feed)
        out.update({v.op.name: s.run(v) for v in v1.global_variables()})
        os.makedirs(opts.out, exist_ok=True)
        m["saver"].save(s, os.path.join(opts.out, "pix2pix.model"), global_step=opts.steps, write_meta_graph=False)
    save_arrays(os.path.join(opts.out, "result"), out)


def parse(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--ngf", type=int, default=64)
    common.add_argument("--ndf", type=int, default=64)
    common.add_argument("--batch_size", type=int, default=1)
    common.add_argument("--lr", type=float, default=0.0002)
    common.add_argument("--beta1", type=float, default=0.5)
    common.add_argument("--seed", type=int, default=None)
    common.add_argument("--no_dropout", action="store_true", help="leave out the d1-d3 dropout")
    p = argparse.ArgumentParser(prog="yenchenlin_ref.py", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("vars", parents=[common])
    for name in ("init", "data"):
        sub.add_parser(name, parents=[common]).add_argument("--out", required=True)
    for name in ("forward", "step"):
        q = sub.add_parser(name, parents=[common])
        q.add_argument("--ckpt", required=True)
        q.add_argument("--data", required=True)
        q.add_argument("--out", required=True)
        if name == "step":
            q.add_argument("--steps", type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    opts = parse(sys.argv[1:] if argv is None else argv)
    try:
        {"vars": cmd_vars, "init": cmd_init, "data": cmd_data,
         "forward": cmd_forward, "step": cmd_step}[opts.command](opts)
    except HarnessError as e:
        print("yenchenlin_ref: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
