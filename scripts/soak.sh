#!/usr/bin/env bash
# Load and soak test: runs a mix of traffic against the release binary for SOAK_SECONDS
# (default 600) and checks that nothing fails and memory does not grow.
#
# Traffic classes (one wrk process each, running concurrently, closed loop):
#   small     JSON forward, gelu, 8 floats                      (SOAK_CONN_SMALL, default 4)
#   binary    1M-element float32 gradient, raw octet-stream     (SOAK_CONN_BINARY, default 1)
#   json      4096-float JSON forward, no Accept-Encoding        (SOAK_CONN_JSON, default 2)
#   gzip      the same with Accept-Encoding: gzip               (SOAK_CONN_GZIP, default 2)
#   oip       OIP v2 infer, JSON tensors                         (SOAK_CONN_OIP, default 2)
#   jobs      a small training job submitted with curl every SOAK_JOB_INTERVAL s (default 2)
# The server's RSS (VmRSS) is sampled every SOAK_SAMPLE_SECONDS (default 5) into
# $SOAK_DIR/rss.csv. At the end it prints requests/s, p50/p99 latency, non-2xx and socket
# errors per class, and RSS start/after-warm-up/end/max. Exits non-zero on any non-2xx or
# socket error, a server crash, or RSS growing more than SOAK_MAX_GROWTH percent (default 20)
# from the end of the warm-up (SOAK_WARMUP seconds, default min(60, SOAK_SECONDS/5)) to the end.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${SOAK_SECONDS:-600}
BIN=${ACTIVATION_SERVICE_BIN:-.build/release/activation-service}
DIR=${SOAK_DIR:-.build-soak}
SAMPLE=${SOAK_SAMPLE_SECONDS:-5}
MAX_GROWTH=${SOAK_MAX_GROWTH:-20}
JOB_INTERVAL=${SOAK_JOB_INTERVAL:-2}
WARMUP=${SOAK_WARMUP:-$(( DURATION / 5 < 60 ? DURATION / 5 : 60 ))}
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/install-deps.sh --bench" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is not built (make release)" >&2; exit 1; }
mkdir -p "$DIR"

# --- request bodies ---------------------------------------------------------------------------
python3 - "$DIR" <<'PY'
import json, struct, sys, random
d = sys.argv[1]
rng = random.Random(0)
open(f"{d}/small.json", "w").write(json.dumps({"x": [-3, -1, -0.5, 0, 0.25, 1, 2, 4]}))
open(f"{d}/medium.json", "w").write(json.dumps({"x": [round(rng.gauss(0, 2), 6) for _ in range(4096)]}))
open(f"{d}/infer.json", "w").write(json.dumps({"inputs": [{"name": "x", "shape": [2, 64], "datatype": "FP32",
    "data": [round(rng.gauss(0, 1), 5) for _ in range(128)]}], "outputs": [{"name": "y"}, {"name": "dydx"}]}))
with open(f"{d}/x1m.f32", "wb") as f:
    f.write(struct.pack("<%df" % (1 << 20), *(rng.uniform(-6, 6) for _ in range(1 << 20))))
open(f"{d}/job.json", "w").write(json.dumps({"dataset": {"name": "moons", "samples": 200, "noise": 0.1, "seed": 0},
    "model": {"hidden": [16], "activation": {"name": "golu"}},
    "training": {"epochs": 3, "batch_size": 32, "learning_rate": 0.01, "seed": 0}}))
PY

# One Lua script per class: the body is read once per thread; done() prints one JSON line.
lua() {  # name method path content-type body-file [extra header lines as name=value]
    local name=$1 path=$2 type=$3 body=$4; shift 4
    {
        echo "wrk.method = \"POST\""
        echo "wrk.path = \"$path\""
        echo "wrk.headers[\"Content-Type\"] = \"$type\""
        for h in "$@"; do echo "wrk.headers[\"${h%%=*}\"] = \"${h#*=}\""; done
        echo "local f = assert(io.open(\"$PWD/$DIR/$body\", \"rb\")); wrk.body = f:read(\"*a\"); f:close()"
        cat <<LUA
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"class":"$name","requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"bytes":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
LUA
    } > "$DIR/$name.lua"
}
lua small  /v1/activations/gelu/forward     application/json         small.json
lua binary /v1/activations/gelu/gradient    application/octet-stream x1m.f32 "Accept=application/octet-stream"
lua json   /v1/activations/silu/forward     application/json         medium.json
lua gzip   /v1/activations/silu/forward     application/json         medium.json "Accept-Encoding=gzip"
lua oip    /v2/models/golu/infer            application/json         infer.json

# --- server -----------------------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
HOST=127.0.0.1 PORT=$PORT LOG_LEVEL=${SOAK_LOG_LEVEL:-warning} "$BIN" > "$DIR/server.log" 2>&1 &
SERVER=$!
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    kill -TERM "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 200); do curl -sf "$URL/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$URL/readyz" >/dev/null || { echo "server did not start:"; cat "$DIR/server.log"; exit 1; }

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0; }
echo "seconds,rss_kb" > "$DIR/rss.csv"
start=$(date +%s)
( while kill -0 "$SERVER" 2>/dev/null; do echo "$(( $(date +%s) - start )),$(rss)" >> "$DIR/rss.csv"; sleep "$SAMPLE"; done ) &
pids+=($!)

# Training jobs: submit one every JOB_INTERVAL seconds; record each HTTP status.
: > "$DIR/jobs.txt"
(
    while [ $(( $(date +%s) - start )) -lt "$DURATION" ]; do
        curl -s -o /dev/null -w '%{http_code}\n' -m 10 -H 'Content-Type: application/json' \
            --data-binary "@$DIR/job.json" "$URL/v1/jobs" >> "$DIR/jobs.txt" || echo "000" >> "$DIR/jobs.txt"
        sleep "$JOB_INTERVAL"
    done
) &
pids+=($!)

echo "soak: $BIN on $URL for ${DURATION}s (warm-up ${WARMUP}s), $(nproc) cores; output in $DIR/"
wrk_pids=()
run() {  # class connections
    wrk -t1 -c"$2" -d"${DURATION}s" --timeout 10s -s "$DIR/$1.lua" "$URL" > "$DIR/$1.out" 2>&1 &
    wrk_pids+=($!)
}
run small  "${SOAK_CONN_SMALL:-4}"
run binary "${SOAK_CONN_BINARY:-1}"
run json   "${SOAK_CONN_JSON:-2}"
run gzip   "${SOAK_CONN_GZIP:-2}"
run oip    "${SOAK_CONN_OIP:-2}"
pids+=("${wrk_pids[@]}")
for p in "${wrk_pids[@]}"; do wait "$p" || true; done
end_rss=$(rss)
echo "$(( $(date +%s) - start )),$end_rss" >> "$DIR/rss.csv"

# Jobs finished? List them and count by status once the submitter stopped.
sleep 1
alive=1; kill -0 "$SERVER" 2>/dev/null || alive=0
job_states=$(curl -s -m 10 "$URL/v1/jobs" | python3 -c 'import sys, json, collections
try: print(dict(collections.Counter(j["status"] for j in json.load(sys.stdin)["jobs"])))
except Exception as e: print("unavailable:", e)')
kill -TERM "$SERVER" 2>/dev/null || true
server_exit=0; wait "$SERVER" || server_exit=$?
trap - EXIT
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done

# --- report -----------------------------------------------------------------------------------
python3 - "$DIR" "$DURATION" "$WARMUP" "$MAX_GROWTH" "$alive" "$server_exit" "$job_states" <<'PY'
import csv, json, sys
d, duration, warmup, max_growth, alive, server_exit, job_states = sys.argv[1:]
duration, warmup, max_growth = int(duration), int(warmup), float(max_growth)
failures = []
print(f"{'class':8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'non-2xx':>7} {'sock err':>8}")
for name in ["small", "binary", "json", "gzip", "oip"]:
    lines = [l for l in open(f"{d}/{name}.out") if l.startswith("{")]
    if not lines:
        failures.append(f"{name}: wrk printed no summary: {open(f'{d}/{name}.out').read()[-500:]}")
        continue
    r = json.loads(lines[-1])
    sock = r["connect"] + r["read"] + r["write"] + r["timeout"]
    print(f"{name:8} {r['requests']:9d} {r['requests'] / r['seconds']:8.1f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
          f"{r['max_ms']:8.1f} {r['non2xx']:7d} {sock:8d}")
    if r["requests"] == 0: failures.append(f"{name}: no requests completed")
    if r["non2xx"]: failures.append(f"{name}: {r['non2xx']} non-2xx responses")
    if sock: failures.append(f"{name}: {sock} socket errors")
codes = [l.strip() for l in open(f"{d}/jobs.txt") if l.strip()]
bad = [c for c in codes if not c.startswith("2")]
print(f"jobs     {len(codes)} submitted, {len(bad)} non-2xx; final states {job_states}")
if bad: failures.append(f"jobs: {len(bad)} submissions failed: {sorted(set(bad))}")
rows = [(int(s), int(k)) for s, k in csv.reader(open(f"{d}/rss.csv")) if s.isdigit() and int(k) > 0]
if rows:
    first = rows[0][1]
    after = next((k for s, k in rows if s >= warmup), rows[-1][1])
    end, peak = rows[-1][1], max(k for _, k in rows)
    growth = 100.0 * (end - after) / after
    print(f"RSS MiB: start {first / 1024:.1f}, after warm-up ({warmup}s) {after / 1024:.1f}, end {end / 1024:.1f}, "
          f"max {peak / 1024:.1f}; growth after warm-up {growth:+.1f}% (limit {max_growth:.0f}%)")
    if growth > max_growth: failures.append(f"RSS grew {growth:.1f}% after warm-up")
else:
    failures.append("no RSS samples")
if alive != "1": failures.append("the server died during the run")
if server_exit != "0": failures.append(f"the server exited with {server_exit} on SIGTERM")
if failures:
    print("SOAK FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("soak passed")
PY
