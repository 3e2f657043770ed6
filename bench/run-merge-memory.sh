#!/usr/bin/env bash
# Memory and time of merging a LoRA into a full-size SD 1.5 checkpoint (docs/PERFORMANCE.md,
# "Merging a LoRA into a checkpoint").
#
#   bench/run-merge-memory.sh [DIR=bench/target/merge-memory] [HEAP=256m]
#
# Writes a checkpoint of the real SD 1.5 single-file layout (float32 like v1-5-pruned-emaonly,
# random weights; 4.3 GB) and a rank-32 kohya LoRA on kohya's default targets into DIR, merges the
# LoRA with Lathe's CheckpointMerger in a JVM whose heap is capped at HEAP (so the checkpoint cannot
# pass through the Java heap), reports /usr/bin/time's maximum resident set size and the process's
# own figures, and deletes the files again (also on failure or Ctrl-C). Needs about 9 GB of disk.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/bench/target/merge-memory}"
HEAP="${2:-256m}"
BASE="$DIR/sd15-random-f32.safetensors"
LORA="$DIR/lora-r32.safetensors"
OUT="$DIR/merged.safetensors"

if [ -z "${BENCH_NO_BUILD:-}" ] || [ ! -f "$ROOT/bench/target/classpath.txt" ]; then
    echo "== building (mvn -pl bench -am package, tests skipped; BENCH_NO_BUILD=1 reuses the last build)"
    (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OMP_WAIT_POLICY=PASSIVE
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$HOME/.cache/lathe/djl}"
JAVA=(java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP")

mkdir -p "$DIR"
trap 'rm -f "$BASE" "$LORA" "$OUT" "$DIR"/.*.tmp-*' EXIT
echo "== $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2 " GB RAM, " $7 " GB available"}'); java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
echo "== writing $BASE and $LORA"
"${JAVA[@]}" -Xmx512m dev.lathe.bench.MergeMemory write "$BASE"
"${JAVA[@]}" -Xmx512m dev.lathe.bench.MergeMemory lora "$BASE" "$LORA"
echo "== merging (heap capped at $HEAP)"
/usr/bin/time -v "${JAVA[@]}" -Xmx"$HEAP" dev.lathe.bench.MergeMemory merge "$BASE" "$LORA" "$OUT" 2> "$DIR/time.txt" | grep RESULT
grep -E "Maximum resident set size|Elapsed \(wall clock\)|Major \(requiring I/O\)|Minor \(reclaiming" "$DIR/time.txt"
