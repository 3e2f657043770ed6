# Sourced by the bench/run-*-bench.sh scripts: the environment both sides (Lathe and PyTorch) run
# in, the build of the bench module, and the machine line each report starts with.
# Expects ROOT (the repository) and PYTHON (Debian's python3 with python3-torch) to be set.

"$PYTHON" -c 'import torch' 2>/dev/null || { echo "$PYTHON has no torch: apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 2; }

if [ -z "${BENCH_NO_BUILD:-}" ] || [ ! -f "$ROOT/bench/target/classpath.txt" ]; then
    echo "== building (mvn -pl bench -am package, tests skipped; BENCH_NO_BUILD=1 reuses the last build)"
    (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"

# The same environment for both sides (../shared/PLATFORM.md): passive OpenMP waiting, 2 threads,
# idle OpenBLAS workers sleep, glibc keeps freed memory instead of returning it to the OS.
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
export OPENBLAS_NUM_THREADS=2 OPENBLAS_THREAD_TIMEOUT=4
export GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
export ENGINE_CACHE_DIR="${ENGINE_CACHE_DIR:-$HOME/.cache/lathe/djl}"

echo "== $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p'); java $(java -version 2>&1 | head -1 | cut -d'"' -f2); $("$PYTHON" -c 'import torch; print("torch", torch.__version__)')"
