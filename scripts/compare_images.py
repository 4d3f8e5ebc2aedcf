#!/usr/bin/env python3
"""compare_images.py DIR_A DIR_B TOLERANCE: every PNG of DIR_A has a PNG of
the same name in DIR_B whose pixels differ by at most TOLERANCE (out of
255). Prints the largest difference; exits 1 if over, or if a file is
missing. Runs in the reference venv (numpy, pillow)."""

import os
import sys

import numpy as np
from PIL import Image


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    a, b, tol = argv[1], argv[2], int(argv[3])
    names = sorted(n for n in os.listdir(a) if n.endswith(".png"))
    if not names:
        print("compare_images: no PNG in %s" % a, file=sys.stderr)
        return 1
    worst, bad = 0, []
    for n in names:
        pb = os.path.join(b, n)
        if not os.path.exists(pb):
            bad.append(n + " (missing)")
            continue
        x = np.asarray(Image.open(os.path.join(a, n)), dtype=np.int16)
        y = np.asarray(Image.open(pb), dtype=np.int16)
        if x.shape != y.shape:
            bad.append("%s (shapes %s, %s)" % (n, x.shape, y.shape))
            continue
        d = int(np.abs(x - y).max())
        worst = max(worst, d)
        if d > tol:
            bad.append("%s (%d/255)" % (n, d))
    print("compared %d images: max difference %d/255 (tolerance %d)" % (len(names), worst, tol))
    if bad:
        print("compare_images: over tolerance: " + ", ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
