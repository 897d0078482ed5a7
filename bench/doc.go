// Package bench measures the fastjwt codec and the session middleware against other Go JWT
// libraries and against the cost floor of the standard library's primitives, on one fixed HS256
// workload. It is a separate module so that the peer libraries never enter the library's go.mod.
//
// Everything lives in test files: `go test` runs the performance gate (zero allocations for sign
// and verify, speed as ratios measured in the same process), `go test -bench .` the comparison,
// and report.sh the full table in README.md.
package bench
