#!/usr/bin/env bash
# Acceptance run of issue 4 on the real stories260K model: convert it, prune it to 2:4 with all four methods, each
# without and with masked refinement (gd, 1000 steps), calibrated on C4 and on TinyStories text, evaluate every
# result on WikiText-2, C4 and TinyStories (seqlen 512 = the model's max), then compare: a text table, a Markdown
# table (docs/results.md is written from it) and a self-contained HTML report rendered to PNG when Chromium exists.
#
# Usage: scripts/acceptance.sh [WORKDIR]   (default /tmp/prunepipeline-acceptance; JOBS=2 runs in parallel)
# NOTE: the TinyStories calibration text is the TinyStories evaluation file itself, so calibration and evaluation
# overlap for those runs (the repository ships no other TinyStories text); docs/results.md says so next to the table.
set -euo pipefail
cd "$(dirname "$0")/.."
S=$(cd ../shared && pwd)
WORK=${1:-/tmp/prunepipeline-acceptance}
JOBS=${JOBS:-2}

dotnet build cli -c Release --nologo -v q >/dev/null
P=$PWD/cli/bin/Release/net10.0/prunectl
mkdir -p "$WORK/runs"
MODEL=$WORK/stories260K
[ -f "$MODEL/model.safetensors" ] || "$P" convert-llama2c --checkpoint "$S/models/stories260K/stories260K.bin" \
  --tokenizer "$S/models/stories260K/tok512.bin" --out "$MODEL"

EVAL="wikitext2=$S/data/wikitext-2/wiki.test.raw,c4=$S/data/c4/c4-validation.00000-of-00008.first1025.text-only.jsonl,tinystories=$S/data/tinystories/tinystories_val_first1000.eot.txt"
C4_CALIB=$S/data/c4/c4_validation_2k.jsonl
TS_CALIB=$S/data/tinystories/tinystories_val_first1000.eot.txt

# One line per run: name calib-file sampler method refine dense-eval?
jobs_file=$WORK/jobs.txt
: > "$jobs_file"
for calib in c4 tinystories; do
  if [ $calib = c4 ]; then file=$C4_CALIB; sampler=random-window; else file=$TS_CALIB; sampler=packed; fi
  for method in prox wanda sparsegpt magnitude; do
    for refine in none gd; do
      dense=no; [ $calib-$method-$refine = c4-prox-gd ] && dense=yes
      echo "$calib-$method-$refine $file $sampler $method $refine $dense" >> "$jobs_file"
    done
  done
done

run_one() {
  set -euo pipefail
  local name=$1 file=$2 sampler=$3 method=$4 refine=$5 dense=$6
  local out=$WORK/runs/$name
  if [ -f "$out/report.json" ]; then echo "skip $name (done)"; return 0; fi
  local extra=(); [ "$dense" = yes ] || extra+=(--no-dense-eval)
  # --schedule paper: the table is the paper's method whatever prunectl's default schedule becomes.
  "$P" prune --model "$MODEL" --method "$method" --refine "$refine" --schedule paper --calib "$file" --sampler "$sampler" \
    --nsamples 128 --seqlen 512 --seed 0 --pattern 2:4 --out "$out" --force --threads 1 --eval "$EVAL" --eval-seqlen 512 \
    "${extra[@]}" > "$WORK/runs/$name.log" 2>&1
  echo "done $name: $(grep -E '^time:' "$WORK/runs/$name.log")"
}
export -f run_one
export P MODEL EVAL WORK
xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ < "$jobs_file"

dirs=()
while read -r name _; do dirs+=("$WORK/runs/$name"); done < "$jobs_file"
"$P" compare "${dirs[@]}" --html "$WORK/report.html" --svg-dir "$WORK/charts" --markdown "$WORK/table.md" | tee "$WORK/table.txt"

if command -v chromium >/dev/null; then
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" --screenshot="$WORK/report.png" \
    --window-size=1400,3000 "file://$WORK/report.html" >/dev/null 2>&1 || echo "chromium failed; open $WORK/report.html in a browser"
  [ -f "$WORK/report.png" ] && echo "rendered $WORK/report.png"
fi
