#!/usr/bin/env bash
# install-libtensorflow.sh: make libtensorflow 2.18 (the C API) available to the
# Go build, idempotently.
#
# Where the library comes from, in order:
#   1. LIBTENSORFLOW_DIR, if set: an existing install with include/ and lib/
#      (lib/libtensorflow.so or lib/libtensorflow_cc.so.2). Nothing is fetched.
#   2. Otherwise the Linux x86-64 tensorflow-cpu==2.18.* wheel from PyPI
#      (the tensorflow wheel with --gpu), fetched with pip. Its
#      libtensorflow_cc.so.2 exports the C API; we unpack it, its
#      libtensorflow_framework.so.2 and the headers into a cache directory
#      outside the repo and add the libtensorflow.so link that graft's
#      -ltensorflow wants.
#
# The cache is built in a temporary directory and renamed into place only when
# complete, so a failed or interrupted download never leaves a cache that looks
# complete. A second run finds the finished cache and downloads nothing.
#
# Usage:
#   scripts/install-libtensorflow.sh            install if missing, print summary
#   scripts/install-libtensorflow.sh --gpu      same, from the GPU build: the tensorflow
#                                               wheel and the CUDA wheels it pins
#                                               (scripts/cuda_pins.py), about 3 GB
#   scripts/install-libtensorflow.sh --prefix   print the install prefix only
#                                               (install nothing, print nothing else)
#   scripts/install-libtensorflow.sh --env      install if missing, then print
#                                               CGO_CFLAGS / CGO_LDFLAGS exports
#
# Environment:
#   LIBTENSORFLOW_DIR   use this existing install (include/, lib/)
#   PIX2PIX_CACHE       cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/pix2pix)
#   TF_WHEEL_VERSION    pip version spec (default 2.18.*)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

variant=cpu
action=install
for arg in "$@"; do
  case "$arg" in
    --gpu) variant=gpu ;;
    --cpu) variant=cpu ;;
    --prefix) action=prefix ;;
    --env) action=env ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-libtensorflow: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

version_spec=${TF_WHEEL_VERSION:-2.18.*}
cache_root=${PIX2PIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pix2pix}
if [[ -n "${LIBTENSORFLOW_DIR:-}" ]]; then
  prefix=$LIBTENSORFLOW_DIR
else
  prefix=$cache_root/libtensorflow-${version_spec//\*/x}-$variant
fi

if [[ $action == prefix ]]; then
  echo "$prefix"
  exit 0
fi

log() { [[ $action == env ]] && echo "$*" >&2 || echo "$*"; }
die() { echo "install-libtensorflow: $*" >&2; exit 1; }

# check_install DIR: the layout graft's cgo build needs.
check_install() {
  [[ -f $1/include/tensorflow/c/c_api.h ]] &&
    [[ -e $1/lib/libtensorflow.so ]]
}

# tf_version DIR: TF_Version() as the library itself reports it.
tf_version() {
  # The library logs notices while it loads unless told otherwise.
  TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} python3 - "$1/lib/libtensorflow.so" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.TF_Version.restype = ctypes.c_char_p
print(lib.TF_Version().decode())
EOF
}

# pip_get DIR SPEC PLATFORM...: download one wheel, no dependencies.
pip_get() {
  local dir=$1 spec=$2; shift 2
  local plats=()
  for p in "$@"; do plats+=(--platform "$p"); done
  python3 -m pip download --quiet --no-deps --only-binary=:all: "${plats[@]}" \
    --python-version 3.11 -d "$dir" "$spec" >&2
}

# Platform tags of the Linux x86-64 wheels (the CUDA wheels carry the
# older manylinux2014 tag or newer manylinux_2_x ones).
linux_tags=(manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_27_x86_64 manylinux_2_28_x86_64)

# fetch_wheel DIR: download the tensorflow wheel and, for GPU, exactly the
# CUDA wheels its METADATA pins for its and-cuda extra (read from the wheel,
# so the list is never kept here), each without dependencies.
fetch_wheel() {
  local dir=$1 pkg
  if [[ $variant == gpu ]]; then pkg="tensorflow==$version_spec"; else pkg="tensorflow-cpu==$version_spec"; fi
  log "fetching $pkg (Linux x86-64 wheel) from PyPI with pip"
  pip_get "$dir" "$pkg" "${linux_tags[@]}" ||
    die "pip could not download $pkg; set LIBTENSORFLOW_DIR to an existing install instead"
  [[ $variant == gpu ]] || return 0
  local wheel pins pin n=0
  wheel=$(ls "$dir"/tensorflow-*.whl)
  pins=$(python3 "$here/cuda_pins.py" "$wheel") || die "cannot read the CUDA pins of $wheel"
  log "CUDA runtime pinned by $(basename "$wheel"): $(echo "$pins" | wc -l) wheels"
  for pin in $pins; do
    n=$((n + 1))
    log "  [$n] $pin"
    pip_get "$dir" "$pin" "${linux_tags[@]}" ||
      die "pip could not download $pin (CUDA runtime of $(basename "$wheel")); nothing was installed, run again to retry"
  done
  log "downloaded $(du -sh "$dir" | cut -f1) of wheels"
}

# unpack DIR STAGE: pull the libraries and headers out of the wheels in DIR.
unpack() {
  python3 - "$1" "$2" "$variant" <<'EOF'
import glob, os, shutil, sys, zipfile
wheels, stage, variant = sys.argv[1:4]
lib = os.path.join(stage, "lib")
inc = os.path.join(stage, "include")
os.makedirs(lib); os.makedirs(inc)
tf = [w for w in glob.glob(os.path.join(wheels, "tensorflow*.whl"))
      if os.path.basename(w).split("-")[0] in ("tensorflow", "tensorflow_cpu")]
if len(tf) != 1:
    sys.exit(f"expected one tensorflow wheel in {wheels}, found {tf}")
with zipfile.ZipFile(tf[0]) as z:
    for name in ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2"):
        with z.open("tensorflow/" + name) as src, open(os.path.join(lib, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    n = 0
    for info in z.infolist():
        if info.filename.startswith("tensorflow/include/") and not info.is_dir():
            rel = info.filename[len("tensorflow/include/"):]
            # The C API headers and what they include (tsl, xla/tsl); the
            # C++ and third-party trees are not needed by graft.
            if not rel.startswith(("tensorflow/c/", "tensorflow/core/platform/", "tsl/", "xla/tsl/")):
                continue
            out = os.path.join(inc, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(info) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            n += 1
    print(f"unpacked {os.path.basename(tf[0])}: 2 libraries, {n} headers")
if variant == "gpu":
    # The CUDA runtime of the and-cuda extra: nvidia/*/lib/*.so* from each wheel.
    cuda = os.path.join(stage, "lib", "cuda")
    os.makedirs(cuda)
    for w in glob.glob(os.path.join(wheels, "nvidia_*.whl")):
        with zipfile.ZipFile(w) as z:
            for info in z.infolist():
                base = os.path.basename(info.filename)
                if "/lib/" in info.filename and ".so" in base:
                    with z.open(info) as src, open(os.path.join(cuda, base), "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
EOF
  ln -s libtensorflow_cc.so.2 "$2/lib/libtensorflow.so.2"
  ln -s libtensorflow.so.2 "$2/lib/libtensorflow.so"
  ln -s libtensorflow_framework.so.2 "$2/lib/libtensorflow_framework.so"
}

if [[ -n "${LIBTENSORFLOW_DIR:-}" ]]; then
  if ! check_install "$prefix"; then
    # Accept a wheel-style lib dir that lacks only the unversioned link? No:
    # we never write into a user's install; say what is missing instead.
    die "LIBTENSORFLOW_DIR=$prefix lacks include/tensorflow/c/c_api.h or lib/libtensorflow.so; point it at a libtensorflow install (include/ and lib/), or unset it to fetch the wheel"
  fi
  log "libtensorflow: using LIBTENSORFLOW_DIR=$prefix"
elif check_install "$prefix" && [[ -f $prefix/.complete ]]; then
  log "libtensorflow: cached at $prefix"
else
  mkdir -p "$cache_root"
  # Stages left by a killed run (never renamed, so never taken for an
  # install) are removed once they are an hour old.
  find "$cache_root" -maxdepth 1 -name '.stage.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  stage=$(mktemp -d "$cache_root/.stage.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  fetch_wheel "$stage/wheels"
  unpack "$stage/wheels" "$stage/out" | while read -r line; do log "$line"; done
  [[ ${PIPESTATUS[0]} == 0 ]] || die "unpacking the wheel failed"
  rm -rf "$stage/wheels"
  check_install "$stage/out" || die "the wheel did not contain the expected files"
  date -u +%FT%TZ >"$stage/out/.complete"
  rm -rf "$prefix"
  mv "$stage/out" "$prefix"
  log "libtensorflow: installed into $prefix ($(du -sh "$prefix" | cut -f1))"
fi

version=$(tf_version "$prefix") || die "cannot load $prefix/lib/libtensorflow.so"
log "libtensorflow: TF_Version() = $version ($variant)"

if [[ $action == env ]]; then
  rpath=$prefix/lib
  [[ -d $prefix/lib/cuda ]] && rpath="$rpath:$prefix/lib/cuda"
  echo "export CGO_CFLAGS='-I$prefix/include'"
  echo "export CGO_LDFLAGS='-L$prefix/lib -Wl,-rpath,$rpath'"
fi
