#!/usr/bin/env bash
# check-gpu-build.sh: install TensorFlow's CUDA build and check pix2pix
# against it as far as this machine allows (`make check-gpu-build`; not part
# of `make test`: it downloads about 2.3 GB once).
#
# On any machine, GPU or not:
#   - installs the CUDA build (scripts/install-libtensorflow.sh --gpu) and
#     builds bin/gpu/pix2pix against it (bin/pix2pix stays the CPU build);
#   - runs `version`, a 3-step training run, `test`, `infer` and `export` on
#     tiny data with it;
#   - asks the CUDA build which ops of every graph that runs on --device have
#     no GPU kernel, checks they are all pinned to the CPU, and checks that
#     cmd/pix2pix/testdata/gpu-kernels.txt (what `make test` checks pinning
#     against) holds the same answers; UPDATE=1 rewrites it.
# Without a GPU: `--device gpu` must fail with a clear message.
# With a GPU: the same runs on --device gpu, and test mode's outputs (dropout
# off) must match the CPU build's within 1/255.
#
# Usage: scripts/check-gpu-build.sh CPU_BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cpu_bin=${1:?usage: check-gpu-build.sh CPU_BINARY}
fixture=$root/cmd/pix2pix/testdata/gpu-kernels.txt

step() { printf '\n== %s\n' "$*"; }
fail() { echo "check-gpu-build: $*" >&2; exit 1; }

step "install the CUDA build"
bash "$root/scripts/install-libtensorflow.sh" --gpu
prefix=$(bash "$root/scripts/install-libtensorflow.sh" --gpu --prefix)
echo "installed size: $(du -sh "$prefix" | cut -f1) in $prefix ($(du -sh "$prefix/lib/cuda" | cut -f1) of it CUDA libraries)"

step "build bin/gpu/pix2pix against it"
bin=$root/bin/gpu/pix2pix
version=$(git -C "$root" describe --always --dirty 2>/dev/null || echo dev)
(cd "$root" && CGO_ENABLED=1 CGO_CFLAGS="-I$prefix/include" \
  CGO_LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib:$prefix/lib/cuda" \
  go build -ldflags "-X main.version=$version" -o "$bin" ./cmd/pix2pix)
ldd "$bin" | grep -E 'libtensorflow|libcudart' || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "version"
"$bin" version | tee "$work/version.txt"
grep -q "libtensorflow-.*-gpu" "$work/version.txt" || fail "bin/gpu/pix2pix did not load the CUDA build's library"
gpu=no
grep -q "(GPU" "$work/version.txt" && gpu=yes
echo "GPU visible: $gpu"

step "tiny data"
"$cpu_bin" data synth --output_dir "$work/data" --count 4 --seed 1 >/dev/null
small=(--ngf 4 --ndf 4 --seed 1 --no-dropout --summary_freq 2 --progress_freq 1)

run_all() { # DEVICE DIR: train 3 steps, test, infer and export on DEVICE
  local dev=$1 dir=$2
  step "train 3 steps on --device $dev"
  "$bin" train --input_dir "$work/data" --output_dir "$dir/run" "${small[@]}" --max_steps 3 --device "$dev"
  step "test on --device $dev"
  "$bin" test --input_dir "$work/data" --output_dir "$dir/test" --checkpoint "$dir/run" --no-test-dropout --device "$dev"
  step "infer on --device $dev"
  "$bin" infer --model "$dir/run" --output_dir "$dir/infer" --device "$dev" "$work/data"
  step "export"
  "$bin" export --checkpoint "$dir/run" --output_dir "$dir/export"
  ls "$dir/export" "$dir/export/saved_model"
}
run_all cpu "$work/cpu"

if [[ $gpu == no ]]; then
  step "--device gpu without a GPU must fail clearly"
  if "$bin" train --input_dir "$work/data" --output_dir "$work/gpu-refused" "${small[@]}" --max_steps 1 --device gpu 2>"$work/refused.txt"; then
    fail "--device gpu trained although no GPU is visible"
  fi
  cat "$work/refused.txt"
  grep -q "no such GPU is visible to TensorFlow.*CUDA build" "$work/refused.txt" || fail "--device gpu failed without saying that no GPU is visible"
else
  run_all gpu "$work/gpu"
  step "test mode on the GPU against the CPU build (dropout off)"
  bash "$root/scripts/setup-reference.sh"
  "$cpu_bin" test --input_dir "$work/data" --output_dir "$work/cpu-build-test" --checkpoint "$work/gpu/run" --no-test-dropout
  "$(bash "$root/scripts/setup-reference.sh" --python)" "$root/scripts/compare_images.py" "$work/cpu-build-test/images" "$work/gpu/test/images" 1 ||
    fail "test mode on the GPU differs from the CPU build by more than 1/255"
fi

step "ops without a GPU kernel (CUDA build's registry)"
"$bin" graph --kernels --ngf 4 --ndf 4 --kernels-fixture "$work/gpu-kernels.txt"
if [[ -n ${UPDATE:-} ]]; then
  cp "$work/gpu-kernels.txt" "$fixture"
  echo "updated $fixture"
elif ! diff -u "$fixture" "$work/gpu-kernels.txt"; then
  fail "$fixture is out of date: run make check-gpu-build UPDATE=1 and commit it"
fi

step "check-gpu-build: passed (GPU visible: $gpu)"
