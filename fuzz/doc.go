// Package fuzz holds the fuzz targets of github.com/fastjwt/session: native `go test -fuzz`
// targets for the fastjwt codec (and the session layer built on it), with seed corpora from the
// published test vectors, and differential checks against github.com/golang-jwt/jwt/v5,
// encoding/json and encoding/base64, and github.com/gorilla/securecookie for the legacy cookie reader.
//
// It is a module of its own so that the reference implementations it compares against never
// enter the library's go.mod. Run every target for a bounded time with run.sh; a plain
// `go test ./...` replays the seeds and the corpora under testdata/fuzz as regression tests.
package fuzz
