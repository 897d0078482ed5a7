#!/usr/bin/env bash
# gateway-load.sh measures what `fastjwt gateway` costs behind nginx: wrk on loopback against
#
#   nginx alone       proxy_pass to an upstream (an nginx server block answering 200 "ok")
#   nginx + gateway   the same, behind the auth_request snippet of docs/gateway.md
#
# with the same connections and duration, each request carrying one of TOKENS distinct valid
# tokens in turn (nginx alone ignores them). It prints requests/s and p50/p99 latency for both
# at full speed, then for both at a fixed rate (RATE): wrk has no rate option (wrk2 has, but is
# not packaged), so its script schedules the requests itself, and the achieved rate is printed
# beside the latencies. Latency is wrk's: from a request's sending to its answer.
#
# Everything it builds and writes goes to a temporary directory, removed at the end; every
# process it starts is stopped. About 4 x DURATION plus a build. Needs nginx, wrk and go.
#
#   DURATION     seconds of each wrk run (default 8)
#   CONNECTIONS  wrk connections (default 32); THREADS wrk threads (default 2)
#   RATE         the fixed offered rate, requests/s (default 2000)
#   TOKENS       distinct tokens (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
RATE=${RATE:-2000}
TOKENS=${TOKENS:-100}

NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
for need in "$NGINX:nginx" "$(command -v wrk || true):wrk"; do
	if [ -z "${need%%:*}" ]; then
		echo "gateway-load.sh: ${need#*:} not found; install it with 'apt-get install ${need#*:}'" >&2
		exit 2
	fi
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in ${pids[@]+"${pids[@]}"}; do
		# bounded: a process still there after 10 s is killed
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# free_port prints a loopback port nobody listens on now, at random below the kernel's range of
# ephemeral ports (where the many client connections of a load test would take it from nginx).
free_port() {
	local p low=32768
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
	for _ in $(seq 50); do
		p=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "gateway-load.sh: no free loopback port found" >&2
	return 1
}

# wait_port PORT: waits (up to 15 s) until something accepts connections on 127.0.0.1:PORT.
wait_port() {
	for _ in $(seq 150); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "gateway-load.sh: nothing listening on 127.0.0.1:$1" >&2
	return 1
}

echo "== building fastjwt" >&2
go build -o "$tmp/fastjwt" ./cmd/fastjwt

export FASTJWT_LOAD_KEY
FASTJWT_LOAD_KEY=$(head -c 32 /dev/urandom | base64)
aud=api.example.com
exp=$(($(date +%s) + 3600))
for i in $(seq "$TOKENS"); do
	printf '{"sub":"user%d","role":"reader","aud":"%s","exp":%d}' "$i" "$aud" "$exp" |
		"$tmp/fastjwt" sign --key-env FASTJWT_LOAD_KEY
done >"$tmp/tokens"

"$tmp/fastjwt" gateway --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --key-env FASTJWT_LOAD_KEY --aud "$aud" \
	--claim-header sub=X-User --claim-header role=X-Role 2>"$tmp/gateway.log" &
pids+=($!)
gw=
for _ in $(seq 150); do
	gw=$(sed -n 's/.*"msg":"listening".*"addr":"\([^"]*\)".*/\1/p' "$tmp/gateway.log" | head -1)
	[ -n "$gw" ] && break
	sleep 0.1
done
if [ -z "$gw" ]; then
	echo "gateway-load.sh: the gateway did not log its address:" >&2
	cat "$tmp/gateway.log" >&2
	exit 1
fi

up=$(free_port)
plain=$(free_port)
auth=$(free_port)
# The documented server block, with the test's addresses in place of the documented ones.
snippet=$(awk '/^<!-- snippet:nginx /{m=1; next} m==1 && /^```/{m=2; next} m==2 && /^```/{exit} m==2' docs/gateway.md)
snippet=${snippet//"listen 80;"/"listen 127.0.0.1:$auth;"}
snippet=${snippet//"127.0.0.1:8401"/"$gw"}
snippet=${snippet//"127.0.0.1:8080"/"127.0.0.1:$up"}
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;

    # the upstream: answers every request itself
    server {
        listen 127.0.0.1:$up;
        location / { return 200 "ok\n"; }
    }
    # nginx alone
    server {
        listen 127.0.0.1:$plain;
        location / { proxy_pass http://127.0.0.1:$up; }
    }
    # nginx + gateway: docs/gateway.md's snippet
$snippet
}
EOF
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
pids+=($!)
wait_port "$up"
wait_port "$plain"
wait_port "$auth"

# wrk's script: each request carries the next token. With RATE_PER_THREAD set, each thread sends
# on a schedule of that many requests/s, whatever the latency: before each request, a connection
# waits for the thread's next slot (wrk's delay(), in whole milliseconds, from a monotonic clock
# read through LuaJIT's FFI). A connection waiting for an answer leaves the next slot to another,
# so CONNECTIONS must cover RATE x latency.
cat >"$tmp/tokens.lua" <<'EOF'
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } fastjwt_timespec;
int clock_gettime(int clk, fastjwt_timespec *ts);
]]
local ts = ffi.new("fastjwt_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local i = math.random(#tokens)
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", "/api/items", { ["Authorization"] = "Bearer " .. tokens[i] })
end

local rate = tonumber(os.getenv("RATE_PER_THREAD") or "")
if rate then
  local interval, slot = 1000 / rate, nil
  delay = function()
    local now = now_ms()
    slot = math.max((slot or now) + interval, now - 1000) -- a late thread catches up within 1 s
    return math.max(0, math.floor(slot - now))
  end
end
EOF

# check PORT: one request must be answered 200 (the gateway accepted the token).
check() {
	local code=none
	if exec 3<>"/dev/tcp/127.0.0.1/$1"; then
		printf 'GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' \
			"$(head -1 "$tmp/tokens")" >&3
		IFS=' ' read -r -t 5 _ code _ <&3 || true
		exec 3<&-
	fi
	if [ "$code" != 200 ]; then
		echo "gateway-load.sh: a request with a valid token got $code on port $1" >&2
		cat "$tmp/gateway.log" "$tmp/nginx/error.log" >&2
		exit 1
	fi
}
check "$plain"
check "$auth"

results=()
# run NAME PORT [RATE]: one wrk run, remembered as a line of the summary.
run() {
	local name=$1 port=$2 rate=${3:-} out rps p50 p99 non2xx per_thread=
	[ -n "$rate" ] && per_thread=$((rate / THREADS))
	echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency${rate:+, $rate req/s scheduled}" >&2
	out=$(TOKENS_FILE="$tmp/tokens" RATE_PER_THREAD=$per_thread wrk -t"$THREADS" -c"$CONNECTIONS" \
		-d"${DURATION}s" --latency -s "$tmp/tokens.lua" "http://127.0.0.1:$port/")
	echo "$out" >&2
	rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
	p50=$(awk '$1=="50%"{print $2}' <<<"$out")
	p99=$(awk '$1=="99%"{print $2}' <<<"$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/{print $NF}' <<<"$out")
	results+=("$(printf '%-36s %11s %9s %9s %8s' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}")")
}

run "nginx alone, full speed" "$plain"
run "nginx + gateway, full speed" "$auth"
run "nginx alone, $RATE req/s scheduled" "$plain" "$RATE"
run "nginx + gateway, $RATE req/s scheduled" "$auth" "$RATE"

echo
echo "gateway-load.sh: $(nproc) CPUs, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $TOKENS distinct HS256 tokens, nginx $("$NGINX" -v 2>&1 | sed 's|.*/||')"
printf '%-36s %11s %9s %9s %8s\n' "" "requests/s" "p50" "p99" "non-2xx"
printf '%s\n' "${results[@]}"
