#!/usr/bin/env bash
# Training-step benchmark (issue 5, BENCHMARK.md "The standard training-step benchmark"): one
# kohya-style LoRA step (UNet only, cached latents, LoRA rank 16 / alpha 1 on the 192 transformer
# modules, AdamW lr 1e-4 wd 0.01, gradient clipping to norm 1) in Lathe (DJL + libtorch 2.7.1)
# and in PyTorch eager (Debian's python3-torch 1.13), on the same checkpoint, threads and
# environment; prints a table.
#
#   bench/run-train-bench.sh [config=mid] [latent=32] [batch=1] [steps=30] [warmup=3] [rounds=3]
#   bench/run-train-bench.sh rss [steps=1000] [every=100] [checkpoint=mid] [latent=32]
#
# config: mid (model_channels 128 + CLIP ViT-L, ~1.06 GB F32) or full (320 = SD 1.5, ~3.9 GB),
# generated once with deterministic random weights into bench/target/train-bench/, or the path
# of an SD 1.x single-file checkpoint. Each round runs Lathe, then PyTorch, in fresh processes,
# so load from other processes hits both sides.
#
# The rss mode runs STEPS Lathe steps and prints the resident memory every EVERY steps, once with
# glibc's trimming disabled (GLIBC_TUNABLES, as for the timings) and once with glibc's defaults.
# Needs JDK 17 + Maven (Maven Central) and: apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"   # Debian's python, where python3-torch lives
DIR="$ROOT/bench/target/train-bench"

. "$ROOT/bench/bench-env.sh"

JAVA=(java -Xmx"${BENCH_HEAP:-1g}" -Xmn64m -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2
      -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP")

checkpoint_of() {
    case "$1" in
        mid|full)
            java -Xmx6g -cp "$CP" dev.lathe.bench.TrainStepBench generate "$DIR" "$1" >&2
            echo "$DIR/sd15-$1.safetensors" ;;
        *) echo "$1" ;;
    esac
}

if [ "${1:-}" = rss ]; then
    STEPS="${2:-1000}"
    EVERY="${3:-100}"
    CHECKPOINT="$(checkpoint_of "${4:-mid}")"
    LATENT="${5:-32}"
    echo "== Lathe RSS over $STEPS steps, $(basename "$CHECKPOINT"), latent $LATENT, glibc trimming disabled ($GLIBC_TUNABLES)"
    "${JAVA[@]}" dev.lathe.bench.TrainStepBench rss "$CHECKPOINT" "$LATENT" 1 "$STEPS" "$EVERY" | grep -E "^(RSS|RESULT)"
    echo "== the same with glibc's default malloc settings"
    env -u GLIBC_TUNABLES "${JAVA[@]}" dev.lathe.bench.TrainStepBench rss "$CHECKPOINT" "$LATENT" 1 "$STEPS" "$EVERY" \
        | grep -E "^(RSS|RESULT)"
    exit 0
fi

CHECKPOINT="$(checkpoint_of "${1:-mid}")"
LATENT="${2:-32}"
BATCH="${3:-1}"
STEPS="${4:-30}"
WARMUP="${5:-3}"
ROUNDS="${6:-3}"
CHECK="$DIR/$(basename "$CHECKPOINT" .safetensors).check-$LATENT-$BATCH.safetensors"

summarize() {  # one line per RESULT
    "$PYTHON" -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line.split("RESULT ", 1)[1])
    print("   %-8s median %.3f s, min %.3f s, CPU %.2f s per step, peak RSS %d MB" % (r["side"], r["median"], r["min"], r["cpu_median"], r["peak_rss_mb"]))'
}

echo "== environment: OMP_NUM_THREADS=$OMP_NUM_THREADS OMP_WAIT_POLICY=$OMP_WAIT_POLICY GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-unset}" \
     "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS OPENBLAS_THREAD_TIMEOUT=$OPENBLAS_THREAD_TIMEOUT GLIBC_TUNABLES=$GLIBC_TUNABLES"
mkdir -p "$DIR"
OUT="$DIR/results-$(date +%Y%m%d-%H%M%S).jsonl"   # every RESULT line of this run, kept

for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "${JAVA[@]}" -Dlathe.bench.checkDir="$DIR" dev.lathe.bench.TrainStepBench time "$CHECKPOINT" "$LATENT" "$BATCH" \
        "$WARMUP" "$STEPS" | grep RESULT | tee -a "$OUT" | summarize
    "$PYTHON" "$ROOT/bench/python/train_step.py" "$CHECKPOINT" "$LATENT" "$BATCH" "$WARMUP" "$STEPS" "$CHECK" \
        | grep RESULT | tee -a "$OUT" | summarize
done

echo
echo "== results: $OUT"
echo "== training step, $(basename "$CHECKPOINT"), latent ${LATENT}x$LATENT, batch $BATCH," \
     "$WARMUP warm-up + $STEPS timed steps x $ROUNDS rounds (seconds per step)"
"$PYTHON" - "$OUT" <<'PY'
import json, statistics, sys
sides = {}
for line in open(sys.argv[1]):
    r = json.loads(line.split("RESULT ", 1)[1])
    sides.setdefault(r["side"], []).append(r)
print(f"{'side':8} {'min':>6} {'median':>6} {'max':>6}  {'round medians':22} {'CPU s':>6}  {'peak RSS':>8}  "
      f"phase medians (s): text+inputs / forward / backward / clip / optimizer")
med, low, cpu = {}, {}, {}
for side, rs in sides.items():
    times = [t for r in rs for t in r["times"]]
    med[side], low[side] = statistics.median(times), min(times)
    cpu[side] = statistics.median([t for r in rs for t in r["cpu_times"]])
    rounds = " ".join("%.3f" % r["median"] for r in rs)
    rss = max(r["peak_rss_mb"] for r in rs)
    phases = " / ".join("%.3f" % statistics.median(r["phase_medians"][p] for r in rs)
                        for p in ("inputs_text", "forward", "backward", "clip", "optimizer"))
    print(f"{side:8} {low[side]:6.3f} {med[side]:6.3f} {max(times):6.3f}  {rounds:22} {cpu[side]:6.3f}  {rss:5d} MB  {phases}")
    print(f"{'':8} LoRA {rs[0]['lora_modules']} modules, {rs[0]['lora_parameters']:,} parameters; loads "
          + ", ".join(f"{r['load_average_at_start']} -> {r['load_average_at_end']}" for r in rs))
if "lathe" in med and "pytorch" in med:
    print(f"ratio lathe/pytorch: median {med['lathe'] / med['pytorch']:.3f}, min {low['lathe'] / low['pytorch']:.3f}, "
          f"CPU time {cpu['lathe'] / cpu['pytorch']:.3f}")
checks = [r["check"] for r in sides.get("pytorch", []) if "check" in r]
if checks:
    c = checks[-1]
    print(f"same computation: text encoding max |diff| {c['context_max_abs_diff']:.2e} (max |x| {c['context_max_abs']:.2f}), "
          f"UNet output max |diff| {c['eps_max_abs_diff']:.2e} (max |eps| {c['eps_max_abs']:.2f})")
PY
