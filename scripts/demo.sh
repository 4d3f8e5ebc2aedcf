#!/usr/bin/env bash
# demo.sh: pix2pix on this machine in a few minutes, on built-in data.
# Generates synthetic label-map -> scene pairs, splits them, trains a short
# run, runs test mode on the held-out pairs (and on an untrained model, as
# a baseline) and prints the report's path.
# Usage: scripts/demo.sh BIN [DIR]   (make demo runs it)
set -euo pipefail
bin=${1:?usage: demo.sh BIN [DIR]}
dir=${2:-out/demo}
steps=${DEMO_STEPS:-600}
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
echo "== 1/4 synthetic dataset: 220 label-map -> scene pairs"
"$bin" data synth --output_dir "$dir/pairs" --count 220 --seed 1
"$bin" data split --input_dir "$dir/pairs" --output_dir "$dir/dataset" --train-frac 0.9 --test-frac 0.1 --seed 1
echo "== 2/4 training $steps steps at ngf = ndf = 32 (about 3 minutes on 2 cores)"
"$bin" train --input_dir "$dir/dataset/train" --output_dir "$dir/train" --ngf 32 --ndf 32 \
  --max_steps "$steps" --save_freq "$steps" --summary_freq 100 --progress_freq 100 --seed 1
echo "== 3/4 test mode on the held-out pairs"
"$bin" test --input_dir "$dir/dataset/test" --output_dir "$dir/test" --checkpoint "$dir/train" | tee "$dir/test.log"
echo "== 4/4 baseline: the same test with an untrained model (one step at a negligible learning rate)"
"$bin" train --input_dir "$dir/dataset/train" --output_dir "$dir/untrained" --ngf 32 --ndf 32 \
  --max_steps 1 --save_freq 1 --summary_freq 0 --progress_freq 0 --lr 1e-20 --seed 1 >/dev/null 2>&1
"$bin" test --input_dir "$dir/dataset/test" --output_dir "$dir/untrained-test" --checkpoint "$dir/untrained" > "$dir/untrained-test.log"
echo "trained:   $(grep '^report:' "$dir/test.log" | sed 's/.*(//; s/)//')"
echo "untrained: $(grep '^report:' "$dir/untrained-test.log" | sed 's/.*(//; s/)//')"
echo "done in $(( $(date +%s) - start )) s"
echo "report: $(cd "$dir/test" && pwd)/report.html"
echo "serve the trained model (a page to draw on at http://127.0.0.1:8000/):"
echo "  $bin serve --model $(cd "$dir/train" && pwd)"
