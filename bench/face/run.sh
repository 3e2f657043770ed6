#!/usr/bin/env bash
# Face evaluation throughput: Lathe's evaluator-face against face-api 1.7.15 in Node.js (tfjs
# WASM backend, no native addon), on the six demo photos of the npm package, same machine,
# same environment. Results go to docs/PERFORMANCE.md by hand (section "Face evaluation").
#
# usage: bench/face/run.sh [PASSES] [ROUNDS]   (from anywhere; needs mvn, java 17, node 20, npm)
# Each round runs face-api, then Lathe, each in a fresh process (one warm-up pass, then PASSES
# timed passes), so that load from other processes on a shared machine hits both alike.
set -euo pipefail
passes="${1:-5}"
rounds="${2:-1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node_dir="$here/target/node"

# The environment bin/lathe sets and PLATFORM.md recommends for 2-core machines.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="${OMP_NUM_THREADS:-2}" OPENBLAS_THREAD_TIMEOUT=4
export GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736

(cd "$root" && mvn -B -q -pl bench/face -am -Pface-bench package -DskipTests)

if [ ! -d "$node_dir/node_modules/@tensorflow/tfjs-backend-wasm" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --no-audit --no-fund --silent \
    @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 jpeg-js@0.4.4)
fi
package="$node_dir/node_modules/@vladmandic/face-api"
cp "$here/faceapi-throughput.js" "$node_dir/"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "node $(node --version), $(java -version 2>&1 | head -1)"
for round in $(seq 1 "$rounds"); do
  echo "round $round: load $(cut -d' ' -f1-3 /proc/loadavg)"
  node "$node_dir/faceapi-throughput.js" "$package" "$passes"
  java -Dorg.bytedeco.javacpp.cachedir="$HOME/.cache/lathe/javacpp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$here/target/classes:$here/target/lib/*" dev.lathe.bench.face.FaceThroughput "$package/demo" "$passes"
done
echo "after: load $(cut -d' ' -f1-3 /proc/loadavg)"
