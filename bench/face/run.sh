#!/usr/bin/env bash
# Face evaluation throughput: Lathe's evaluator-face against face-api 1.7.15 in Node.js (tfjs
# WASM backend, no native addon), on the six demo photos of the npm package, same machine,
# same environment. Results go to docs/PERFORMANCE.md by hand (section "Face evaluation").
#
# usage: bench/face/run.sh [PASSES]   (from anywhere; needs mvn, java 17, node 20, npm)
set -euo pipefail
passes="${1:-5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node_dir="$here/target/node"

# The environment bin/lathe and the benchmarks in PLATFORM.md use on 2-core machines.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="${OMP_NUM_THREADS:-2}"
export GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736

(cd "$root" && mvn -B -q -pl bench/face -am -Pface-bench package -DskipTests)

if [ ! -d "$node_dir/node_modules/@tensorflow/tfjs-backend-wasm" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --no-audit --no-fund --silent \
    @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 jpeg-js@0.4.4)
fi
package="$node_dir/node_modules/@vladmandic/face-api"
cp "$here/faceapi-throughput.js" "$node_dir/"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uptime)"
echo "node $(node --version), $(java -version 2>&1 | head -1)"
node "$node_dir/faceapi-throughput.js" "$package" "$passes"
java -Dorg.bytedeco.javacpp.cachedir="$HOME/.cache/lathe/javacpp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$here/target/classes:$here/target/lib/*" dev.lathe.bench.face.FaceThroughput "$package/demo" "$passes"
echo "after: $(uptime)"
