#!/usr/bin/env bash
# UNet forward benchmark (issue 3): Lathe (DJL + libtorch 2.7.1) against PyTorch eager (Debian's
# python3-torch 1.13) on the same weights, inputs, threads and environment; prints a table.
#
#   bench/run-unet-bench.sh [channels=128] [latent=32] [batch=1] [runs=10] [warmup=3] [rounds=3]
#
# The SD 1.5 UNet topology (BENCHMARK.md) at the given model_channels (128 = the "mid" config,
# 320 = SD 1.5 itself) with deterministic random weights, generated once into
# bench/target/unet-bench/ (about 570 MB for 128 channels, 3.4 GB for 320). Each round runs
# Lathe, then PyTorch, in fresh processes, so load from other processes hits both sides.
# Needs JDK 17 + Maven (Maven Central) and: apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CHANNELS="${1:-128}"
LATENT="${2:-32}"
BATCH="${3:-1}"
RUNS="${4:-10}"
WARMUP="${5:-3}"
ROUNDS="${6:-3}"
PYTHON="${PYTHON:-/usr/bin/python3}"   # Debian's python, where python3-torch lives
DIR="$ROOT/bench/target/unet-bench"

. "$ROOT/bench/bench-env.sh"

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
    java -Xmx"${BENCH_HEAP:-6g}" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$CP" dev.lathe.bench.UnetForwardBench "$DIR" "$CHANNELS" "$LATENT" "$BATCH" "$WARMUP" "$RUNS" \
        | grep RESULT | tee -a "$OUT"
    "$PYTHON" "$ROOT/bench/python/unet_forward.py" "$DIR" "$CHANNELS" "$LATENT" "$BATCH" "$WARMUP" "$RUNS" \
        | grep RESULT | tee -a "$OUT"
done

echo
echo "== UNet forward, model_channels $CHANNELS, latent ${LATENT}x$LATENT, batch $BATCH," \
     "$WARMUP warm-up + $RUNS timed runs x $ROUNDS rounds (seconds per forward)"
"$PYTHON" - "$OUT" <<'PY'
import json, statistics, sys
sides = {}
diff = None
for line in open(sys.argv[1]):
    r = json.loads(line.split("RESULT ", 1)[1])
    sides.setdefault(r["side"], []).append(r)
    if "max_abs_diff_vs_lathe" in r:
        diff = (r["max_abs_diff_vs_lathe"], r["max_abs_eps"])
print(f"{'side':8} {'min':>7} {'median':>7} {'max':>7}  {'round medians':30} {'CPU s (median)':>14}  peak RSS")
med, low, cpu = {}, {}, {}
for side, rs in sides.items():
    times = [t for r in rs for t in r["times"]]
    med[side], low[side] = statistics.median(times), min(times)
    cpu[side] = statistics.median([t for r in rs for t in r["cpu_times"]])
    rounds = " ".join("%.3f" % r["median"] for r in rs)
    rss = max(r["peak_rss_mb"] for r in rs)
    print(f"{side:8} {low[side]:7.3f} {med[side]:7.3f} {max(times):7.3f}  {rounds:30} {cpu[side]:14.3f}  {rss} MB")
if "lathe" in med and "pytorch" in med:
    print(f"ratio lathe/pytorch: median {med['lathe'] / med['pytorch']:.3f}, min {low['lathe'] / low['pytorch']:.3f}, "
          f"CPU time {cpu['lathe'] / cpu['pytorch']:.3f}")
if diff:
    print(f"outputs agree: max |lathe - pytorch| = {diff[0]:.2e} (max |eps| {diff[1]:.2f})")
PY
