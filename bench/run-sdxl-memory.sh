#!/usr/bin/env bash
# Peak memory of loading a full-size SDXL checkpoint (issue 8, item 6; docs/PERFORMANCE.md).
#
#   bench/run-sdxl-memory.sh [DIR=bench/target/sdxl-memory] [HEAP=1g]
#
# Writes a checkpoint of the real SDXL base single-file layout (names and shapes from
# ../shared/fixtures/train/lora_keys_sdxl.json, F16 as released, random weights; 6.9 GB) into DIR,
# loads it with Lathe's loader (CPU, float32) in a JVM whose heap is capped at HEAP (so tensors
# cannot pass through the Java heap), reports /usr/bin/time's maximum resident set size and the
# process's own RSS split, and deletes the file again (also on failure or Ctrl-C).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/bench/target/sdxl-memory}"
HEAP="${2:-1g}"
SHARED="${LATHE_SHARED_DIR:-$ROOT/../shared}"
FILE="$DIR/sdxl-random-f16.safetensors"

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
trap 'rm -f "$FILE" "$FILE.partial"' EXIT
echo "== $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2 " GB RAM, " $7 " GB available"}'); java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
echo "== writing $FILE"
"${JAVA[@]}" -Xmx256m dev.lathe.bench.SdxlLoadMemory write "$FILE" "$SHARED/fixtures/train/lora_keys_sdxl.json"
echo "== loading it (heap capped at $HEAP)"
/usr/bin/time -v "${JAVA[@]}" -Xmx"$HEAP" dev.lathe.bench.SdxlLoadMemory load "$FILE" 2> "$DIR/time.txt" | grep RESULT
grep -E "Maximum resident set size|Elapsed \(wall clock\)|Major \(requiring I/O\)|Minor \(reclaiming" "$DIR/time.txt"
