#!/usr/bin/env bash
# setup-reference.sh: the Python virtualenv for the reference harness
# (scripts/reference/), with the same TensorFlow release as the libtensorflow
# the Go build uses, plus tf_keras (the original's tf.layers calls need it
# under TensorFlow 2.x) and tensorboard (to read our event files back).
# Idempotent: a finished venv is marked complete and reused.
#
# Usage:
#   scripts/setup-reference.sh           create the venv if missing
#   scripts/setup-reference.sh --python  print the venv's python path only
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${PIX2PIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pix2pix}
venv=$cache_root/venv-reference

if [[ ${1:-} == --python ]]; then
  echo "$venv/bin/python"
  exit 0
fi

# The reference must run the same TensorFlow build as the Go side.
prefix=$(bash "$here/install-libtensorflow.sh" --prefix)
tf_version=$(TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} python3 -c '
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1]); lib.TF_Version.restype = ctypes.c_char_p
print(lib.TF_Version().decode())' "$prefix/lib/libtensorflow.so") ||
  { echo "setup-reference: libtensorflow is not installed; run scripts/install-libtensorflow.sh first" >&2; exit 1; }
stamp="tensorflow-cpu==$tf_version tf_keras==${tf_version%.*}.* numpy<2.1 pillow"

if [[ -f $venv/.complete ]] && [[ $(cat "$venv/.complete") == "$stamp" ]]; then
  echo "reference venv: $venv ($stamp)"
  exit 0
fi

echo "reference venv: creating $venv ($stamp)"
rm -rf "$venv"
python3 -m venv "$venv"
# shellcheck disable=SC2086
"$venv/bin/python" -m pip install --quiet $stamp ||
  { rm -rf "$venv"; echo "setup-reference: pip install failed" >&2; exit 1; }
TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" -c 'import tensorflow as tf, tf_keras, tensorboard; print("reference venv: tensorflow", tf.__version__, "tf_keras", tf_keras.__version__)'
echo "$stamp" >"$venv/.complete"
