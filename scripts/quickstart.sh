#!/usr/bin/env bash
# The main job on embedded defaults, for a newcomer on a fresh machine:
#   1. install OpenBLAS (and the other native packages) if missing, build prunectl;
#   2. convert the shipped stories260K llama2.c checkpoint into a Hugging Face model directory;
#   3. run the whole pruning pipeline in one process (in-memory bus, folder artifact store, SQLite run history):
#      calibrate on C4, prune every linear layer to 2:4 with the proximal method + refinement, write the pruned HF
#      directory, and print WikiText-2 / C4 / TinyStories perplexities before and after.
# Everything it writes goes under ./out (git-ignored). Data and the model are read from ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PRUNE_SHARED:-../shared}
OUT=${PRUNE_OUT:-out}
[ -f "$SHARED/models/stories260K/stories260K.bin" ] || { echo "quickstart: $SHARED/models/stories260K/stories260K.bin not found (set PRUNE_SHARED)"; exit 1; }

bash scripts/setup.sh
dotnet build cli -c Release --nologo -v quiet -clp:ErrorsOnly
PRUNECTL=cli/bin/Release/net10.0/prunectl
mkdir -p "$OUT"

echo "== convert stories260K (llama2.c) to a Hugging Face directory"
# --force replaces only an earlier output of ours (never a folder of the user's).
$PRUNECTL convert-llama2c --checkpoint "$SHARED/models/stories260K/stories260K.bin" \
  --tokenizer "$SHARED/models/stories260K/tok512.bin" --out "$OUT/stories260K" --force

EVAL="wikitext2=$SHARED/data/wikitext-2/wiki.test.raw,c4=$SHARED/data/c4/c4-validation.00000-of-00008.first1025.text-only.jsonl,tinystories=$SHARED/data/tinystories/tinystories_val_first1000.eot.txt"

echo "== prune to 2:4 with the proximal method (embedded pipeline)"
$PRUNECTL run --model "$OUT/stories260K" --method prox \
  --calib "$SHARED/data/c4/c4_validation_2k.jsonl" --nsamples 128 --seqlen 512 --seed 0 \
  --out "$OUT/stories260K-2of4-prox" --work "$OUT/work" --force --eval "$EVAL"
echo
echo "Pruned model: $OUT/stories260K-2of4-prox (report.json, sparsity.json, masks); run history: prunectl runs --work $OUT/work"
