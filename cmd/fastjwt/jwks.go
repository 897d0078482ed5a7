package main

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/fastjwt/session/fastjwt"
)

// runJWKS prints the public JWK Set of the key in --key-file.
func runJWKS(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("jwks")
	keyFile := fs.String("key-file", "", "the key: a PEM private or public key or certificate, a JWK or a JWK Set, in\nthe file at `PATH`")
	algName := fs.String("alg", "", "the algorithm `ALG` of the key: RS256, PS256, ES256 or EdDSA; required with a PEM\nkey; with a JWK, it must agree with the JWK's (an RSA JWK without \"alg\" gets it)")
	kid := fs.String("kid", "", "the key's `ID`, its \"kid\" (a JWK's own \"kid\" by default; in a set, the key to print)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	set := setFlags(fs)
	alg, err := parseAlgFlag(set, *algName)
	if err != nil {
		return usageError(stderr, "jwks", "%v", err)
	}
	if alg == fastjwt.HS256 {
		return usageError(stderr, "jwks", "--alg: HS256 keys are secrets: they are never published")
	}
	if !utf8.ValidString(*kid) {
		return usageError(stderr, "jwks", "--kid: not valid UTF-8")
	}
	if !set["key-file"] {
		return usageError(stderr, "jwks", "missing key: give --key-file PATH")
	}
	data, err := readKeyText(*keyFile)
	if err != nil {
		return usageError(stderr, "jwks", "--key-file: %v", err)
	}
	kt := keyText{data, classify(data)}
	if kt.kind == kindSecret {
		return usageError(stderr, "jwks", "--key-file: not a PEM key or certificate, a JWK or a JWK Set (an HS256 secret is never published)")
	}
	keys, err := publicKeys(kt, alg, *kid, set["kid"], "--key-file")
	if err != nil && kt.kind != kindJWKSet && holdsPrivateKey(kt) {
		var priv fastjwt.PrivateKey
		if priv, err = privateKey(kt, alg, *kid, set["kid"], "--key-file"); err == nil {
			keys = []fastjwt.PublicKey{priv.Public()}
		}
	}
	if err != nil {
		return usageError(stderr, "jwks", "%v", err)
	}
	out, err := fastjwt.AppendJWKSet(nil, keys)
	if err != nil {
		return usageError(stderr, "jwks", "--key-file: %v", err)
	}
	if _, err := stdout.Write(append(out, '\n')); err != nil {
		return usageError(stderr, "jwks", "%v", err)
	}
	return exitOK
}

// holdsPrivateKey reports whether a PEM text or a JWK holds a private key.
func holdsPrivateKey(kt keyText) bool {
	if kt.kind == kindPEM {
		return bytes.Contains(kt.data, []byte("PRIVATE KEY-----"))
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(kt.data, &obj) != nil {
		return false
	}
	_, ok := obj["d"]
	return ok
}
