#!/usr/bin/env bash
# setup-reference.sh: the Python virtualenv for the reference harness
# (scripts/reference/), with the same TensorFlow release as the libtensorflow
# the Go build uses, plus tf_keras (the original's tf.layers calls need it
# under TensorFlow 2.x) and tensorboard (to read our event files back); then
# the deployment tools (onnxruntime, tf2onnx, openvino) for the export tests.
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

# The deployment tools (issue 19's converters and runtimes) are a second,
# incremental step into the finished venv, with its own stamp: adding them
# never deletes or rebuilds the venv other tests may be using. The pins are
# versions found to run beside tensorflow-cpu 2.18.1 and numpy<2.1
# (tf2onnx 1.17 needs onnx<1.18 and protobuf<6).
deploy_stamp="onnxruntime==1.32.0 tf2onnx==1.17.0 onnx==1.17.0 openvino==2026.4.1 protobuf<6 numpy<2.1"
install_deploy() {
  if [[ -f $venv/.complete-deploy ]] && [[ $(cat "$venv/.complete-deploy") == "$deploy_stamp" ]]; then
    return 0
  fi
  echo "reference venv: adding deployment tools ($deploy_stamp)"
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet $deploy_stamp ||
    { echo "setup-reference: pip install of the deployment tools failed (the venv is kept)" >&2; exit 1; }
  TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import tensorflow, onnxruntime, tf2onnx, openvino; print("reference venv: tensorflow", tensorflow.__version__, "onnxruntime", onnxruntime.__version__, "tf2onnx", tf2onnx.__version__, "openvino", openvino.__version__)' 2>/dev/null ||
    { echo "setup-reference: the deployment tools do not import beside tensorflow" >&2; exit 1; }
  echo "$deploy_stamp" >"$venv/.complete-deploy"
}

if [[ -f $venv/.complete ]] && [[ $(cat "$venv/.complete") == "$stamp" ]]; then
  install_deploy
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
install_deploy
