// Package keyfile loads HMAC secrets by one rule, shared by every program of this module (the
// fastjwt command and the counter demo today), so that one key file means one secret to all of
// them.
//
// The rule: a key file holds the secret's bytes, except for one line ending at its very end, "\n"
// or "\r\n", which is not part of the secret. Editors, echo and base64 end their output with a
// line ending, and nobody means it as part of a key; every other byte is kept exactly (no other
// whitespace is removed, nothing is decoded). So the file made by
//
//	head -c 32 /dev/urandom | base64 > key
//
// holds a secret of 44 bytes, its base64 text, for every program that reads it. A binary key file
// whose last byte really is part of the secret and happens to be '\n' is read with ReadRaw (the
// command-line flag --key-file-raw); a key kept in an environment variable follows the same rule
// (FromEnv).
//
// The rule only removes; it never decides that a key is good. Length and kind are checked by the
// codec that uses the secret (fastjwt.NewHS256 refuses secrets under 32 bytes, for instance).
package keyfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxSize is the largest key file Read and ReadRaw accept: 64 KiB, far above any secret, and a
// bound on what a mistaken path (a log file, /dev/urandom) makes the program read.
const MaxSize = 64 << 10

// Errors returned, wrapped with the file's path or the variable's name; test with errors.Is.
var (
	// ErrEmpty: no secret is left: an empty file, a file holding only a line ending, an
	// environment variable that is unset or empty.
	ErrEmpty = errors.New("empty key")
	// ErrTooLarge: the file is larger than MaxSize.
	ErrTooLarge = errors.New("key file too large")
)

// Read returns the secret held in the file at path: its bytes without one final "\n" or "\r\n".
// Errors from the file system are returned as they are (errors.Is(err, fs.ErrNotExist) holds for
// a missing file).
func Read(path string) ([]byte, error) {
	b, err := read(path)
	if err != nil {
		return nil, err
	}
	if b = TrimLineEnding(b); len(b) == 0 {
		return nil, fmt.Errorf("%s: %w (only a line ending)", path, ErrEmpty)
	}
	return b, nil
}

// ReadRaw returns the exact bytes of the file at path, a final line ending included: for binary
// key material whose last byte is part of the secret.
func ReadRaw(path string) ([]byte, error) {
	return read(path)
}

// FromEnv returns the secret held in the environment variable name, by the rule of a file: its
// bytes without one final "\n" or "\r\n". A variable that is unset or empty is ErrEmpty, and the
// error names the variable.
func FromEnv(name string) ([]byte, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return nil, fmt.Errorf("environment variable %s is not set: %w", name, ErrEmpty)
	}
	b := TrimLineEnding([]byte(v))
	if len(b) == 0 {
		return nil, fmt.Errorf("environment variable %s is empty: %w", name, ErrEmpty)
	}
	return b, nil
}

// TrimLineEnding returns b without one final "\n" or "\r\n" (a slice of b, not a copy). Only one
// is removed: "key\n\n" gives "key\n".
func TrimLineEnding(b []byte) []byte {
	if b, ok := bytes.CutSuffix(b, []byte("\n")); ok {
		b, _ = bytes.CutSuffix(b, []byte("\r"))
		return b
	}
	return b
}

// read returns the file's bytes, at most MaxSize of them.
func read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	switch {
	case len(b) > MaxSize:
		return nil, fmt.Errorf("%s: %w (over %d bytes: not a key file)", path, ErrTooLarge, MaxSize)
	case len(b) == 0:
		return nil, fmt.Errorf("%s: %w (the file is empty)", path, ErrEmpty)
	}
	return b, nil
}
