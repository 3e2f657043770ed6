#!/usr/bin/env bash
# Optimizer step benchmark (issue 4): Lathe (DJL + libtorch 2.7.1) against PyTorch eager (Debian's
# python3-torch) on the same parameter set, steps, threads and environment; prints a table.
#
#   bench/run-optimizer-bench.sh [timed-steps=30] [warmup-steps=3] [soak-steps=100] [rounds=3]
#
# Each round runs Lathe, then PyTorch, in fresh processes (the sides alternate, so load from
# other processes on a shared machine hits both); the soak (untimed steps after the timed ones,
# for the memory check) runs in the first round only. The table gives, per optimizer and side,
# the fastest step of all rounds, the median of the rounds' medians, the slowest step, and the
# process CPU time per step (all threads; median of the rounds).
# Needs JDK 17 + Maven (Maven Central) and: apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TIMED="${1:-30}"
WARMUP="${2:-3}"
SOAK="${3:-100}"
ROUNDS="${4:-3}"
KEYS="${LORA_KEYS:-$ROOT/../shared/fixtures/train/lora_keys_sd15.json}"
PYTHON="${PYTHON:-/usr/bin/python3}"   # Debian's python, where python3-torch lives
RANK=96

[ -f "$KEYS" ] || { echo "lora_keys_sd15.json not found at $KEYS (set LORA_KEYS)" >&2; exit 2; }
. "$ROOT/bench/bench-env.sh"

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

for round in $(seq 1 "$ROUNDS"); do
    soak=$([ "$round" = 1 ] && echo "$SOAK" || echo 0)
    echo "== round $round/$ROUNDS ($(cut -d' ' -f1-3 /proc/loadavg) load)"
    # A small fixed young generation: the heap reaches its size within a few steps, so RSS
    # growth after that would be native memory.
    java -Xmx1g -Xmn32m -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$CP" dev.lathe.bench.OptimizerStepBench "$KEYS" "$RANK" "$WARMUP" "$TIMED" "$soak" adamw adafactor \
        | grep -E "^(RESULT|SD 1.5)" | tee -a "$OUT"
    "$PYTHON" "$ROOT/bench/python/optimizer_step.py" "$KEYS" "$RANK" "$WARMUP" "$TIMED" "$soak" \
        adamw adafactor adamw-foreach | grep -E "^(RESULT|SD 1.5)" | tee -a "$OUT"
done

echo
echo "== optimizer step, SD 1.5 LoRA rank $RANK (56.6 M float32 parameters, 528 tensors)," \
     "$WARMUP warm-up + $TIMED timed steps x $ROUNDS rounds"
"$PYTHON" - "$OUT" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    _, side, kind, *kv = line.split()
    runs.setdefault((side, kind), []).append({k: float(v) for k, v in (x.split("=") for x in kv)})
def summary(side, kind):
    r = runs.get((side, kind))
    if not r:
        return None
    return dict(min=min(x["min_ms"] for x in r), median=statistics.median(x["median_ms"] for x in r),
                max=max(x["max_ms"] for x in r), cpu=statistics.median(x["cpu_ms"] for x in r), rss=(r[0]["rss_mib_before"], r[0]["rss_mib_after"], r[0]["rss_mib_soaked"],
                int(r[0]["soak_steps"])))
print("| optimizer | side | min ms | median ms | max ms | CPU ms / step | RSS MiB: before timed / after timed / after soak | Lathe / torch (median) |")
print("|---|---|---:|---:|---:|---:|---|---:|")
for kind in ("adamw", "adafactor", "adamw-foreach"):
    torch = summary("torch", kind)
    for side in ("lathe", "torch"):
        s = summary(side, kind)
        if not s:
            continue
        ratio = "%.2f" % (s["median"] / torch["median"]) if side == "lathe" and torch else ""
        rss = "%.0f / %.0f / %.0f (%d soak steps)" % s["rss"]
        print("| %s | %s | %.1f | %.1f | %.1f | %.0f | %s | %s |" % (kind, side, s["min"], s["median"], s["max"], s["cpu"],
              rss, ratio))
PY
