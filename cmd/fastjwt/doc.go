// Command fastjwt signs, verifies and inspects HS256 JSON Web Tokens from the command line, with
// the same strict codec the library uses (package github.com/fastjwt/session/fastjwt).
//
// Usage:
//
//	fastjwt verify [flags] < tokens    tokens on stdin, one per line ('\n' ends a line; nothing else is stripped)
//	  --now UNIX              the clock in seconds, may be fractional (default: system clock)
//	  --leeway DURATION       allowed clock skew, e.g. 30s (default 0s)
//	  --iss ISSUER            expected issuer (checked when given)
//	  --aud AUDIENCE          expected audience (checked when given)
//	  --accept-any-audience   without --aud, accept a token carrying "aud" (by default it is
//	                          refused, RFC 7519 sec. 4.1.3); whoever uses the payload checks aud
//	  --reject-future-iat     refuse a token whose "iat" is after now plus the leeway
//	  --raw                   stdin is exactly one token, byte for byte, no line splitting
//	prints one line of JSON per token:
//	  {"valid":true,"header":<decoded header JSON>,"payload":<decoded payload JSON>}
//	  {"valid":false,"error":"<ErrName>: <message>"}
//	exit status 0 if every token is valid, 1 if any is not, 2 for usage, key or I/O errors
//	(no input at all is a usage error: "no token on standard input")
//
//	fastjwt sign [flags] < payload    stdin: one JSON object; stdout: the token and a newline
//	  exit status 1 if the payload is refused (not one JSON object, ...), 2 for usage or I/O errors
//
//	fastjwt inspect < token           stdin: one token; prints header and payload WITHOUT verifying
//
//	fastjwt help [command]            the usage, or one command's flags (also: --help, -h,
//	                                  fastjwt <command> --help); exit status 0
//
// The key of sign and verify is exactly one of:
//
//	--key-file PATH     the file's bytes, less one final line ending ("\n" or "\r\n")
//	--key-file-raw      with --key-file: every byte, a final line ending included (binary keys)
//	--key-env NAME      the value of the environment variable NAME, by the key-file rule
//	--key TEXT          the text itself (other users may see it in the process list)
//
// with, for both commands:
//
//	--kid ID            the key's id (optional)
//	--allow-short-key   accept a secret under 32 bytes
//
// The key-file rule is the one of package internal/keyfile, shared with the counter demo: a
// final line ending is what editors, echo and base64 add, never part of a key, so the key made by
//
//	head -c 32 /dev/urandom | base64 > key
//
// is its 44 characters of base64 text for every program of the module. Binary key material whose
// last byte is a newline needs --key-file-raw.
//
// Verification reads lines exactly: a line ending in "\r\n" keeps its '\r' and is an invalid
// token, an empty line between tokens is an invalid token, and nothing after the last '\n' means
// no further token. With --raw all of stdin is the token, so a trailing newline makes it invalid.
// The header and payload printed are the token's own JSON with insignificant whitespace removed,
// so that each token gives exactly one line. A line longer than 1 MiB is reported as ErrTooLarge
// without being held in memory.
//
// --now is read exactly, as whole seconds and up to nine fractional digits (never through a
// float): "1700000000.5" is time.Unix(1700000000, 500000000), and a token with exp 1700000000.5
// is valid at --now 1700000000.4999999 and expired at --now 1700000000.5.
//
// A missing key, a secret under 32 bytes without --allow-short-key, unknown flags and malformed
// values are usage errors, reported before any input is read: one line on stderr that names the
// flag and says what is wrong (`--leeway: "banana" is not a duration (e.g. 30s, 2m)`), and exit
// status 2. Help (--help, -h, help) goes to stdout with exit status 0.
//
// Example:
//
//	$ head -c 32 /dev/urandom | base64 > key
//	$ echo '{"sub":"alice","exp":4102444800}' | fastjwt sign --key-file key > token
//	$ fastjwt verify --key-file key < token
//	{"valid":true,"header":{"alg":"HS256","typ":"JWT"},"payload":{"sub":"alice","exp":4102444800}}
//	$ fastjwt inspect < token
//	UNVERIFIED: signature not checked
//	{
//	  "header": {
//	    "alg": "HS256",
//	    "typ": "JWT"
//	  },
//	  "payload": {
//	    "sub": "alice",
//	    "exp": 4102444800
//	  }
//	}
package main
