#!/usr/bin/env bash
# Issue 13's results table on stories260K: ProxSparse over a λ1 sweep, and prox+gd, SparseGPT+gd and Wanda+gd each
# without and with global masked finetuning, trained/calibrated on TinyStories stories 500-999 and on C4
# (c4_validation_2k minus the 57 documents shared with the C4 evaluation file), evaluated on WikiText-2, C4 and
# TinyStories stories 0-499 (seqlen 512). Writes WORKDIR/runs/*/report.json and WORKDIR/table.md.
#
# Usage: scripts/training-results.sh [WORKDIR]     (default /tmp/prunepipeline-training)
#   ONLY="ts-proxsparse-0.3 ts-wanda" runs only the named runs; EVAL=tinystories restricts the evaluation sets;
#   STEPS / FT_STEPS / LAMBDAS / SEQLEN override the defaults below. Runs already finished (report.json) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
S=$(cd ../shared && pwd)
WORK=${1:-/tmp/prunepipeline-training}
STEPS=${STEPS:-400}; FT_STEPS=${FT_STEPS:-400}; SEQLEN=${SEQLEN:-256}; LAMBDAS=${LAMBDAS:-"0.1 0.3 1.0"}
EVAL=${EVAL:-"wikitext2 c4 tinystories"}

dotnet build cli -c Release --nologo -v q >/dev/null
P=$PWD/cli/bin/Release/net10.0/prunectl
mkdir -p "$WORK/runs"
MODEL=$WORK/stories260K
[ -f "$MODEL/model.safetensors" ] || "$P" convert-llama2c --checkpoint "$S/models/stories260K/stories260K.bin" \
  --tokenizer "$S/models/stories260K/tok512.bin" --out "$MODEL" >/dev/null

TS=$S/data/tinystories/tinystories_val_first1000.eot.txt
C4EVAL=$S/data/c4/c4-validation.00000-of-00008.first1025.text-only.jsonl
declare -A FILE=([wikitext2]=$S/data/wikitext-2/wiki.test.raw [c4]=$C4EVAL [tinystories]=$TS)
EVALARG=$(for e in $EVAL; do printf '%s=%s,' "$e" "${FILE[$e]}"; done); EVALARG=${EVALARG%,}
COMMON=(--model "$MODEL" --threads "${THREADS:-1}" --seqlen "$SEQLEN" --eval "$EVALARG" --eval-stories 0-499 --eval-seqlen 512 --force)
TEXT_ts=(--calib "$TS" --calib-stories 500-999 --sampler packed --nsamples 128)
TEXT_c4=(--calib "$S/data/c4/c4_validation_2k.jsonl" --exclude-docs "$C4EVAL" --sampler random-window --nsamples 128)

run() { # name args...
  local name=$1; shift
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
  [ -f "$WORK/runs/$name/report.json" ] && return
  echo "== $name" >&2
  "$P" prune "$@" --out "$WORK/runs/$name" > "$WORK/runs/$name.log" 2>&1 || { echo "   failed: see $WORK/runs/$name.log" >&2; return; }
  tail -n 4 "$WORK/runs/$name.log" >&2
}

for text in ts c4; do
  t="TEXT_$text[@]"
  for l in $LAMBDAS; do run "$text-proxsparse-$l" "${COMMON[@]}" "${!t}" --method proxsparse --lambda1 "$l" --steps "$STEPS" --lr 1e-4; done
  for m in prox sparsegpt wanda; do
    run "$text-$m-gd-ft" "${COMMON[@]}" "${!t}" --method $m --refine gd --finetune --finetune-steps "$FT_STEPS" --finetune-lr 1e-3 --finetune-loss kl
  done
done

python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]; runs = os.path.join(work, "runs")
rows, dense = [], None
def ppl(ev): return {e["dataset"]: e for e in ev}
for name in sorted(os.listdir(runs)):
    f = os.path.join(runs, name, "report.json")
    if not os.path.isfile(f): continue
    r = json.load(open(f))
    text = "TinyStories 500–999" if name.startswith("ts-") else "C4 (2k − 57 shared)"
    if "training" in r:
        ev = ppl(r["evaluation"])
        if dense is None and all(e.get("perplexity_before") for e in ev.values()): dense = {k: v["perplexity_before"] for k, v in ev.items()}
        t = r["training"]; lam = t["options"]["lambda1"]
        rows.append((f"ProxSparse λ1={lam}", text, "—", ev, t["curve"][-1]["two_sparse_fraction"], t["seconds_per_step"]))
    if "finetune" in r:
        ft = r["finetune"]; before = {e["dataset"]: dict(e, perplexity_after=e["perplexity_before"]) for e in ft["evaluation"]}
        m = r.get("method", "?") + ("+gd" if r.get("refine") == "gd" else "")
        rows.append((m, text, "no", before, None, None))
        rows.append((m, text, f"yes ({len(ft['curve'])} steps, {ft['options']['loss']})", ppl(ft["evaluation"]), None, ft["seconds_per_step"]))
cols = ["wikitext2", "c4", "tinystories"]
out = ["| method | training/calibration text | global finetune | WikiText-2 | C4 | TinyStories 0–499 | s/step |", "|---|---|---|---:|---:|---:|---:|"]
if dense: out.append("| dense | — | — | " + " | ".join(f"{dense[c]:.2f}" if c in dense else "—" for c in cols) + " | — |")
for name, text, ft, ev, frac, sps in rows:
    cells = [f"{ev[c]['perplexity_after']:.2f}" if c in ev else "not run" for c in cols]
    out.append(f"| {name} | {text} | {ft} | " + " | ".join(cells) + f" | {sps:.3f} |" if sps else f"| {name} | {text} | {ft} | " + " | ".join(cells) + " | — |")
open(os.path.join(work, "table.md"), "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
