#!/usr/bin/env python3
"""Reference harness for the pix2pix parity tests.

Builds the training graph of affinelayer/pix2pix-tensorflow (pix2pix.py,
TensorFlow 1.4 era) under TensorFlow 2.18's tf.compat.v1, with TF1 reference
variables, and exposes it through small subcommands that the Go tests drive:

  vars     list every global variable (name, dtype, shape) and param counts
  init     initialise all variables and write a checkpoint
  data     write a checkpoint of random "inputs"/"targets" arrays in [-1, 1]
  step     restore, run K training steps, save the model and every fetched value
  forward  restore, run the forward pass once (no training), save the values
  train    the original's training loop and queue input pipeline, with its
           summaries and traces (the TensorBoard test) and each step's time
           (make bench)
  onednn   whether this TensorFlow runs oneDNN kernels
  import_meta  what a TF1 user does with a checkpoint's .meta

The benchmark-only measurements (FLOPs, the matmul rate) are in
scripts/bench/ref_bench.py, which builds on this module.
  test     the original's --mode test: generator over a folder of images,
           writing images/<name>-{inputs,outputs,targets}.png and index.html

The graph follows the original layer by layer (scope names, initialisers,
op order), so that variable names, shapes and numbers match; it is
written from a reading of the original's public pix2pix.py
(affinelayer/pix2pix-tensorflow), not copied from it.
Run with the venv of scripts/setup-reference.sh (see README.md here).
"""

import os

# Must be set before TensorFlow is imported: tf.compat.v1.layers needs the
# Keras 2 implementation (tf_keras), and the C++ log noise hides our output.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import glob
import json
import sys
import time
import warnings

import numpy as np
import tensorflow as tf

# The tf.layers / keep_prob / ref-variable deprecation notices are expected
# here; keep stderr for real errors unless the caller lowered the log level.
if os.environ["TF_CPP_MIN_LOG_LEVEL"].strip() not in ("0", "1"):
    tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)

# TF1 semantics: graph mode and reference (non-resource) variables. The
# parity tests depend on ref variables: the generator's gradient ops run after
# the discriminator's update and read its new weights through the shared
# buffers, exactly as in the original under TensorFlow 1.x.
tf.compat.v1.disable_v2_behavior()

v1 = tf.compat.v1

EPS = 1e-12
CROP_SIZE = 256
EMA_DECAY = 0.99


class HarnessError(Exception):
    """An error with a message meant for the user (printed, exit code 1)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse with exit code 1 on usage errors (argparse's own is 2)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(1, "%s: error: %s\n" % (self.prog, message))


# ---------------------------------------------------------------------------
# Building blocks (same ops and initialisers as the original)
# ---------------------------------------------------------------------------

def weight_init():
    return v1.random_normal_initializer(0, 0.02)


def lrelu(x, slope):
    # Written as a sum of a linear and an |x| term, like the original, so the
    # op sequence (and its gradient) is identical; the identity keeps the
    # block looking like a single-input node in the graph.
    with v1.name_scope("lrelu"):
        x = tf.identity(x)
        return (0.5 * (1 + slope)) * x + (0.5 * (1 - slope)) * tf.abs(x)


def batchnorm(x):
    # training=True always: batch statistics everywhere. The moving-average
    # update ops land in UPDATE_OPS and are never run (as in the original),
    # so moving_mean/moving_variance stay at 0/1.
    return v1.layers.batch_normalization(
        x, axis=3, epsilon=1e-5, momentum=0.1, training=True,
        gamma_initializer=v1.random_normal_initializer(1.0, 0.02))


def gen_conv(x, channels, separable):
    # Down block: 4x4 stride 2 SAME, halves height and width.
    if separable:
        return v1.layers.separable_conv2d(
            x, channels, kernel_size=4, strides=(2, 2), padding="same",
            depthwise_initializer=weight_init(),
            pointwise_initializer=weight_init())
    return v1.layers.conv2d(
        x, channels, kernel_size=4, strides=(2, 2), padding="same",
        kernel_initializer=weight_init())


def gen_deconv(x, channels, separable):
    # Up block: doubles height and width.
    if separable:
        # Nearest-neighbour x2 upsampling, then a stride-1 separable conv.
        _, h, w, _ = x.shape
        up = v1.image.resize_images(
            x, [int(h) * 2, int(w) * 2],
            method=v1.image.ResizeMethod.NEAREST_NEIGHBOR)
        return v1.layers.separable_conv2d(
            up, channels, kernel_size=4, strides=(1, 1), padding="same",
            depthwise_initializer=weight_init(),
            pointwise_initializer=weight_init())
    return v1.layers.conv2d_transpose(
        x, channels, kernel_size=4, strides=(2, 2), padding="same",
        kernel_initializer=weight_init())


def discrim_conv(x, channels, stride):
    # Explicit 1-pixel zero padding then VALID, so 256 -> 128 -> 64 -> 32 ->
    # 31 -> 30 through the five layers.
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="CONSTANT")
    return v1.layers.conv2d(
        padded, channels, kernel_size=4, strides=(stride, stride),
        padding="valid", kernel_initializer=weight_init())


# ---------------------------------------------------------------------------
# Networks
# ---------------------------------------------------------------------------

def build_generator(inputs, out_channels, opts):
    """U-Net: encoder_1..8 then decoder_8..1 with skip connections.

    Must be called inside variable_scope("generator")."""
    ngf = opts.ngf
    sep = opts.separable_conv
    layers = []

    # encoder_1: plain down block, no activation or norm in front.
    with v1.variable_scope("encoder_1"):
        layers.append(gen_conv(inputs, ngf, sep))

    # encoder_2..8: lrelu -> down block -> batch norm.
    for mult in (2, 4, 8, 8, 8, 8, 8):
        with v1.variable_scope("encoder_%d" % (len(layers) + 1)):
            h = lrelu(layers[-1], 0.2)
            h = gen_conv(h, ngf * mult, sep)
            layers.append(batchnorm(h))

    # decoder_8..2: relu -> up block -> batch norm (-> dropout on 8, 7, 6).
    # Every decoder but the first takes the previous layer concatenated
    # with the encoder layer of the same size.
    n_enc = len(layers)
    decoder_specs = [(8, True), (8, True), (8, True), (8, False),
                     (4, False), (2, False), (1, False)]
    for i, (mult, drop) in enumerate(decoder_specs):
        skip = n_enc - i - 1
        with v1.variable_scope("decoder_%d" % (skip + 1)):
            if i == 0:
                h = layers[-1]
            else:
                h = tf.concat([layers[-1], layers[skip]], axis=3)
            h = tf.nn.relu(h)
            h = gen_deconv(h, ngf * mult, sep)
            h = batchnorm(h)
            # --no_dropout (test-only) leaves the dropout ops out entirely,
            # which makes a training step deterministic given the weights.
            if drop and not opts.no_dropout:
                h = v1.nn.dropout(h, keep_prob=0.5)
            layers.append(h)

    # decoder_1: concat with encoder_1 -> relu -> up block -> tanh.
    with v1.variable_scope("decoder_1"):
        h = tf.concat([layers[-1], layers[0]], axis=3)
        h = tf.nn.relu(h)
        h = gen_deconv(h, out_channels, sep)
        layers.append(tf.tanh(h))

    return layers[-1]


def build_discriminator(inputs, images, opts):
    """70x70 PatchGAN over concat(inputs, images); [batch, 30, 30, 1] out.

    Called inside variable_scope("discriminator") (second time with reuse)."""
    ndf = opts.ndf
    n_layers = 3
    layers = []
    x = tf.concat([inputs, images], axis=3)

    with v1.variable_scope("layer_1"):
        layers.append(lrelu(discrim_conv(x, ndf, stride=2), 0.2))

    # layer_2..4: ndf*2, *4, *8; the last of these has stride 1.
    for i in range(n_layers):
        with v1.variable_scope("layer_%d" % (len(layers) + 1)):
            channels = ndf * min(2 ** (i + 1), 8)
            stride = 1 if i == n_layers - 1 else 2
            h = discrim_conv(layers[-1], channels, stride=stride)
            layers.append(lrelu(batchnorm(h), 0.2))

    with v1.variable_scope("layer_%d" % (len(layers) + 1)):
        layers.append(tf.sigmoid(discrim_conv(layers[-1], 1, stride=1)))

    return layers[-1]


def channel_counts(opts):
    # Lab colorization: L in (1 channel), ab out (2 channels); the other way
    # round for test's --which_direction BtoA (the only subcommand with it).
    if not opts.lab_colorization:
        return (3, 3)
    if getattr(opts, "which_direction", "AtoB") == "BtoA":
        return (2, 1)
    return (1, 2)


def build_inputs_and_generator(opts, examples=None):
    """The graph seed, the inputs/targets placeholders and the generator,
    in the original's creation order (with a graph seed, every random op's
    seed derives from its position, so build_model and test draw the same
    dropout masks). examples, a function returning (inputs, targets)
    tensors, replaces the placeholders with an input pipeline."""
    if opts.seed is not None:
        v1.set_random_seed(opts.seed)
    in_ch, out_ch = channel_counts(opts)
    b = opts.batch_size
    if examples is not None:
        inputs, targets = examples()
    else:
        inputs = v1.placeholder(tf.float32, [b, CROP_SIZE, CROP_SIZE, in_ch],
                                name="inputs")
        targets = v1.placeholder(tf.float32, [b, CROP_SIZE, CROP_SIZE, out_ch],
                                 name="targets")
    with v1.variable_scope("generator"):
        outputs = build_generator(inputs, out_ch, opts)
    return inputs, targets, outputs


def build_model(opts, examples=None):
    """Builds the whole training graph; returns a dict of its tensors/ops.

    The creation order follows the original, which matters: with a graph seed
    set, every random op's seed derives from its position in the graph."""
    inputs, targets, outputs = build_inputs_and_generator(opts, examples)

    # Two copies of the discriminator sharing one set of variables.
    with v1.name_scope("real_discriminator"):
        with v1.variable_scope("discriminator"):
            predict_real = build_discriminator(inputs, targets, opts)
    with v1.name_scope("fake_discriminator"):
        with v1.variable_scope("discriminator", reuse=True):
            predict_fake = build_discriminator(inputs, outputs, opts)

    with v1.name_scope("discriminator_loss"):
        discrim_loss = tf.reduce_mean(
            -(tf.math.log(predict_real + EPS)
              + tf.math.log(1 - predict_fake + EPS)))

    # The GAN mean is created first, so its op (and EMA variable) is
    # generator_loss/Mean and the L1 one generator_loss/Mean_1.
    with v1.name_scope("generator_loss"):
        gen_loss_GAN = tf.reduce_mean(-tf.math.log(predict_fake + EPS))
        gen_loss_L1 = tf.reduce_mean(tf.abs(targets - outputs))
        gen_loss = gen_loss_GAN * opts.gan_weight + gen_loss_L1 * opts.l1_weight

    with v1.name_scope("discriminator_train"):
        d_vars = [v for v in v1.trainable_variables()
                  if v.name.startswith("discriminator")]
        d_optim = v1.train.AdamOptimizer(opts.lr, opts.beta1)
        discrim_grads_and_vars = d_optim.compute_gradients(
            discrim_loss, var_list=d_vars)
        discrim_train = d_optim.apply_gradients(discrim_grads_and_vars)

    # Everything of the generator's update, its gradient ops included, waits
    # for the discriminator's update (the subtlety the tests check).
    with v1.name_scope("generator_train"):
        with tf.control_dependencies([discrim_train]):
            g_vars = [v for v in v1.trainable_variables()
                      if v.name.startswith("generator")]
            g_optim = v1.train.AdamOptimizer(opts.lr, opts.beta1)
            gen_grads_and_vars = g_optim.compute_gradients(
                gen_loss, var_list=g_vars)
            gen_train = g_optim.apply_gradients(gen_grads_and_vars)

    ema = v1.train.ExponentialMovingAverage(decay=EMA_DECAY)
    update_losses = ema.apply([discrim_loss, gen_loss_GAN, gen_loss_L1])

    global_step = v1.train.get_or_create_global_step()
    incr_global_step = v1.assign(global_step, global_step + 1)

    train = tf.group(update_losses, incr_global_step, gen_train)

    # Harness-only reads (no variables, no effect on training). Fetching a
    # ref variable in the same run that assigns it gives no ordering
    # guarantee, so global_step and the loss averages are read by fresh
    # Identity ops that wait for the train op: they are the values AFTER
    # the step (global_step = i after step i, EMA including step i's losses).
    with v1.name_scope("harness_after_train"):
        with tf.control_dependencies([train]):
            global_step_after = global_step.read_value()
            ema_after = {
                "discrim_loss": ema.average(discrim_loss).read_value(),
                "gen_loss_GAN": ema.average(gen_loss_GAN).read_value(),
                "gen_loss_L1": ema.average(gen_loss_L1).read_value(),
            }

    return {
        "inputs": inputs,
        "targets": targets,
        "outputs": outputs,
        "predict_real": predict_real,
        "predict_fake": predict_fake,
        "discrim_loss": discrim_loss,
        "gen_loss_GAN": gen_loss_GAN,
        "gen_loss_L1": gen_loss_L1,
        "gen_loss": gen_loss,
        "discrim_grads_and_vars": discrim_grads_and_vars,
        "gen_grads_and_vars": gen_grads_and_vars,
        "ema": ema,
        "ema_after": ema_after,
        "global_step": global_step,
        "global_step_after": global_step_after,
        "train": train,
    }


# ---------------------------------------------------------------------------
# Session and checkpoint helpers
# ---------------------------------------------------------------------------

def make_session(opts, graph=None):
    config = v1.ConfigProto()
    if opts.threads > 0:
        config.intra_op_parallelism_threads = opts.threads
        config.inter_op_parallelism_threads = opts.threads
    return v1.Session(graph=graph, config=config)


def var_name(v):
    # "generator/encoder_1/conv2d/kernel:0" -> "generator/encoder_1/conv2d/kernel"
    return v.op.name


def save_arrays(prefix, arrays, opts):
    """Writes {name: numpy array} as a TF V2 checkpoint at prefix.

    Uses a separate graph with placeholders so big arrays are fed, not
    baked into the graph as constants (2 GB GraphDef limit)."""
    names = sorted(arrays)
    graph = tf.Graph()
    with graph.as_default():
        holders = [v1.placeholder(tf.as_dtype(np.asarray(arrays[n]).dtype),
                                  shape=np.shape(arrays[n]))
                   for n in names]
        save_op = tf.raw_ops.SaveV2(
            prefix=tf.constant(prefix),
            tensor_names=tf.constant(names),
            shape_and_slices=tf.constant([""] * len(names)),
            tensors=holders)
    parent = os.path.dirname(prefix)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with make_session(opts, graph) as sess:
        sess.run(save_op, {h: np.asarray(arrays[n])
                           for h, n in zip(holders, names)})


def load_data(opts, model):
    """Reads "inputs" and "targets" from a checkpoint; checks their shapes."""
    try:
        reader = tf.train.load_checkpoint(opts.data)
    except Exception as e:  # NotFoundError, DataLossError, ValueError...
        raise HarnessError("cannot read data checkpoint %r: %s" % (opts.data, e))
    arrays = {}
    for key in ("inputs", "targets"):
        if not reader.has_tensor(key):
            raise HarnessError("data checkpoint %r has no tensor %r"
                               % (opts.data, key))
        arr = np.asarray(reader.get_tensor(key), dtype=np.float32)
        want = tuple(model[key].shape.as_list())
        if arr.shape != want:
            raise HarnessError(
                "data checkpoint %r: %s has shape %s, the graph wants %s "
                "(check --batch_size and --lab_colorization)"
                % (opts.data, key, list(arr.shape), list(want)))
        arrays[key] = arr
    return arrays


def restore(sess, saver, prefix):
    """Restores every global variable, after checking names, shapes and
    dtypes against the checkpoint so a mismatch gets a readable message."""
    try:
        reader = tf.train.load_checkpoint(prefix)
    except Exception as e:
        raise HarnessError("cannot read model checkpoint %r: %s" % (prefix, e))
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    problems = []
    for v in v1.global_variables():
        name = var_name(v)
        if name not in shapes:
            problems.append("%s missing" % name)
        elif list(shapes[name]) != v.shape.as_list():
            problems.append("%s has shape %s, the graph wants %s"
                            % (name, list(shapes[name]), v.shape.as_list()))
        elif dtypes[name] != v.dtype.base_dtype:
            problems.append("%s has dtype %s, the graph wants %s"
                            % (name, dtypes[name].name, v.dtype.base_dtype.name))
    if problems:
        more = len(problems) - 5
        raise HarnessError(
            "model checkpoint %r does not fit the graph (check --ngf, --ndf, "
            "--separable_conv, --lab_colorization): %s%s"
            % (prefix, "; ".join(problems[:5]),
               " (and %d more)" % more if more > 0 else ""))
    saver.restore(sess, prefix)


def build_with_saver(opts):
    model = build_model(opts)
    saver = v1.train.Saver(max_to_keep=1)
    return model, saver


# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------

def count_params(prefix):
    return int(sum(int(np.prod(v.shape.as_list()))
                   for v in v1.trainable_variables()
                   if v.name.startswith(prefix)))


def cmd_vars(opts):
    build_with_saver(opts)
    variables = sorted(
        ({"name": var_name(v),
          "dtype": v.dtype.base_dtype.name,
          "shape": v.shape.as_list()}
         for v in v1.global_variables()),
        key=lambda d: d["name"])
    json.dump({"variables": variables,
               "generator_params": count_params("generator"),
               "discriminator_params": count_params("discriminator")},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


def cmd_init(opts):
    _, saver = build_with_saver(opts)
    parent = os.path.dirname(opts.out)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with make_session(opts) as sess:
        sess.run(v1.global_variables_initializer())
        saver.save(sess, opts.out, write_meta_graph=False)
    print(opts.out)


def cmd_data(opts):
    # Random images in [-1, 1], the range the generator sees after
    # preprocessing; numpy's generator so the values do not depend on TF.
    in_ch, out_ch = channel_counts(opts)
    shape = (opts.batch_size, CROP_SIZE, CROP_SIZE)
    rng = np.random.default_rng(opts.seed)
    arrays = {
        "inputs": rng.uniform(-1, 1, shape + (in_ch,)).astype(np.float32),
        "targets": rng.uniform(-1, 1, shape + (out_ch,)).astype(np.float32),
    }
    save_arrays(opts.out, arrays, opts)
    print(opts.out)


def cmd_step(opts):
    if opts.steps < 1:
        raise HarnessError("--steps must be at least 1")
    model, saver = build_with_saver(opts)
    grads = [(var_name(v), g) for g, v in
             model["discrim_grads_and_vars"] + model["gen_grads_and_vars"]]
    missing = [n for n, g in grads if g is None]
    if missing:
        raise HarnessError("no gradient for: %s" % ", ".join(missing))

    fetches = {
        "train": model["train"],
        "outputs": model["outputs"],
        "predict_real": model["predict_real"],
        "predict_fake": model["predict_fake"],
        "discrim_loss": model["discrim_loss"],
        "gen_loss_GAN": model["gen_loss_GAN"],
        "gen_loss_L1": model["gen_loss_L1"],
        "ema/discrim_loss": model["ema_after"]["discrim_loss"],
        "ema/gen_loss_GAN": model["ema_after"]["gen_loss_GAN"],
        "ema/gen_loss_L1": model["ema_after"]["gen_loss_L1"],
        "global_step": model["global_step_after"],
    }
    for name, g in grads:
        fetches["grad/" + name] = g

    with make_session(opts) as sess:
        restore(sess, saver, opts.ckpt)
        data = load_data(opts, model)
        feed = {model["inputs"]: data["inputs"],
                model["targets"]: data["targets"]}
        results = {}
        for i in range(1, opts.steps + 1):
            # One run per step: everything fetched comes from the same step.
            got = sess.run(fetches, feed)
            del got["train"]
            for key, val in got.items():
                dtype = np.int64 if key == "global_step" else np.float32
                results["step_%d/%s" % (i, key)] = np.asarray(val, dtype=dtype)
            print("step %d: global_step=%d discrim_loss=%.9g gen_loss_GAN=%.9g "
                  "gen_loss_L1=%.9g (ema %.9g %.9g %.9g)" % (
                      i, got["global_step"], got["discrim_loss"],
                      got["gen_loss_GAN"], got["gen_loss_L1"],
                      got["ema/discrim_loss"], got["ema/gen_loss_GAN"],
                      got["ema/gen_loss_L1"]))
        os.makedirs(opts.out, exist_ok=True)
        saver.save(sess, os.path.join(opts.out, "model"),
                   global_step=model["global_step"], write_meta_graph=False)
    save_arrays(os.path.join(opts.out, "result"), results, opts)
    print("wrote %s and %s" % (os.path.join(opts.out, "model-%d" % opts.steps),
                               os.path.join(opts.out, "result")))


def cmd_forward(opts):
    model, saver = build_with_saver(opts)
    names = ["outputs", "predict_real", "predict_fake",
             "discrim_loss", "gen_loss_GAN", "gen_loss_L1"]
    with make_session(opts) as sess:
        restore(sess, saver, opts.ckpt)
        data = load_data(opts, model)
        got = sess.run({n: model[n] for n in names},
                       {model["inputs"]: data["inputs"],
                        model["targets"]: data["targets"]})
    results = {n: np.asarray(got[n], dtype=np.float32) for n in names}
    os.makedirs(opts.out, exist_ok=True)
    save_arrays(os.path.join(opts.out, "result"), results, opts)
    print("forward: discrim_loss=%.9g gen_loss_GAN=%.9g gen_loss_L1=%.9g" % (
        got["discrim_loss"], got["gen_loss_GAN"], got["gen_loss_L1"]))
    print("wrote %s" % os.path.join(opts.out, "result"))


# ---------------------------------------------------------------------------
# Test mode (the original's --mode test): inputs, colour spaces, display
# ---------------------------------------------------------------------------
#
# Every conversion below is written with the same TensorFlow ops, in the same
# order and with the same Python-double constants as the original, so that
# the float32 results (and so the PNG bytes) are the original's.

# Linear sRGB -> CIE XYZ; rows R, G, B, columns X, Y, Z.
RGB_TO_XYZ = [[0.412453, 0.212671, 0.019334],
              [0.357580, 0.715160, 0.119193],
              [0.180423, 0.072169, 0.950227]]
# CIE XYZ -> linear sRGB; rows X, Y, Z, columns R, G, B.
XYZ_TO_RGB = [[3.2404542, -0.9692660, 0.0556434],
              [-1.5371385, 1.8760108, -0.2040259],
              [-0.4985314, 0.0415560, 1.0572252]]
D65_WHITE = [0.950456, 1.0, 1.088754]   # Xn, Yn, Zn
LAB_DELTA = 6 / 29                       # f(t) switches at t = delta^3
# (fx, fy, fz) -> (L, a, b), before the -16 on L; and the inverse map.
F_TO_LAB = [[0.0, 500.0, 0.0],
            [116.0, -500.0, 200.0],
            [0.0, 0.0, -200.0]]
LAB_TO_F = [[1 / 116.0, 1 / 116.0, 1 / 116.0],
            [1 / 500.0, 0.0, 0.0],
            [0.0, 0.0, -1 / 200.0]]


def to_signed(x):
    # [0, 1] -> [-1, 1]
    return x * 2 - 1


def to_unsigned(x):
    # [-1, 1] -> [0, 1]
    return (x + 1) / 2


def masks(x, threshold):
    # 0/1 float masks of x <= threshold and x > threshold. The conversions
    # compute both branches everywhere and add them under these masks.
    return (tf.cast(x <= threshold, tf.float32),
            tf.cast(x > threshold, tf.float32))


def rgb_to_lab(srgb):
    """sRGB in [0, 1], [..., 3] -> CIE Lab (L in [0, 100]), same shape."""
    with v1.name_scope("rgb_to_lab"):
        px = tf.reshape(srgb, [-1, 3])
        # Undo the sRGB gamma: linear near black, a 2.4 power above.
        low, high = masks(px, 0.04045)
        linear = (px / 12.92 * low) + (((px + 0.055) / 1.055) ** 2.4) * high
        xyz = tf.matmul(linear, tf.constant(RGB_TO_XYZ))
        # Relative to the D65 white; f(t) = cube root above delta^3, a line
        # (t / (3 delta^2) + 4/29) below.
        t = tf.multiply(xyz, [1 / w for w in D65_WHITE])
        low, high = masks(t, LAB_DELTA ** 3)
        f = (t / (3 * LAB_DELTA ** 2) + 4 / 29) * low + (t ** (1 / 3)) * high
        lab = tf.matmul(f, tf.constant(F_TO_LAB)) + tf.constant([-16.0, 0.0, 0.0])
        return tf.reshape(lab, tf.shape(srgb))


def lab_to_rgb(lab):
    """CIE Lab, [..., 3] -> sRGB in [0, 1], same shape (the inverse)."""
    with v1.name_scope("lab_to_rgb"):
        px = tf.reshape(lab, [-1, 3])
        f = tf.matmul(px + tf.constant([16.0, 0.0, 0.0]), tf.constant(LAB_TO_F))
        low, high = masks(f, LAB_DELTA)
        t = (3 * LAB_DELTA ** 2 * (f - 4 / 29)) * low + (f ** 3) * high
        xyz = tf.multiply(t, D65_WHITE)
        linear = tf.clip_by_value(tf.matmul(xyz, tf.constant(XYZ_TO_RGB)),
                                  0.0, 1.0)
        # Reapply the sRGB gamma.
        low, high = masks(linear, 0.0031308)
        srgb = ((linear * 12.92 * low)
                + ((linear ** (1 / 2.4) * 1.055) - 0.055) * high)
        out = tf.reshape(srgb, tf.shape(lab))
        out.set_shape(lab.shape)
        return out


def lab_to_model(lab):
    """[h, w, 3] Lab -> (L/50 - 1 as [h, w, 1], (a/110, b/110) as [h, w, 2])."""
    L, a, b = tf.unstack(lab, axis=2)
    return (tf.expand_dims(L / 50 - 1, axis=2),
            tf.stack([a / 110, b / 110], axis=2))


def lab_from_model(L, a, b):
    """Batched inverse of lab_to_model's scaling: [n, h, w] each -> [n, h, w, 3]."""
    return tf.stack([(L + 1) / 2 * 100, a * 110, b * 110], axis=3)


def colour_with_brightness(ab, brightness):
    """Displayable RGB from model-range ab [n,h,w,2] and L [n,h,w,1]."""
    a, b = tf.unstack(ab, axis=3)
    L = tf.squeeze(brightness, axis=3)
    return lab_to_rgb(lab_from_model(L, a, b))


def base_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def list_test_inputs(input_dir):
    """The original's listing: *.jpg, or *.png if there are none; by number
    when every base name is all digits, else by path. Returns (paths, kind)."""
    if not os.path.exists(input_dir):
        raise HarnessError("input_dir %r does not exist" % input_dir)
    for kind in ("jpg", "png"):
        # glob, like the original: case-sensitive, skips dot files.
        paths = glob.glob(os.path.join(input_dir, "*." + kind))
        if paths:
            break
    else:
        raise HarnessError("input_dir %r contains no image files" % input_dir)
    if all(base_name(p).isdigit() for p in paths):
        paths.sort(key=lambda p: int(base_name(p)))
    else:
        paths.sort()
    return paths, kind


def build_test_loader(kind, opts):
    """Two small graph pieces: file bytes -> float image in [0, 1] (checked
    for 3 channels in Python), then float image -> (inputs, targets), each
    resized to 256x256 with AREA (scale_size = CROP_SIZE: no crop, no flip)."""
    contents = v1.placeholder(tf.string, [], name="file_contents")
    decode = tf.io.decode_jpeg if kind == "jpg" else tf.io.decode_png
    decoded = tf.image.convert_image_dtype(decode(contents), dtype=tf.float32)

    image = v1.placeholder(tf.float32, [None, None, 3], name="decoded_image")
    if opts.lab_colorization:
        # One image: A is its brightness, B its colour.
        a_img, b_img = lab_to_model(rgb_to_lab(image))
    else:
        # A pair side by side: left half A, right half B.
        half = tf.shape(image)[1] // 2
        a_img = to_signed(image[:, :half, :])
        b_img = to_signed(image[:, half:, :])
    if opts.which_direction == "BtoA":
        a_img, b_img = b_img, a_img

    def resize(x):
        return v1.image.resize_images(
            x, [CROP_SIZE, CROP_SIZE], method=v1.image.ResizeMethod.AREA)

    return contents, decoded, image, resize(a_img), resize(b_img)


def build_test_display(inputs, targets, outputs, opts):
    """Encoded PNGs (lists of batch-size string tensors) per kind, as the
    original shows them: model range back to [0, 1] (Lab: back to RGB with
    the brightness channel), optional bicubic aspect-ratio resize, uint8."""
    if opts.lab_colorization and opts.which_direction == "AtoB":
        # inputs are L (shown grey); targets and outputs are ab.
        shown = {"inputs": to_unsigned(inputs),
                 "targets": colour_with_brightness(targets, inputs),
                 "outputs": colour_with_brightness(outputs, inputs)}
    elif opts.lab_colorization:
        # BtoA: inputs are ab, their brightness is the target L.
        shown = {"inputs": colour_with_brightness(inputs, targets),
                 "targets": to_unsigned(targets),
                 "outputs": to_unsigned(outputs)}
    else:
        shown = {k: to_unsigned(v) for k, v in
                 (("inputs", inputs), ("targets", targets), ("outputs", outputs))}

    width = int(round(CROP_SIZE * opts.aspect_ratio))  # Python 3: half to even
    pngs = {}
    for kind, img in shown.items():
        with v1.name_scope("convert_" + kind):
            if opts.aspect_ratio != 1.0:
                img = v1.image.resize_images(
                    img, [CROP_SIZE, width],
                    method=v1.image.ResizeMethod.BICUBIC)
            img = tf.image.convert_image_dtype(img, dtype=tf.uint8,
                                               saturate=True)
        pngs[kind] = [tf.image.encode_png(x) for x in tf.unstack(img, axis=0)]
    return pngs


def write_index(output_dir, names):
    """Appends one row per name to output_dir/index.html, starting the file
    with the header row when it does not exist yet (the original never
    closes the table). A newline ends the header and every row; the original
    writes none, the Go side does, and browsers do not care."""
    path = os.path.join(output_dir, "index.html")
    new = not os.path.exists(path)
    with open(path, "a") as f:
        if new:
            f.write("<html><body><table><tr><th>name</th><th>input</th>"
                    "<th>output</th><th>target</th></tr>\n")
        for name in names:
            cells = "".join("<td><img src='images/%s-%s.png'></td>" % (name, k)
                            for k in ("inputs", "outputs", "targets"))
            f.write("<tr><td>%s</td>%s</tr>\n" % (name, cells))
    return path


def cmd_test(opts):
    width = int(round(CROP_SIZE * opts.aspect_ratio))
    if not opts.aspect_ratio > 0 or width < 1:
        raise HarnessError("--aspect_ratio %g gives images %d pixels wide"
                           % (opts.aspect_ratio, width))
    paths, kind = list_test_inputs(opts.input_dir)

    # Same creation order as build_model (seed, placeholders, generator), so
    # with --seed the dropout masks are the ones forward/step would draw.
    inputs, targets, outputs = build_inputs_and_generator(opts)
    b = opts.batch_size
    # Only the generator exists in this graph; restore just its variables
    # (a training checkpoint also holds the discriminator's, Adam's, ...).
    saver = v1.train.Saver(var_list=v1.global_variables())
    contents, decoded, image, load_in, load_tg = build_test_loader(kind, opts)
    pngs = build_test_display(inputs, targets, outputs, opts)

    n = len(paths)
    steps = -(-n // b)  # ceil: the original runs steps_per_epoch batches
    cache = {}

    def load(i):
        # Only the first b images can come round again (the wrapped tail of
        # the last batch), so only those are kept.
        if i in cache:
            return cache[i]
        with open(paths[i], "rb") as f:
            data = f.read()
        img = sess.run(decoded, {contents: data})
        if img.ndim != 3 or img.shape[2] != 3:
            raise HarnessError("%s: image does not have 3 channels (has %d)"
                               % (paths[i], img.shape[-1]))
        pair = sess.run((load_in, load_tg), {image: img})
        if i < b:
            cache[i] = pair
        return pair

    image_dir = os.path.join(opts.output_dir, "images")
    os.makedirs(image_dir, exist_ok=True)
    written = set()
    index_path = None
    with make_session(opts) as sess:
        restore(sess, saver, opts.ckpt)
        for step in range(steps):
            # The original's input queue cycles through the list, so a short
            # last batch is filled from the start again.
            batch = [(step * b + k) % n for k in range(b)]
            pairs = [load(i) for i in batch]
            got = sess.run(pngs, {
                inputs: np.stack([p[0] for p in pairs]),
                targets: np.stack([p[1] for p in pairs])})
            names = []
            for pos, i in enumerate(batch):
                if i in written:
                    continue   # wrapped round: keep the first result
                written.add(i)
                name = base_name(paths[i])
                for k in ("inputs", "outputs", "targets"):
                    with open(os.path.join(image_dir, "%s-%s.png" % (name, k)),
                              "wb") as f:
                        f.write(got[k][pos])
                print("evaluated image", name)
                names.append(name)
            index_path = write_index(opts.output_dir, names)
    print("wrote index at", index_path)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def build_train_examples(opts, paths, kind):
    """The original's training input pipeline (load_examples): a shuffling
    string_input_producer over the files, WholeFileReader, decode, split
    (or Lab), random flip and AREA resize to scale_size, a random crop to
    256 sharing one seed between input and target, and tf.train.batch with
    its queue runners. Returns a function for build_model."""
    def examples():
        with v1.name_scope("load_images"):
            path_queue = v1.train.string_input_producer(paths, shuffle=True)
            reader = v1.WholeFileReader()
            _, contents = reader.read(path_queue)
            decode = tf.io.decode_jpeg if kind == "jpg" else tf.io.decode_png
            raw = tf.image.convert_image_dtype(decode(contents), dtype=tf.float32)
            check = v1.assert_equal(tf.shape(raw)[2], 3,
                                    message="image does not have 3 channels")
            with tf.control_dependencies([check]):
                raw = tf.identity(raw)
            raw.set_shape([None, None, 3])
            if opts.lab_colorization:
                a_img, b_img = lab_to_model(rgb_to_lab(raw))
            else:
                width = tf.shape(raw)[1]
                a_img = to_signed(raw[:, :width // 2, :])
                b_img = to_signed(raw[:, width // 2:, :])
        if opts.which_direction == "BtoA":
            a_img, b_img = b_img, a_img
        seed = np.random.randint(0, 2**31 - 1)

        def transform(image):
            r = image
            if opts.flip:
                r = tf.image.random_flip_left_right(r, seed=seed)
            r = v1.image.resize_images(r, [opts.scale_size, opts.scale_size],
                                       method=v1.image.ResizeMethod.AREA)
            offset = tf.cast(tf.floor(v1.random_uniform(
                [2], 0, opts.scale_size - CROP_SIZE + 1, seed=seed)), tf.int32)
            if opts.scale_size > CROP_SIZE:
                r = tf.image.crop_to_bounding_box(r, offset[0], offset[1],
                                                  CROP_SIZE, CROP_SIZE)
            return r

        with v1.name_scope("input_images"):
            inputs = transform(a_img)
        with v1.name_scope("target_images"):
            targets = transform(b_img)
        _, inputs, targets = v1.train.batch(
            [contents, inputs, targets], batch_size=opts.batch_size)
        return inputs, targets
    return examples


def build_train_summaries(opts, model):
    """The original's summaries, in its order and name scopes: uint8 images
    of the batch under <kind>_summary (the display conversion of inputs,
    targets and outputs, with Lab put back to RGB; predict_real/fake
    converted without saturation), the three averaged losses at the root
    (so the discriminator's tag is uniquified against the
    discriminator_loss scope of the loss, as TF1 does), and a histogram of
    every trainable variable and of every gradient. tf.summary.merge_all,
    which the Supervisor uses, collects them."""
    inputs, targets, outputs = model["inputs"], model["targets"], model["outputs"]
    if opts.lab_colorization and opts.which_direction == "AtoB":
        shown = [("inputs", to_unsigned(inputs)),
                 ("targets", colour_with_brightness(targets, inputs)),
                 ("outputs", colour_with_brightness(outputs, inputs))]
    elif opts.lab_colorization:
        shown = [("inputs", colour_with_brightness(inputs, targets)),
                 ("targets", to_unsigned(targets)),
                 ("outputs", to_unsigned(outputs))]
    else:
        shown = [(k, to_unsigned(v)) for k, v in
                 (("inputs", inputs), ("targets", targets), ("outputs", outputs))]
    converted = {}
    for kind, img in shown:
        with v1.name_scope("convert_" + kind):
            converted[kind] = tf.image.convert_image_dtype(img, dtype=tf.uint8,
                                                           saturate=True)
    for kind in ("inputs", "targets", "outputs"):
        with v1.name_scope(kind + "_summary"):
            v1.summary.image(kind, converted[kind])
    for kind in ("predict_real", "predict_fake"):
        with v1.name_scope(kind + "_summary"):
            v1.summary.image(kind, tf.image.convert_image_dtype(model[kind],
                                                                dtype=tf.uint8))
    ema = model["ema"]
    v1.summary.scalar("discriminator_loss", ema.average(model["discrim_loss"]))
    v1.summary.scalar("generator_loss_GAN", ema.average(model["gen_loss_GAN"]))
    v1.summary.scalar("generator_loss_L1", ema.average(model["gen_loss_L1"]))
    for var in v1.trainable_variables():
        v1.summary.histogram(var.op.name + "/values", var)
    for grad, var in model["discrim_grads_and_vars"] + model["gen_grads_and_vars"]:
        v1.summary.histogram(var.op.name + "/gradients", grad)


def cmd_train(opts):
    """The original's training loop (Supervisor session, queue runners,
    fetching train and global_step each step) for --max_steps steps from
    --ckpt, recording each step's wall-clock start and end (Unix seconds)
    as JSON lines in --step_times, for the benchmark. With --summary_freq
    or --trace_freq N the Supervisor gets --output_dir as its logdir, as
    the original's does: it writes the graph there at the start; the
    original's summaries, merged, are written every --summary_freq steps
    and at the last step, keyed by global_step, and a full trace of every
    --trace_freq-th step as run metadata tagged step_<global_step>."""
    if opts.max_steps < 1:
        raise HarnessError("--max_steps must be at least 1")
    if opts.scale_size < CROP_SIZE:
        raise HarnessError("--scale_size must be at least %d" % CROP_SIZE)
    if opts.summary_freq < 0 or opts.trace_freq < 0:
        raise HarnessError("--summary_freq and --trace_freq must be 0 or more")
    if (opts.summary_freq > 0 or opts.trace_freq > 0) and not opts.output_dir:
        raise HarnessError("--summary_freq and --trace_freq need --output_dir "
                           "(where the event file goes)")
    paths, kind = list_test_inputs(opts.input_dir)
    print("examples count = %d" % len(paths))
    model = build_model(opts, build_train_examples(opts, paths, kind))
    if opts.summary_freq > 0:
        build_train_summaries(opts, model)
    with v1.name_scope("parameter_count"):
        parameter_count = tf.reduce_sum(
            [tf.reduce_prod(tf.shape(v)) for v in v1.trainable_variables()])
    saver = v1.train.Saver(max_to_keep=1)
    config = v1.ConfigProto()
    if opts.threads > 0:
        config.intra_op_parallelism_threads = opts.threads
        config.inter_op_parallelism_threads = opts.threads
    logdir = (opts.output_dir if opts.summary_freq > 0 or opts.trace_freq > 0
              else None)
    sv = v1.train.Supervisor(logdir=logdir, save_summaries_secs=0, saver=None)
    log = open(opts.step_times, "w") if opts.step_times else None
    with sv.managed_session(config=config) as sess:
        print("parameter_count =", sess.run(parameter_count))
        if opts.ckpt:
            restore(sess, saver, opts.ckpt)
        for step in range(opts.max_steps):
            def should(freq):
                return freq > 0 and ((step + 1) % freq == 0
                                     or step == opts.max_steps - 1)
            fetches = {"train": model["train"], "global_step": sv.global_step}
            if should(opts.summary_freq):
                fetches["summary"] = sv.summary_op
            options, run_metadata = None, None
            if should(opts.trace_freq):
                options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
                run_metadata = v1.RunMetadata()
            start = time.time()
            got = sess.run(fetches, options=options, run_metadata=run_metadata)
            end = time.time()
            if should(opts.summary_freq):
                print("recording summary")
                sv.summary_writer.add_summary(got["summary"], got["global_step"])
            if should(opts.trace_freq):
                print("recording trace")
                sv.summary_writer.add_run_metadata(
                    run_metadata, "step_%d" % got["global_step"])
            if log:
                log.write(json.dumps({"step": step + 1, "start": start,
                                      "end": end}) + "\n")
                log.flush()
            if opts.progress_freq > 0 and (step + 1) % opts.progress_freq == 0:
                print("step %d  global_step %d  %.3f s"
                      % (step + 1, got["global_step"], end - start))
        sv.request_stop()
    if log:
        log.close()


def cmd_onednn(opts):
    """Whether this TensorFlow runs its oneDNN kernels, measured as pix2pix
    measures it: a fed convolution run with a full trace, and the kernel
    that ran read from the trace (oneDNN's are the _Mkl* ops)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, 2, 2, 1])
        k = tf.compat.v1.placeholder(tf.float32, [1, 1, 1, 1])
        y = tf.nn.conv2d(x, k, 1, "SAME")
    meta = tf.compat.v1.RunMetadata()
    run_opts = tf.compat.v1.RunOptions(
        trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
    with make_session(opts, graph) as sess:
        sess.run(y, {x: np.ones([1, 2, 2, 1]), k: np.ones([1, 1, 1, 1])},
                 options=run_opts, run_metadata=meta)
    ran = any("= _Mkl" in n.timeline_label
              for d in meta.step_stats.dev_stats for n in d.node_stats)
    print(json.dumps({"onednn_kernels": ran}))


def cmd_import_meta(opts):
    """What a TF1 user does with a checkpoint's .meta: import_meta_graph
    into an empty graph, build a fresh Saver over global_variables() and
    restore the checkpoint (after running the imported initializers).
    Prints as JSON the collections' sizes, the variable counts (and the
    trainable ones' parameters), the train_op and summaries entries, what
    merge_all builds, global_step after the restore, the variables whose
    restored value differs from the checkpoint's, and the values of each
    --print_var."""
    v1.reset_default_graph()
    v1.train.import_meta_graph(opts.meta)
    graph = v1.get_default_graph()
    gv, tv = v1.global_variables(), v1.trainable_variables()
    merged = v1.summary.merge_all()
    saver = v1.train.Saver()
    reader = tf.train.load_checkpoint(opts.ckpt)
    by_name = {var_name(v): v for v in gv}
    for name in opts.print_var:
        if name not in by_name:
            raise HarnessError("--print_var %s: no such global variable" % name)
    with make_session(opts) as sess:
        sess.run(v1.global_variables_initializer())
        saver.restore(sess, opts.ckpt)
        step = sess.run(v1.train.get_global_step())
        # One run for all (a run per variable costs a new callable each).
        restored = dict(zip(by_name, sess.run(list(by_name.values()))))
    differ = [n for n, value in restored.items()
              if not np.array_equal(value, reader.get_tensor(n))]
    values = {n: np.asarray(restored[n]).ravel().tolist()
              for n in opts.print_var}

    def names(key):
        return [getattr(x, "name", str(x)) for x in v1.get_collection(key)]

    json.dump({"collections": {k: len(v1.get_collection(k))
                               for k in sorted(graph.get_all_collection_keys())},
               "global_variables": len(gv),
               "trainable_variables": len(tv),
               "trainable_prefixes": sorted({var_name(v).split("/")[0]
                                             for v in tv}),
               "trainable_params": int(sum(np.prod(v.shape.as_list())
                                           for v in tv)),
               "train_op": names(v1.GraphKeys.TRAIN_OP),
               "summaries": names(v1.GraphKeys.SUMMARIES),
               "merge_all": merged.name if merged is not None else None,
               "checkpoint_tensors": len(reader.get_variable_to_shape_map()),
               "global_step": int(step),
               "differ_from_checkpoint": differ,
               "values": values}, sys.stdout, indent=1)
    sys.stdout.write("\n")


def common_options():
    """Options of the original's graph (same names and defaults), shared by
    every subcommand (and scripts/bench/ref_bench.py's), plus harness-only
    ones."""
    common = ArgumentParser(add_help=False)
    common.add_argument("--ngf", type=int, default=64)
    common.add_argument("--ndf", type=int, default=64)
    common.add_argument("--batch_size", type=int, default=1)
    common.add_argument("--separable_conv", action="store_true")
    common.add_argument("--lab_colorization", action="store_true")
    common.add_argument("--lr", type=float, default=0.0002)
    common.add_argument("--beta1", type=float, default=0.5)
    common.add_argument("--l1_weight", type=float, default=100.0)
    common.add_argument("--gan_weight", type=float, default=1.0)
    common.add_argument("--seed", type=int, default=None,
                        help="graph-level random seed (data: numpy seed)")
    common.add_argument("--no_dropout", action="store_true",
                        help="test only: leave out the decoder dropout ops")
    common.add_argument("--threads", type=int, default=0,
                        help="intra/inter-op threads, 0 = TensorFlow default")
    return common


def check_common(opts):
    """Refuses values of the common options no graph can take."""
    for name in ("ngf", "ndf", "batch_size"):
        if getattr(opts, name) < 1:
            raise HarnessError("--%s must be at least 1" % name)
    if opts.threads < 0:
        raise HarnessError("--threads must be 0 or more")
    return opts


def run_command(commands, parse, argv, prog):
    """Runs the subcommand parse(argv) names; a user error is one line on
    stderr and exit code 1."""
    try:
        opts = parse(sys.argv[1:] if argv is None else argv)
        commands[opts.command](opts)
    except HarnessError as e:
        print("%s: %s" % (prog, e), file=sys.stderr)
        return 1
    except tf.errors.OpError as e:
        print("%s: %s: %s" % (prog, type(e).__name__, e.message),
              file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print("%s: %s" % (prog, e), file=sys.stderr)
        return 1
    return 0


def parse_args(argv):
    common = common_options()
    parser = ArgumentParser(
        prog="pix2pix_ref.py",
        description="pix2pix (affinelayer) reference harness for parity tests")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sub.add_parser("vars", parents=[common],
                   help="print the global variables and parameter counts as JSON")

    p = sub.add_parser("init", parents=[common],
                       help="initialise all variables and save a checkpoint")
    p.add_argument("--out", required=True, help="checkpoint prefix to write")

    p = sub.add_parser("data", parents=[common],
                       help="write random inputs/targets in [-1, 1]")
    p.add_argument("--out", required=True, help="checkpoint prefix to write")

    p = sub.add_parser("step", parents=[common],
                       help="restore, run training steps, save model and results")
    p.add_argument("--ckpt", required=True, help="model checkpoint prefix")
    p.add_argument("--data", required=True, help="data checkpoint prefix")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--steps", type=int, default=1)

    p = sub.add_parser("train", parents=[common],
                       help="the original's training loop and input pipeline "
                            "for --max_steps steps, timing each step")
    p.add_argument("--input_dir", required=True,
                   help="folder of *.jpg (else *.png) paired images")
    p.add_argument("--ckpt", help="model checkpoint prefix to start from")
    p.add_argument("--max_steps", type=int, required=True)
    p.add_argument("--scale_size", type=int, default=286)
    p.add_argument("--no_flip", dest="flip", action="store_false")
    p.add_argument("--which_direction", choices=["AtoB", "BtoA"],
                   default="AtoB")
    p.add_argument("--progress_freq", type=int, default=0)
    p.add_argument("--step_times", help="write one JSON line per step here")
    p.add_argument("--summary_freq", type=int, default=0,
                   help="write the original's summaries every N steps and "
                        "at the last one (0: none, no event file)")
    p.add_argument("--trace_freq", type=int, default=0,
                   help="trace every N-th step and the last one into the "
                        "event file (0: none)")
    p.add_argument("--output_dir",
                   help="the Supervisor's logdir: event file and graph.pbtxt")

    sub.add_parser("onednn", parents=[common],
                   help="whether oneDNN kernels run in this environment, as JSON")

    p = sub.add_parser("forward", parents=[common],
                       help="restore, run the forward pass once, save results")
    p.add_argument("--ckpt", required=True, help="model checkpoint prefix")
    p.add_argument("--data", required=True, help="data checkpoint prefix")
    p.add_argument("--out", required=True, help="output directory")

    p = sub.add_parser("test", parents=[common],
                       help="the original's test mode: restore the generator, "
                            "run it over --input_dir, write images and index.html")
    p.add_argument("--input_dir", required=True,
                   help="folder of *.jpg (else *.png) images")
    p.add_argument("--ckpt", required=True, help="model checkpoint prefix")
    p.add_argument("--output_dir", required=True,
                   help="where images/ and index.html go")
    p.add_argument("--which_direction", choices=["AtoB", "BtoA"],
                   default="AtoB")
    p.add_argument("--aspect_ratio", type=float, default=1.0,
                   help="written images are 256 x round(256*ratio) (bicubic)")

    p = sub.add_parser("import_meta", parents=[common],
                       help="import a checkpoint's .meta, build a Saver, "
                            "restore the checkpoint, report as JSON")
    p.add_argument("--meta", required=True, help="the .meta file to import")
    p.add_argument("--ckpt", required=True, help="checkpoint prefix to restore")
    p.add_argument("--print_var", action="append", default=[],
                   help="print this variable's restored values (repeatable)")

    return check_common(parser.parse_args(argv))


def main(argv=None):
    commands = {"vars": cmd_vars, "init": cmd_init, "data": cmd_data,
                "step": cmd_step, "forward": cmd_forward, "train": cmd_train,
                "onednn": cmd_onednn, "test": cmd_test,
                "import_meta": cmd_import_meta}
    return run_command(commands, parse_args, argv, "pix2pix_ref")


if __name__ == "__main__":
    sys.exit(main())
