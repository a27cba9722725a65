#!/usr/bin/env bash
# Replays the bundled recording (4,000 real events) at maximum speed through the real service —
# SSE client → Kafka → aggregator → PostgreSQL — on a fresh local stack, and prints:
# events/s from the first data line received to the last aggregate committed, the end-to-end
# latency percentiles (data line → committed row) and the service's peak RSS.
# Usage: bench/replay-figures.sh   (needs target/pulse-runner.jar: ./mvnw package -DskipTests; the full
# benchmark is bench/run). The service runs with the JVM options it ships with, as under ./pulse run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PULSE_LOCAL_DIR=$(mktemp -d /tmp/pulse-bench-XXXX)
chmod 755 "$PULSE_LOCAL_DIR"
PORT=${BENCH_HTTP_PORT:-18080}
EXPECTED=4000

./pulse stack > "$PULSE_LOCAL_DIR/stack.out" 2>&1 &
STACK=$!
cleanup() { kill ${APP:-} 2>/dev/null || true; kill $STACK 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$PULSE_LOCAL_DIR"; }
trap cleanup EXIT
for _ in $(seq 1 600); do [ -f "$PULSE_LOCAL_DIR/infra.env" ] && break; sleep 0.5; done
set -a; . "$PULSE_LOCAL_DIR/infra.env"; set +a

QUARKUS_HTTP_PORT=$PORT PULSE_REPLAY_ENABLED=true PULSE_REPLAY_EVENTS_PER_SECOND=0 \
  PULSE_WIKIMEDIA_URL="http://localhost:$PORT/replay/wikimedia/recentchange" \
  MALLOC_ARENA_MAX=2 "${JAVA_HOME:+$JAVA_HOME/bin/}java" @src/main/docker/jvm.options \
  -jar target/pulse-runner.jar > "$PULSE_LOCAL_DIR/app.log" 2>&1 &
APP=$!

health() { curl -s "localhost:$PORT/q/health/ready" || true; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print([c for c in d['checks'] if c['name']=='pulse-pipeline'][0]['data'].get('$1',''))" 2>/dev/null; }
for _ in $(seq 1 600); do
  [ "$(health | field aggregator.committedEvents)" = "$EXPECTED" ] && break
  sleep 0.2
done
H=$(health)
COMMITTED=$(echo "$H" | field aggregator.committedEvents)
FIRST=$(echo "$H" | field aggregator.firstEventReceivedAt)
LAST=$(echo "$H" | field aggregator.lastCommitAt)
METRICS=$(curl -s "localhost:$PORT/q/metrics")
q() { echo "$METRICS" | awk -v q="$1" '$0 ~ "^pulse_pipeline_latency_seconds\\{.*quantile=\""q"\"" {print $2*1000}'; }
RSS_KB=$(awk '/VmHWM/ {print $2}' /proc/$APP/status)
python3 - "$COMMITTED" "$FIRST" "$LAST" "$(q 0.5)" "$(q 0.95)" "$(q 0.99)" "$RSS_KB" <<'PY'
import sys, datetime
committed, first, last, p50, p95, p99, rss = sys.argv[1:]
t = lambda s: datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
secs = (t(last) - t(first)).total_seconds()
print(f"events committed          {committed}")
print(f"first received → last commit {secs:.3f} s  →  {int(committed)/secs:,.0f} events/s")
print(f"latency data line → committed row  p50 {float(p50):.0f} ms   p95 {float(p95):.0f} ms   p99 {float(p99):.0f} ms")
print(f"peak RSS of the service   {int(rss)/1024:.0f} MB")
PY
