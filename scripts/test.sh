#!/usr/bin/env bash
# The project's tests, in two tiers (the README's "Testing" section gives their durations):
#
#   ./scripts/test.sh --quick   the library, the command-line tool (with the gateway), the demo
#                               and the gorilla migration tests: gofmt, go vet, and their tests,
#                               plain and under the race detector
#   ./scripts/test.sh           everything: the quick tier with go vet of every module, then the
#                               performance gate, a bounded fuzz pass, the Redis store's tests,
#                               the browser test, the gateway behind nginx and caddy, and the
#                               two load scripts of bench/ (briefly)
#
# A suite that cannot run on this machine (the browser test without chromium, the Redis tests
# without redis-server, the gateway's without nginx or caddy) is skipped, and says so on a line of its own, "SKIPPED: <suite>: <why and
# how to enable it>", repeated in the summary at the end. Under CI=true nothing may skip: a skip is
# a failure. Every step runs even when an earlier one fails, so that the summary is complete; the
# exit status is 1 if any step failed (or skipped under CI), else 0.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }

tier=full
case "${1:-}" in
"" | --full) ;;
--quick) tier=quick ;;
-h | --help)
	usage
	exit 0
	;;
*)
	echo "test.sh: unknown argument '$1' (use --quick, or nothing for the full tier)" >&2
	exit 2
	;;
esac
if [ $# -gt 1 ]; then
	echo "test.sh: one argument at most" >&2
	exit 2
fi

ci=false
[ "${CI:-}" = "true" ] && ci=true

summary=()  # one line per step, for the end
failures=0
skips=()    # "suite: reason", one per skipped suite
started=$SECONDS

# elapsed prints the seconds since $1 as "1m05s" or "42s".
elapsed() {
	local s=$((SECONDS - $1))
	if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# record NAME STATUS START: remembers a step's result for the summary.
record() {
	summary+=("$(printf '%-8s %-54s %s' "$2" "$1" "$(elapsed "$3")")")
	[ "$2" = FAIL ] && failures=$((failures + 1))
	return 0
}

# step NAME COMMAND...: runs a command as one step of the run.
step() {
	local name=$1 t0=$SECONDS
	shift
	echo "== $name"
	if "$@"; then
		record "$name" PASS "$t0"
	else
		echo "== $name: FAILED"
		record "$name" FAIL "$t0"
	fi
}

# suite NAME DIR [GO TEST ARGS...]: runs the tests of the module in DIR as a suite that may skip
# itself when something it needs is missing. It runs `go test -v`, shows the output without the
# per-test RUN and PASS lines, and reports every skipped test with the reason its t.Skip gave
# (which says how to enable it). Later suites that need a program (Redis, nginx) use it too.
suite() {
	local name=$1 dir=$2 t0=$SECONDS log status
	shift 2
	echo "== $name"
	log=$(mktemp)
	(cd "$dir" && go test -count=1 -v "$@" ./...) 2>&1 | tee "$log" |
		grep --line-buffered -Ev '^[[:space:]]*(=== (RUN|PAUSE|CONT|NAME)|--- PASS:)|^PASS$'
	status=${PIPESTATUS[0]}
	# With -v a test's t.Skip message ("    x_test.go:84: why") comes just before its
	# "--- SKIP: TestX (0.00s)" line (or just after, in older releases of Go): take the message
	# line nearest to the SKIP line within that test's output. Tests skipped for one reason are
	# reported once: "TestX and 11 more: why".
	local reasons
	reasons=$(awk '
		function skipped(test, why) {
			if (!(why in first)) { first[why] = test; order[++n] = why }
			count[why]++
		}
		/^[[:space:]]*=== (RUN|CONT|NAME|PAUSE) / { last = ""; next }
		/^[[:space:]]*--- SKIP: / {
			test = $3
			if (last != "") { skipped(test, last); last = "" } else { want = 1 }
			next
		}
		/^[[:space:]]+[^[:space:]:]+\.go:[0-9]+: / {
			msg = $0
			sub(/^[[:space:]]+[^[:space:]:]+\.go:[0-9]+: /, "", msg)
			if (want) { skipped(test, msg); want = 0 } else { last = msg }
			next
		}
		/^[[:space:]]*--- / { last = ""; if (want) { skipped(test, "(no reason given)"); want = 0 } }
		END {
			if (want) skipped(test, "(no reason given)")
			for (i = 1; i <= n; i++) {
				why = order[i]
				more = count[why] > 1 ? " and " (count[why] - 1) " more" : ""
				print first[why] more ": " why
			}
		}
	' "$log")
	rm -f "$log"
	if [ "$status" -ne 0 ]; then
		echo "== $name: FAILED"
		record "$name" FAIL "$t0"
		return
	fi
	if [ -z "$reasons" ]; then
		record "$name" PASS "$t0"
		return
	fi
	local line
	while IFS= read -r line; do
		echo "SKIPPED: $name: $line"
		skips+=("$name: $line")
	done <<<"$reasons"
	if $ci; then
		echo "== $name: skipped under CI=true, which is a failure: CI must install what it needs (.ci/run)"
		record "$name" FAIL "$t0"
	else
		record "$name" SKIPPED "$t0"
	fi
}

gofmt_check() {
	local files unformatted
	files=$(git ls-files '*.go' 2>/dev/null) || files=$(find . -name '*.go' -not -path './.git/*')
	# shellcheck disable=SC2086 # one file name per word
	unformatted=$(gofmt -l $files)
	if [ -n "$unformatted" ]; then
		echo "gofmt would change:"
		echo "$unformatted"
		return 1
	fi
}

# modules lists the directory of every module of the repository: the library (.) and the modules
# beside it (bench, fuzz, e2e, redisstore...).
modules() {
	find . -name go.mod -not -path './.git/*' -not -path '*/testdata/*' -exec dirname {} \; | sort
}

# vet_modules DIR...: go vet in each module.
vet_modules() {
	local m ok=0
	for m in "$@"; do
		[ -f "$m/go.mod" ] || continue
		(cd "$m" && go vet ./...) || ok=1
	done
	return $ok
}

# load_script runs bench/gateway-load.sh briefly as a step, or reports it SKIPPED (a failure
# under CI=true) when nginx or wrk is missing.
load_script() {
	local name="gateway load script (bench/gateway-load.sh, 2 s per run)" p missing=()
	for p in nginx wrk; do
		command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		step "$name" env DURATION=2 bash bench/gateway-load.sh
		return
	fi
	local why="${missing[*]} not found; install with 'apt-get install ${missing[*]}'"
	echo "== $name"
	echo "SKIPPED: $name: $why"
	skips+=("$name: $why")
	if $ci; then
		record "$name" FAIL "$SECONDS"
	else
		record "$name" SKIPPED "$SECONDS"
	fi
}

# http_load_script runs bench/http-load.sh briefly as a step (every row once, DURATION=2: about 25 s
# with a warm build cache), or reports it SKIPPED (a failure under CI=true) when wrk is missing.
http_load_script() {
	local name="middleware load script (bench/http-load.sh, 2 s per row)"
	if command -v wrk >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
		step "$name" env DURATION=2 ROUNDS=1 bash bench/http-load.sh
		return
	fi
	local why="wrk or curl not found; install with 'apt-get install wrk curl'"
	echo "== $name"
	echo "SKIPPED: $name: $why"
	skips+=("$name: $why")
	if $ci; then
		record "$name" FAIL "$SECONDS"
	else
		record "$name" SKIPPED "$SECONDS"
	fi
}

echo "test.sh: the $tier tier$($ci && echo ', CI=true: nothing may skip')"

step "gofmt" gofmt_check
if [ "$tier" = quick ]; then
	step "go vet (library, CLI, demo, migration tests)" vet_modules . cmd/fastjwt examples/counter migrationtest
else
	# shellcheck disable=SC2046 # one directory per word
	step "go vet (every module)" vet_modules $(modules)
fi
step "library and middleware tests" go test -count=1 ./...
# Again under the race detector. Allocation assertions skip themselves there (sync.Pool drops
# objects on purpose under -race), which is why the plain run above comes first; those skips are
# by design, not a suite that did not run.
step "library and middleware tests, under -race" go test -race -count=1 ./...
# The CLI (with the gateway) and the demo are modules of their own (they can use Redis, the
# library does not); their Redis tests start a redis-server and skip, reported, without one.
suite "command-line tool and gateway (cmd/fastjwt)" cmd/fastjwt
suite "command-line tool and gateway, under -race" cmd/fastjwt -race
suite "counter demo (examples/counter)" examples/counter
suite "counter demo, under -race" examples/counter -race
# Migration from gorilla/sessions, against gorilla itself (its own module: gorilla never enters
# the library's go.mod).
suite "migration from gorilla/sessions (migrationtest)" migrationtest
suite "migration from gorilla/sessions (migrationtest), under -race" migrationtest -race

if [ "$tier" = full ]; then
	[ -f bench/go.mod ] && step "performance gate (bench)" bash -c 'cd bench && go test -count=1 ./...'
	[ -f fuzz/go.mod ] && step "fuzz: seed corpora and a bounded run of every target" bash -c 'cd fuzz && ./run.sh'
	[ -f redisstore/go.mod ] && suite "Redis store (redisstore)" redisstore
	[ -f redisstore/go.mod ] && suite "Redis store under the race detector" redisstore -race
	[ -f e2e/go.mod ] && suite "browser test, gateway behind nginx and caddy (e2e)" e2e
	[ -f examples/frameworks/go.mod ] && suite "framework examples (chi, echo, gin)" examples/frameworks
	# OpenTelemetry's observer: its own module, so that OTel never enters the library's go.mod.
	[ -f otelobserve/go.mod ] && suite "OpenTelemetry observer (otelobserve)" otelobserve
	[ -f otelobserve/go.mod ] && suite "OpenTelemetry observer (otelobserve), under -race" otelobserve -race
	# The README's load figure comes from this script: run it briefly, so that it keeps working.
	load_script
	# bench/README.md's end-to-end middleware figures come from this one: the same, briefly.
	http_load_script
fi

echo
echo "== summary: the $tier tier, $(elapsed "$started")"
printf '%s\n' ${summary[@]+"${summary[@]}"}
for s in ${skips[@]+"${skips[@]}"}; do
	echo "SKIPPED: $s"
done
if [ "$failures" -gt 0 ]; then
	echo "FAILED: $failures step(s)"
	exit 1
fi
if [ ${#skips[@]} -gt 0 ]; then
	echo "passed, but with SKIPPED tests (above): this run did not test everything"
else
	echo "all passed"
fi
