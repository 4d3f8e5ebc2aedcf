"""Runs an export written by `pix2pix export --onnx` in the deployment
tools a user would take, on the same images, and measures each against
pix2pix:

  onnx      onnxruntime on model.onnx (written by pix2pix itself)
  tf2onnx   onnxruntime on `python -m tf2onnx.convert --saved-model` of
            the SavedModel (its serving_default signature)
  openvino  OpenVINO (CPU, fp32) on openvino.convert_model(saved_model dir)

For each: "raw", the largest difference of the float outputs from
TensorFlow running the SavedModel's serving_default signature (the Go-built
generator graph, dropout off); "pixels", the largest difference in 1/255
of the 8-bit images (converted as pix2pix infer does) from the PNGs that
`pix2pix infer --no-test-dropout --keep-256` wrote. Several exports run in
one process (TensorFlow's start-up is paid once). Prints one JSON object
per export, keyed by EXPORT_DIR; the Go test judges the numbers.

usage: check_deploy.py INPUT_DIR WORK_DIR EXPORT_DIR:INFER_DIR...
"""
import glob, json, os, subprocess, sys
import numpy as np
from PIL import Image

input_dir, work_root = sys.argv[1:3]
names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(input_dir, '*.png')))
x = np.stack([np.asarray(Image.open(os.path.join(input_dir, n)).convert('RGB'), np.float32) / 255 for n in names])


def to_uint8(y):
    # As pix2pix infer's encoder (graphs/display.ToUint8, saturated).
    return np.clip(y * 255.5, 0, 255).astype(np.uint8).astype(np.int32)


import tensorflow as tf  # after numpy/PIL: its start-up is the slow part
import onnx, onnxruntime as ort
import openvino as ov


def check(export_dir, infer_dir, work):
    os.makedirs(work, exist_ok=True)
    saved = os.path.join(export_dir, 'saved_model')
    want_png = np.stack([np.asarray(Image.open(os.path.join(infer_dir, n)).convert('RGB'), np.int32) for n in names])
    ref = tf.saved_model.load(saved).signatures['serving_default'](images=tf.constant(x))['outputs'].numpy()
    outs = {}
    onnx_path = os.path.join(export_dir, 'model.onnx')
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)
    s = ort.InferenceSession(onnx_path, providers=['CPUExecutionProvider'])
    outs['onnx'] = s.run(['outputs'], {'images': x.transpose(0, 3, 1, 2)})[0].transpose(0, 2, 3, 1)
    ops = sorted({n.op_type for n in m.graph.node})

    converted = os.path.join(work, 'tf2onnx.onnx')
    r = subprocess.run([sys.executable, '-m', 'tf2onnx.convert', '--saved-model', saved, '--signature_def', 'serving_default',
                        '--tag', 'serve', '--opset', '17', '--output', converted], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit('tf2onnx failed on %s:\n%s%s' % (saved, r.stdout, r.stderr))
    cm = onnx.load(converted)
    leftover = sorted({n.op_type for n in cm.graph.node if n.op_type in ('VarHandleOp', 'ReadVariableOp')})
    s2 = ort.InferenceSession(converted, providers=['CPUExecutionProvider'])
    outs['tf2onnx'] = s2.run(None, {s2.get_inputs()[0].name: x})[0]

    om = ov.convert_model(saved)
    compiled = ov.Core().compile_model(om, 'CPU', {'INFERENCE_PRECISION_HINT': 'f32'})
    outs['openvino'] = compiled(x)[0]

    result = {'images': len(names), 'onnx_ops': ops, 'tf2onnx_bytes': os.path.getsize(converted),
              'tf2onnx_variable_ops': leftover}
    for k, y in outs.items():
        result[k] = {'raw': float(np.abs(y - ref).max()), 'pixels': int(np.abs(to_uint8(y) - want_png).max())}
    result['tensorflow_pixels'] = int(np.abs(to_uint8(ref) - want_png).max())
    return result


results = {}
for i, pair in enumerate(sys.argv[3:]):
    export_dir, infer_dir = pair.split(':')
    results[export_dir] = check(export_dir, infer_dir, os.path.join(work_root, str(i)))
print(json.dumps(results))
