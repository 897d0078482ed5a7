#!/usr/bin/env bash
# http-load.sh measures the middleware end to end: wrk on loopback against one small server per
# row (bench/internal/loadserver), each answering "ok" from a handler that reads one value of the
# credential:
#
#   fasthttp bare, + session, + bearer    this project's middleware/fasthttp
#   net/http bare, + session, + bearer    this project's middleware/nethttp
#   net/http + golang-jwt bearer          the check users write with golang-jwt v5
#   net/http + gorilla/sessions           a CookieStore session, one value read
#
# Each server mints its own credential at start (an HS256 token under a random key, or a session
# cookie) and prints it; wrk sends it with every request, as one client's requests carry one
# token, so the codec's verified-token cache applies. A row with any non-2xx answer fails the
# script. The rows run in ROUNDS rounds, each row once per round (so that a burst of load on a
# shared machine hits every row alike); it prints, per row, the median over the rounds of
# requests/s and of wrk's p50 and p99 latency, and each session and bearer row's median
# requests/s as a share of its framework's bare row's.
#
# wrk and the server share the machine's CPUs; nothing is pinned. Everything it builds goes to a
# temporary directory, removed at the end; every server it starts is stopped. About
# ROUNDS x 8 x (DURATION + 1) seconds plus a build. Needs wrk, curl and go.
#
#   DURATION     seconds of each wrk run (default 5)
#   ROUNDS       rounds of every row (default 3)
#   CONNECTIONS  wrk connections (default 32); THREADS wrk threads (default 1)
#   ROWS         the rows to run, a space-separated subset of the names above as loadserver
#                spells them (default: all)
set -euo pipefail
cd "$(dirname "$0")"

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
ROWS=${ROWS:-"fasthttp-bare fasthttp-session fasthttp-bearer nethttp-bare nethttp-session nethttp-bearer nethttp-golang-jwt nethttp-gorilla-sessions"}

if ! command -v wrk >/dev/null; then
	echo "http-load.sh: wrk not found; install it with 'apt-get install wrk'" >&2
	exit 2
fi

tmp=$(mktemp -d)
pid=
stop_server() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	# bounded: a server still there after 5 s is killed
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
}
cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "== building loadserver" >&2
go build -o "$tmp/loadserver" ./internal/loadserver

# Per row, one line per round: requests/s, p50 and p99 in microseconds.
declare -A runs_of
# micros VALUE: wrk's latency ("812.00us", "1.23ms", "2.00s") in microseconds.
micros() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n *= 1; else if (u == "ms") n *= 1000; else if (u == "s") n *= 1e6; else n = -1
		print n
	}'
}
# row KIND: starts the server, checks one request, runs wrk, stops the server.
row() {
	local kind=$1 addr= header= out rps p50 p99 non2xx code
	"$tmp/loadserver" -kind "$kind" >"$tmp/$kind.out" 2>"$tmp/$kind.err" &
	pid=$!
	for _ in $(seq 150); do # up to 15 s
		addr=$(sed -n 's/^listening //p' "$tmp/$kind.out")
		header=$(sed -n 's/^header //p' "$tmp/$kind.out")
		[ -n "$addr" ] && [ -n "$header" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$addr" ] || [ -z "$header" ]; then
		echo "http-load.sh: $kind did not start:" >&2
		cat "$tmp/$kind.err" >&2
		exit 1
	fi
	local hdr=()
	[ "$header" != - ] && hdr=(-H "$header")
	# One request first: the credential must be accepted, and refused without it.
	code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' ${hdr[@]+"${hdr[@]}"} "http://$addr/" || true)
	if [ "$code" != 200 ]; then
		echo "http-load.sh: $kind answered $code to a request with its credential" >&2
		exit 1
	fi
	if [ "$header" != - ]; then
		code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$addr/" || true)
		if [ "$code" != 401 ]; then
			echo "http-load.sh: $kind answered $code to a request without a credential, want 401" >&2
			exit 1
		fi
	fi
	echo "== $kind: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency${hdr[1]:+ -H '${hdr[1]:0:40}...'}" >&2
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency ${hdr[@]+"${hdr[@]}"} "http://$addr/")
	stop_server
	echo "$out" >&2
	rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
	p50=$(awk '$1=="50%"{print $2}' <<<"$out")
	p99=$(awk '$1=="99%"{print $2}' <<<"$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/{print $NF}' <<<"$out")
	if [ -n "$non2xx" ] || grep -q 'Socket errors' <<<"$out"; then
		echo "http-load.sh: $kind: non-2xx answers or socket errors (above)" >&2
		exit 1
	fi
	runs_of[$kind]+="$rps $(micros "$p50") $(micros "$p99")"$'\n'
}

for round in $(seq "$ROUNDS"); do
	for kind in $ROWS; do
		echo "== round $round of $ROUNDS" >&2
		row "$kind"
	done
done

# median COLUMN: the median of a column of the current row's runs.
median() {
	sort -g -k"$1","$1" <<<"${runs_of[$kind]%$'\n'}" | awk -v c="$1" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A rps_of
results=()
for kind in $ROWS; do
	rps=$(median 1)
	rps_of[$kind]=$rps
	bare=${kind%%-*}-bare share=
	if [ "$kind" != "$bare" ] && [ -n "${rps_of[$bare]:-}" ]; then
		share=$(awk -v a="$rps" -v b="${rps_of[$bare]}" 'BEGIN { printf "%.0f%%", 100 * a / b }')
	fi
	results+=("$(printf '%-26s %11.0f %8.0fus %8.0fus %8s' "$kind" "$rps" "$(median 2)" "$(median 3)" "$share")")
done

echo
echo "http-load.sh: $(nproc) CPUs shared by wrk and the server (nothing pinned), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, medians of $ROUNDS round(s), $(go version | awk '{print $3}')"
printf '%-26s %11s %10s %10s %8s\n' "" "requests/s" "p50" "p99" "x bare"
printf '%s\n' "${results[@]}"
