#!/usr/bin/env bash
# JMH microbenchmarks of the hot paths (dev.tollgate.bench.jmh and friends), with short defaults.
# Usage: bench/run-jmh.sh [regex] [more JMH options, e.g. -prof gc, -f 2, -rf json]   (bench/run-jmh.sh -h: JMH's own)
# Defaults -f 1 -wi 3 -w 1s -i 5 -r 1s; an option given here replaces its default. BENCH_REBUILD=1 forces a build.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"

# shellcheck source=jdk.sh
source "$BENCH_DIR/jdk.sh"
JAR="$BENCH_DIR/target/tollgate-bench.jar"
# a jar from before the benchmarks existed has no META-INF/BenchmarkList: build then too
has_benchmarks() {
  [[ -f "$JAR" ]] && grep -qx 'META-INF/BenchmarkList' <<<"$("$JAVA_HOME/bin/jar" tf "$JAR")"
}
if ! has_benchmarks || ! compgen -G "$BENCH_DIR/target/lib/jmh-core-*.jar" >/dev/null || [[ -n "${BENCH_REBUILD:-}" ]]; then
  echo "run-jmh: building the bench module (./mvnw -pl bench -am package)" >&2
  (cd "$REPO_DIR" && ./mvnw -q -pl bench -am package -DskipTests)
fi

# Short defaults, each unless the command line sets that option itself (JMH rejects an option given twice).
defaults=()
for pair in "-f 1" "-wi 3" "-w 1s" "-i 5" "-r 1s"; do
  opt="${pair%% *}"
  given=
  for a in "$@"; do [[ "$a" == "$opt" ]] && given=1; done
  [[ -z "$given" ]] && defaults+=("$opt" "${pair#* }")
done

cd "$REPO_DIR"
# The forks inherit this classpath.
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "$JAR:$BENCH_DIR/target/lib/*" org.openjdk.jmh.Main "${defaults[@]}" "$@"
