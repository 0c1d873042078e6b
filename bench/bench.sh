#!/usr/bin/env bash
# Runs the Tollgate bench harness (dev.tollgate.bench.Main) with a JDK 21+, from any working directory.
# Usage: bench/bench.sh [--profile quick|full] [--targets stub,nginx,gateway] [more options: --help]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"

java_major() { # prints the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1 || echo 0
}

pick_java_home() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]]; then
    echo "$JAVA_HOME"; return
  fi
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    echo /usr/lib/jvm/temurin-25-jdk-amd64; return
  fi
  local d
  for d in /usr/lib/jvm/*; do
    if [[ -x "$d/bin/java" && "$(java_major "$d/bin/java")" -ge 21 ]]; then echo "$d"; return; fi
  done
  if command -v java >/dev/null && [[ "$(java_major "$(command -v java)")" -ge 21 ]]; then
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"; return
  fi
  echo "bench: no JDK 21 or newer found (JAVA_HOME, /usr/lib/jvm/*); install one and set JAVA_HOME" >&2
  exit 1
}

export JAVA_HOME="$(pick_java_home)"
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
