#!/usr/bin/env bash
# HTTP benchmark, side by side on one machine: the service, a FastAPI + numpy + orjson peer
# (uvicorn) and a bare libmicrohttpd C server (the upper bound), driven by wrk with the same
# JSON bodies. Prints req/s and the ratios to the peer and the bare server (docs/PERFORMANCE.md).
#
#   scripts/bench-http.sh                 # DURATION=10 CONNECTIONS=64 WRK_THREADS=2
#   DURATION=5 SKIP_PEER=1 scripts/bench-http.sh
#   ONLY=memory MEMORY_RUNS=3 scripts/bench-http.sh   # just the peak-memory rows (no wrk)
# The service runs at its default LOG_LEVEL=info (one log line per request, to a file);
# SERVICE_LOG_LEVEL=warning measures it without the request log.
# Needs: wrk, cc, pkg-config libmicrohttpd, and for the peer fastapi uvicorn orjson numpy scipy
# (`make bench-deps`; `make bench-http` puts .venv first on PATH). The service binary must be built
# (make release); ACTIVATION_SERVICE_BIN overrides its path.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${ACTIVATION_SERVICE_BIN:-.build/release/activation-service}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
PEER_WORKERS=${PEER_WORKERS:-2}
SKIP_PEER=${SKIP_PEER:-0}
SKIP_BARE=${SKIP_BARE:-0}
ONLY=${ONLY:-}            # e.g. ONLY=8 or ONLY="8 1000"; ONLY=memory: the memory rows alone
MEMORY_RUNS=${MEMORY_RUNS:-1}
[ -x "$BIN" ] || { echo "bench-http: $BIN is not built (make release)" >&2; exit 1; }
[ "$ONLY" = memory ] || command -v wrk >/dev/null || { echo "bench-http: wrk is missing (scripts/install-deps.sh --bench)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url
    for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "bench-http: $1 did not come up" >&2; return 1
}

# Bodies: gelu forward, x ~ N(0, 9) printed shortest (as a client would send them).
python3 - "$WORK" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(1)
for n in (8, 1000, 100000):
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    with open(f"{d}/body{n}.json", "w") as f:
        f.write('{"x":[' + ",".join(str(v) for v in x) + "]}")  # shortest float32 text, as numpy prints float32
x = (rng.standard_normal(1 << 20) * 3).astype(np.float32)
x.tofile(f"{d}/body1m.f32")
np.save(f"{d}/body1m.npy", x)
# Open Inference Protocol: JSON header + FP32 binary tail, y asked for as binary data.
h = ('{"inputs":[{"name":"x","shape":[%d],"datatype":"FP32","parameters":{"binary_data_size":%d}}],'
     '"outputs":[{"name":"y","parameters":{"binary_data":true}}]}' % (x.size, x.size * 4)).encode()
open(f"{d}/oip1m.bin", "wb").write(h + x.tobytes())
open(f"{d}/oip1m.hlen", "w").write(str(len(h)))
PY

# Peak memory of one request: a fresh service each time, VmHWM after the request minus VmRSS
# before, against the request body's size.
memory_rows() {
    for spec in "body1m.f32 application/octet-stream relu" "body1m.npy application/x-npy gelu" "body100000.json application/json gelu" \
                "oip1m.bin application/octet-stream gelu"; do
        set -- $spec
        for _ in $(seq 1 "$MEMORY_RUNS"); do
            local port mp base hwm payload url extra=()
            port=$(free_port)
            HOST=127.0.0.1 PORT=$port LOG_LEVEL=warning "$BIN" >/dev/null 2>&1 &
            mp=$!
            wait_up "http://127.0.0.1:$port/readyz"
            url="http://127.0.0.1:$port/v1/activations/$3/forward"
            if [ "$1" = oip1m.bin ]; then
                url="http://127.0.0.1:$port/v2/models/$3/infer"
                extra=(-H "Inference-Header-Content-Length: $(cat "$WORK/oip1m.hlen")")
            fi
            base=$(awk '/VmRSS/ {print $2}' /proc/$mp/status)
            curl -s -o /dev/null -H "Content-Type: $2" "${extra[@]}" --data-binary "@$WORK/$1" "$url"
            hwm=$(awk '/VmHWM/ {print $2}' /proc/$mp/status)
            payload=$(stat -c %s "$WORK/$1")
            kill $mp; wait $mp 2>/dev/null || true
            printf "%-28s payload %6d kB, peak RSS above idle %6d kB = %s x payload (target <= 3)\n" "memory $1 $3" \
                $((payload / 1024)) $((hwm - base)) "$(awk -v a=$((hwm - base)) -v b=$((payload / 1024)) 'BEGIN {printf "%.2f", a / b}')"
        done
    done
}
if [ "$ONLY" = memory ]; then
    memory_rows
    exit 0
fi

cat > "$WORK/post.lua" <<'EOF_LUA'
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CTYPE") or "application/json"
local ae = os.getenv("ACCEPT_ENCODING")
if ae and ae ~= "" then wrk.headers["Accept-Encoding"] = ae end
function response(status, headers, body)
    if status ~= 200 then io.stderr:write("non-200: " .. status .. "\n") end
end
EOF_LUA

# CPU time (user + system, clock ticks) a process has used so far, all threads.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# rate URL BODY [CTYPE] [ACCEPT_ENCODING] [CONNECTIONS] [PID] -> prints req/s; with PID also
# writes that process's CPU microseconds per request (user + system, /proc) to $WORK/cpu.
rate() {
    local url=$1 body=$2 ctype=${3:-application/json} ae=${4:-} conns=${5:-$CONNECTIONS} pid=${6:-}
    local t0=0
    [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
    BODY=$body CTYPE=$ctype ACCEPT_ENCODING=$ae wrk -t"$WRK_THREADS" -c"$conns" -d"${DURATION}s" --latency \
        -s "$WORK/post.lua" "$url" >"$WORK/wrk.out" 2>"$WORK/wrk.err" || true
    if [ -n "$pid" ]; then
        awk -v t0="$t0" -v t1="$(cpu_ticks "$pid")" -v hz="$(getconf CLK_TCK)" '/ requests in / {
            if ($1 > 0) printf "%.1f", (t1 - t0) * 1e6 / hz / $1; else printf "-" }' "$WORK/wrk.out" >"$WORK/cpu"
    fi
    if grep -q "non-200" "$WORK/wrk.err"; then echo "bench-http: non-200 answers from $url" >&2; head -3 "$WORK/wrk.err" >&2; fi
    awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out"
}

SVC_PORT=$(free_port)
HOST=127.0.0.1 PORT=$SVC_PORT LOG_LEVEL=${SERVICE_LOG_LEVEL:-info} "$BIN" >"$WORK/svc.log" 2>&1 &
SVC_PID=$!
PIDS+=($SVC_PID)
SVC="http://127.0.0.1:$SVC_PORT"
wait_up "$SVC/readyz"
ROUTE=/v1/activations/gelu/forward

PEER=""
if [ "$SKIP_PEER" != 1 ]; then
    if python3 -c 'import fastapi, uvicorn, orjson, numpy, scipy' 2>/dev/null; then
        PEER_PORT=$(free_port)
        python3 -m uvicorn --app-dir Benchmarks fastapi_peer:app --host 127.0.0.1 --port "$PEER_PORT" \
            --workers "$PEER_WORKERS" --log-level warning --no-access-log $(python3 -c "import uvloop, httptools" 2>/dev/null && echo "--loop uvloop --http httptools") >"$WORK/peer.log" 2>&1 &
        PIDS+=($!)
        PEER="http://127.0.0.1:$PEER_PORT"
        wait_up "$PEER/docs"
    else
        echo "bench-http: FastAPI peer skipped (make bench-deps installs fastapi uvicorn orjson into .venv)" >&2
    fi
fi

echo "bench-http: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s, gelu forward; $(nproc) cores shared by wrk and the server"
echo "(req/s; svc us/req and bare us/req: server CPU, user + system, per request)"
printf "%-26s %12s %12s %12s %10s %10s %11s %11s\n" "payload" "service" "fastapi" "bare-mhd" "svc/peer" "svc/bare" "svc us/req" "bare us/req"
for n in ${ONLY:-8 1000 100000}; do
    body="$WORK/body$n.json"
    # The bare server answers with as many bytes as the service does for this body.
    size=$(curl -s -o "$WORK/answer.json" -w '%{size_download}' -H 'Content-Type: application/json' --data-binary "@$body" "$SVC$ROUTE")
    conns=$CONNECTIONS
    [ "$n" -ge 100000 ] && conns=${BIG_CONNECTIONS:-8}
    svc=$(rate "$SVC$ROUTE" "$body" application/json "" "$conns" "$SVC_PID")
    svc_cpu=$(cat "$WORK/cpu")
    peer="-"
    [ -n "$PEER" ] && peer=$(rate "$PEER$ROUTE" "$body" application/json "" "$conns")
    bare="-"
    bare_cpu="-"
    if [ "$SKIP_BARE" != 1 ]; then
        [ -x "$WORK/bare_mhd" ] || cc -O2 -o "$WORK/bare_mhd" Benchmarks/bare_mhd.c $(pkg-config --cflags --libs libmicrohttpd)
        BARE_PORT=$(free_port)
        "$WORK/bare_mhd" "$BARE_PORT" "$size" &
        bp=$!
        wait_up "http://127.0.0.1:$BARE_PORT/" || true
        bare=$(rate "http://127.0.0.1:$BARE_PORT$ROUTE" "$body" application/json "" "$conns" "$bp")
        bare_cpu=$(cat "$WORK/cpu")
        kill "$bp"; wait "$bp" 2>/dev/null || true
    fi
    ratio() { if [ "$2" != "-" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; else echo "-"; fi; }
    printf "%-26s %12s %12s %12s %10s %10s %11s %11s\n" "$n floats JSON (${size} B out)" "$svc" "$peer" "$bare" "$(ratio "$svc" "$peer")" "$(ratio "$svc" "$bare")" "$svc_cpu" "$bare_cpu"
done

if [ -z "$ONLY" ]; then
    # gzip: the same 100k answer compressed (level 1 by default) against identity.
    body="$WORK/body100000.json"
    id=$(rate "$SVC$ROUTE" "$body" application/json "" "${BIG_CONNECTIONS:-8}")
    gz=$(rate "$SVC$ROUTE" "$body" application/json "gzip" "${BIG_CONNECTIONS:-8}")
    printf "%-26s %12s %12s %23s\n" "100k JSON identity/gzip" "$id" "$gz" "cost $(awk -v a="$id" -v b="$gz" 'BEGIN {printf "%.2f", a / b}')x (target <= 1.5)"
    # Binary: 1M float32 in, 1M float32 out; relu shows the pipeline (copies) alone, gelu adds
    # the exact-GELU kernel.
    for act in relu gelu; do
        b=$(rate "$SVC/v1/activations/$act/forward" "$WORK/body1m.f32" application/octet-stream "" 4)
        printf "%-26s %12s req/s  = %s GB/s of payload each way\n" "1M float32 $act octet" "$b" "$(awk -v r="$b" 'BEGIN {printf "%.2f", r * 4194304 / 1e9}')"
    done
fi

if [ -z "$ONLY" ]; then
    memory_rows
fi
