#!/usr/bin/env python3
"""Print the CUDA wheels that a TensorFlow wheel pins for its GPU runtime.

The tensorflow wheel (the CUDA build) declares its CUDA libraries as the
requirements of its `and-cuda` extra, each pinned to one version. The
installer downloads exactly those, so the list lives in one place: the
wheel's own METADATA.

Usage: cuda_pins.py WHEEL_OR_METADATA [EXTRA]
Prints one `name==version` per line. Exits 1 if the extra has no pins or a
requirement of it is not pinned to one version (the installer must not
guess a version).
"""

import re
import sys
import zipfile

REQ = re.compile(r"^Requires-Dist:\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*"
                 r"(?:\[[^\]]*\])?\s*\(?(?P<spec>[^;)]*)\)?\s*(?:;\s*(?P<marker>.*))?$")


def metadata_text(path):
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
            if len(names) != 1:
                raise SystemExit("%s: expected one .dist-info/METADATA, found %d" % (path, len(names)))
            return z.read(names[0]).decode("utf-8")
    with open(path, encoding="utf-8") as f:
        return f.read()


def wants_extra(marker, extra):
    """True if the marker is exactly `extra == "<extra>"` (either quote)."""
    m = re.fullmatch(r"\s*extra\s*==\s*(['\"])(?P<e>[^'\"]+)\1\s*", marker or "")
    return m is not None and m.group("e") == extra


def pins(text, extra):
    out, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line; the rest is the description
        m = REQ.match(line.strip())
        if not m or not wants_extra(m.group("marker"), extra):
            continue
        spec = m.group("spec").replace(" ", "")
        version = re.fullmatch(r"===?(?P<v>[A-Za-z0-9.+!-]+)", spec)
        if version is None:
            bad.append("%s %s" % (m.group("name"), spec or "(no version)"))
            continue
        out.append("%s==%s" % (m.group("name"), version.group("v")))
    return out, bad


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: cuda_pins.py WHEEL_OR_METADATA [EXTRA]", file=sys.stderr)
        return 2
    extra = argv[2] if len(argv) == 3 else "and-cuda"
    found, bad = pins(metadata_text(argv[1]), extra)
    if bad:
        print("cuda_pins: %s: requirements of [%s] not pinned to one version: %s"
              % (argv[1], extra, ", ".join(bad)), file=sys.stderr)
        return 1
    if not found:
        print("cuda_pins: %s: no requirements for the extra [%s]" % (argv[1], extra), file=sys.stderr)
        return 1
    print("\n".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
