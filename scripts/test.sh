#!/usr/bin/env bash
# Runs every test of the project: formatting and vet, the library's tests (plain, then under the
# race detector), the performance gate, a bounded fuzz pass and the browser test. It is the README's
# test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(. bench fuzz e2e)

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
for m in "${modules[@]}"; do
  [ -f "$m/go.mod" ] || continue
  (cd "$m" && go vet ./...)
done

echo "== library, middleware, CLI and demo tests"
go test -count=1 ./...

# Again under the race detector. Allocation assertions skip themselves there (sync.Pool drops
# objects on purpose under -race), which is why the plain run above comes first.
echo "== the same under the race detector"
go test -race -count=1 ./...

if [ -f bench/go.mod ]; then
  echo "== performance gate"
  (cd bench && go test -count=1 ./...)
fi

if [ -f fuzz/go.mod ]; then
  echo "== fuzz: seed corpora and a bounded run of every target"
  (cd fuzz && ./run.sh)
fi

if [ -f e2e/go.mod ]; then
  echo "== browser test"
  (cd e2e && go test -count=1 ./...)
fi
