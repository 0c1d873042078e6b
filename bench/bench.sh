#!/usr/bin/env bash
# Runs the Tollgate bench harness (dev.tollgate.bench.Main) with a JDK 21+, from any working directory.
# Usage: bench/bench.sh [--profile quick|full] [--targets stub,nginx,gateway] [more options: --help]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"

# shellcheck source=jdk.sh
source "$BENCH_DIR/jdk.sh"
JAR="$BENCH_DIR/target/tollgate-bench.jar"
if [[ ! -f "$JAR" || ! -d "$BENCH_DIR/target/lib" || -n "${BENCH_REBUILD:-}" ]]; then
  echo "bench: building the bench module (./mvnw -pl bench -am package)" >&2
  (cd "$REPO_DIR" && ./mvnw -q -pl bench -am package -DskipTests)
fi

# S4 holds up to 10,000 streams: every process (generator, stub, nginx, gateway) needs the file descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

cd "$REPO_DIR"
# The generator: fixed heap, serial GC (it allocates next to nothing per request), its own JVM.
exec "$JAVA_HOME/bin/java" -Xms512m -Xmx512m -XX:+UseSerialGC -XX:+AlwaysPreTouch -Xss512k \
  -cp "$JAR:$BENCH_DIR/target/lib/*" dev.tollgate.bench.Main \
  --gateway-home "$REPO_DIR/distribution/target/tollgate" --results-dir "$BENCH_DIR/target" "$@"
