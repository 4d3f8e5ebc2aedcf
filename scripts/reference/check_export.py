"""Loads an export written by `pix2pix export` the ways Python users do and
translates one image with each: the original's format through
tf.compat.v1.train.import_meta_graph (base64 PNG in and out, tensor names
from the "inputs"/"outputs" collections), and the SavedModel through
tf.saved_model.load (its three signatures).

usage: check_export.py EXPORT_DIR IMAGE.png OUT_META.png OUT_SAVEDMODEL.png
"""
import base64, json, sys, tensorflow as tf
d, img_path = sys.argv[1], sys.argv[2]
png = open(img_path, 'rb').read()
# 1. the original's format via import_meta_graph
g = tf.Graph()
with g.as_default():
    saver = tf.compat.v1.train.import_meta_graph(d + '/export.meta')
    ins = json.loads(tf.compat.v1.get_collection('inputs')[0])
    outs = json.loads(tf.compat.v1.get_collection('outputs')[0])
    with tf.compat.v1.Session() as s:
        saver.restore(s, tf.train.latest_checkpoint(d))
        o, k = s.run([outs['output'], outs['key']], {ins['input']: [base64.urlsafe_b64encode(png)], ins['key']: [b'k1']})
        out1 = base64.urlsafe_b64decode(o[0] + b'=' * (-len(o[0]) % 4))
        open(sys.argv[3], 'wb').write(out1)
        print('meta ok', k, len(out1))
# 2. SavedModel via tf.saved_model.load
m = tf.saved_model.load(d + '/saved_model')
print(list(m.signatures.keys()))
r = m.signatures['translate_image'](image=tf.constant(png))
open(sys.argv[4], 'wb').write(r['image'].numpy())
x = tf.image.decode_png(png)[None, :, :, :3]
x = tf.cast(x, tf.float32) / 255.
r2 = m.signatures['translate'](images=x)
r3 = m.signatures['serving_default'](images=x)
print('saved_model ok', r2['outputs'].shape, r3['outputs'].shape)
