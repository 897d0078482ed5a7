#!/bin/sh
# report.sh runs the whole bench suite (-count 10), summarises it with benchstat and writes the
# table into README.md between the result markers. Takes about 10-15 minutes on 2 cores.
#
# BENCHTIME (default 1s) and COUNT (default 10) override the go test flags; BENCH selects a
# subset (a -bench regexp, default everything). Raw outputs are kept in $OUT (default a new
# temporary directory) for a later benchstat comparison.
set -eu
cd "$(dirname "$0")"

BENCHTIME=${BENCHTIME:-1s}
COUNT=${COUNT:-10}
BENCH=${BENCH:-.}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

BENCHSTAT=$(command -v benchstat || true)
if [ -z "$BENCHSTAT" ]; then
	BENCHSTAT="$(go env GOPATH)/bin/benchstat"
	if [ ! -x "$BENCHSTAT" ]; then
		echo "installing benchstat" >&2
		go install golang.org/x/perf/cmd/benchstat@latest
	fi
fi

echo "go test -bench '$BENCH' -count $COUNT -benchtime $BENCHTIME (raw output in $OUT/raw.txt)" >&2
go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m . |
	tee "$OUT/raw.txt"

"$BENCHSTAT" "$OUT/raw.txt" >"$OUT/stat.txt"
"$BENCHSTAT" -format csv "$OUT/raw.txt" >"$OUT/stat.csv" 2>/dev/null
go run ./internal/benchtable -csv "$OUT/stat.csv" -raw "$OUT/raw.txt" -stat "$OUT/stat.txt" -readme README.md
echo "README.md updated; benchstat summary in $OUT/stat.txt" >&2
