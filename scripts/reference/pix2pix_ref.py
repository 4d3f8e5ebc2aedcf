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

The graph follows the original layer by layer (scope names, initialisers,
op order), so that variable names, shapes and numbers match; see
/work/shared/affinelayer-setup.md for the facts it is built from.
Run with the venv of scripts/setup-reference.sh (see README.md here).
"""

import os

# Must be set before TensorFlow is imported: tf.compat.v1.layers needs the
# Keras 2 implementation (tf_keras), and the C++ log noise hides our output.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse
import json
import sys
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
    # Lab colorization: L in (1 channel), ab out (2 channels).
    return (1, 2) if opts.lab_colorization else (3, 3)


def build_model(opts):
    """Builds the whole training graph; returns a dict of its tensors/ops.

    The creation order follows the original, which matters: with a graph seed
    set, every random op's seed derives from its position in the graph."""
    if opts.seed is not None:
        v1.set_random_seed(opts.seed)

    in_ch, out_ch = channel_counts(opts)
    b = opts.batch_size
    inputs = v1.placeholder(tf.float32, [b, CROP_SIZE, CROP_SIZE, in_ch],
                            name="inputs")
    targets = v1.placeholder(tf.float32, [b, CROP_SIZE, CROP_SIZE, out_ch],
                             name="targets")

    with v1.variable_scope("generator"):
        outputs = build_generator(inputs, out_ch, opts)

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
# Command line
# ---------------------------------------------------------------------------

def parse_args(argv):
    # Options of the original's graph (same names and defaults), shared by
    # every subcommand, plus harness-only ones.
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

    p = sub.add_parser("forward", parents=[common],
                       help="restore, run the forward pass once, save results")
    p.add_argument("--ckpt", required=True, help="model checkpoint prefix")
    p.add_argument("--data", required=True, help="data checkpoint prefix")
    p.add_argument("--out", required=True, help="output directory")

    opts = parser.parse_args(argv)
    for name in ("ngf", "ndf", "batch_size"):
        if getattr(opts, name) < 1:
            raise HarnessError("--%s must be at least 1" % name)
    if opts.threads < 0:
        raise HarnessError("--threads must be 0 or more")
    return opts


def main(argv=None):
    commands = {"vars": cmd_vars, "init": cmd_init, "data": cmd_data,
                "step": cmd_step, "forward": cmd_forward}
    try:
        opts = parse_args(sys.argv[1:] if argv is None else argv)
        commands[opts.command](opts)
    except HarnessError as e:
        print("pix2pix_ref: %s" % e, file=sys.stderr)
        return 1
    except tf.errors.OpError as e:
        print("pix2pix_ref: %s: %s" % (type(e).__name__, e.message),
              file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print("pix2pix_ref: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
