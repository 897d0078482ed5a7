// Command fastjwt signs, verifies and inspects HS256 JSON Web Tokens from the command line, with
// the same strict codec the library uses (package github.com/fastjwt/session/fastjwt).
//
// Usage:
//
//	fastjwt verify [flags]    tokens on stdin, one per line ('\n' ends a line; nothing else is stripped)
//	  --key-file PATH         secret = the file's exact bytes   (or --key TEXT: the UTF-8 text)
//	  --kid ID                the key's id (optional)
//	  --now UNIX              the clock in seconds, may be fractional (default: system clock)
//	  --leeway DURATION       default 0s
//	  --iss ISSUER            expected issuer (checked when given)
//	  --aud AUDIENCE          expected audience (checked when given)
//	  --allow-short-key       accept secrets under 32 bytes
//	  --raw                   stdin is exactly one token, byte for byte, no line splitting
//	prints one line of JSON per token:
//	  {"valid":true,"header":<decoded header JSON>,"payload":<decoded payload JSON>}
//	  {"valid":false,"error":"<ErrName>: <message>"}
//	exit status 0 if every token is valid, 1 if any is not, 2 for usage or I/O errors
//
//	fastjwt sign [--key-file PATH | --key TEXT] [--kid ID] [--allow-short-key]
//	  stdin: one JSON object; stdout: the token and a newline
//	  exit status 1 if the payload is refused (not one JSON object, ...), 2 for usage or I/O errors
//
//	fastjwt inspect           stdin: one token; prints header and payload WITHOUT verifying
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
// A missing key, a secret under 32 bytes without --allow-short-key, and malformed flags are
// usage errors: a message on stderr and exit status 2, before any input is read.
//
// Example:
//
//	$ echo '{"sub":"alice","exp":4102444800}' | fastjwt sign --key-file secret.bin > token
//	$ fastjwt verify --key-file secret.bin < token
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
