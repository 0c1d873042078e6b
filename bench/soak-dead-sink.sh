#!/usr/bin/env bash
# Memory while a log sink is down: the gateway (distribution/target/tollgate, default flags) in front
# of the bench stub, its only sink pointed at a closed port, open-loop load for DURATION seconds at
# RATE rps; prints RSS, spill size and the pipeline's counts every 30 s, then the load's figures.
#   bench/soak-dead-sink.sh [DURATION=300] [RATE=2000]
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${1:-300}"
RATE="${2:-2000}"
# shellcheck source=jdk.sh
source "$BENCH_DIR/jdk.sh"
JAR="$BENCH_DIR/target/tollgate-bench.jar"
CP="$JAR:$BENCH_DIR/target/lib/*"
HOME_DIR="$REPO_DIR/distribution/target/tollgate"
[[ -f "$JAR" ]] || (cd "$REPO_DIR" && ./mvnw -q -pl bench -am package -DskipTests)
[[ -x "$HOME_DIR/bin/tollgate" ]] || { echo "build the distribution first: ./mvnw -pl distribution -am package -DskipTests" >&2; exit 1; }

WORK="$(mktemp -d)"
cleanup() { kill "${GW_PID:-}" "${STUB_PID:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$JAVA_HOME/bin/java" -cp "$CP" dev.tollgate.bench.stub.UpstreamStub --port 0 >"$WORK/stub.out" 2>&1 &
STUB_PID=$!
for _ in $(seq 100); do grep -q "STUB READY" "$WORK/stub.out" 2>/dev/null && break; sleep 0.1; done
STUB_PORT="$(sed -n 's/.*STUB READY port=\([0-9]*\).*/\1/p' "$WORK/stub.out")"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$WORK/tollgate.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
plugins: [provider-openai, sink-clickhouse]
governance: {data_dir: $WORK/data}
logging:
  sinks:
    - name: clickhouse          # nothing listens on port 9: every write fails, records go to the spill
      max_backoff: 5s
      config: {url: "http://127.0.0.1:9", timeout: 1s}
models:
  bench:
    deployments:
      - provider: openai
        model: bench-upstream
        model_info: {input: 0.15, output: 0.60}
        config: {api_base: "http://127.0.0.1:$STUB_PORT/v1"}
YAML
"$HOME_DIR/bin/tollgate" --config "$WORK/tollgate.yaml" >"$WORK/gw.out" 2>&1 &
GW_PID=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
JPID="$GW_PID"

metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ "^"m {s+=$2} END {printf "%d", s}'; }
sample() {
  local rss
  rss="$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$JPID/status")"
  printf '%6s s  RSS %4s MB  spill %5s MB  produced %8s  pending %8s  dropped %s  sink_up %s\n' "$1" "$rss" \
    "$(( $(metric tollgate_log_spill_bytes) / 1048576 ))" "$(metric tollgate_log_records_produced_total)" \
    "$(metric tollgate_log_records_pending)" "$(metric tollgate_log_records_dropped_total)" "$(metric tollgate_log_sink_up)"
}
sample 0
"$JAVA_HOME/bin/java" -cp "$CP" dev.tollgate.bench.load.LoadCli --url "http://127.0.0.1:$PORT/v1/chat/completions" \
  --mode open --rate "$RATE" --duration "$DURATION" --model bench >"$WORK/load.out" 2>&1 &
LOAD_PID=$!
for t in $(seq 30 30 "$DURATION"); do sleep 30; sample "$t"; done
wait "$LOAD_PID" || true
sample end
cat "$WORK/load.out"
