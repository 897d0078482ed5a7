// Command fastjwt signs, verifies and inspects JSON Web Tokens from the command line (HS256 with
// a secret; RS256, PS256, ES256 and EdDSA with a public or private key), with the same strict
// codec the library uses (package github.com/fastjwt/session/fastjwt), prints the public
// JWK Set of a key, and serves token verification for a proxy (fastjwt gateway).
//
// Usage:
//
//	fastjwt verify [flags] < tokens    tokens on stdin, one per line ('\n' ends a line; nothing else is stripped)
//	  --now UNIX              the clock in seconds, may be fractional (default: system clock)
//	  --leeway DURATION       allowed clock skew, e.g. 30s (default 0s)
//	  --iss ISSUER            expected issuer (checked when given); repeated: any of them
//	  --aud AUDIENCE          expected audience (checked when given); repeated: any of them
//	  --types LIST            accepted "typ" values: none, JWT, at+jwt, session+jwt (default: any),
//	                          checked before the audience, as the gateway does (ErrPurpose)
//	  --require-claim NAME    the top-level claim must be present, any value (ErrMissingClaim);
//	                          repeatable
//	  --sub SUBJECT           the "sub" must be present and equal SUBJECT (ErrSubject)
//	  --max-auth-age D        refuse a token whose "auth_time" (or "iat") is D old, whatever the
//	                          leeway, or that has neither (ErrAuthAge), as the gateway does
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
//	fastjwt jwks --key-file PATH [--alg ALG] [--kid ID]
//	                                  prints the public JWK Set of the key in PATH (a PEM private or
//	                                  public key or certificate, a JWK or a JWK Set): what an issuer
//	                                  serves at /.well-known/jwks.json; exit status 0, 2 for errors
//
//	fastjwt recover --redis HOST:PORT --max-age DURATION [--redis-prefix PREFIX] [--redis-password-env NAME]
//	                                  after the revocation list's Redis lost its data: revokes every
//	                                  token issued before now, until now + DURATION, and re-arms the
//	                                  list (package redisstore, List.Recover); exit status 0, 2 for errors
//
//	fastjwt keygen [--alg ALG] [--out PATH] [--bits N]
//	                                  a new HS256 secret (base64 text of 32 random bytes) or, for
//	                                  RS256, PS256, ES256 and EdDSA, a PKCS #8 PEM private key (with
//	                                  --out, its public key in PATH.pub); never overwrites a file
//
//	fastjwt --version                 the command's module version, the library's, Go's, the commit
//
//	fastjwt inspect < token           stdin: one token; prints header and payload WITHOUT verifying
//
//	fastjwt gateway [flags]           serves token verification (package gateway) for nginx
//	                                  auth_request, Caddy forward_auth, Traefik forwardAuth and
//	                                  Envoy ext_authz, or in front of an upstream (--upstream)
//
//	fastjwt help [command]            the usage, or one command's flags (also: --help, -h,
//	                                  fastjwt <command> --help); exit status 0
//
// The algorithm of sign and verify is --alg ALG: HS256 (the default) with a secret, or RS256,
// PS256, ES256 or EdDSA with a key from --key-file PATH: for sign a PEM private key (PKCS #1,
// PKCS #8, SEC 1) or a private JWK; for verify a PEM public key (SubjectPublicKeyInfo, PKCS #1),
// a certificate, a JWK or a JWK Set. --alg is required with a PEM key, which does not say which
// algorithm it is for, and it is never taken from a token: a token whose "alg" is another is
// refused (ErrAlgorithm). A JWK's algorithm is its "alg", or the one its key type implies (RSA:
// RS256, EC P-256: ES256, OKP Ed25519: EdDSA); --alg must agree with it, and chooses PS256 for an
// RSA JWK without "alg". --kid gives a PEM key its ID, must match a JWK's "kid", and picks one key
// of a JWK Set. verify also takes
//
//	--jwks PATH         a JWK Set: each token is checked against the key its "kid" names, with that
//	                    key's algorithm ("alg", or the one its type implies); keys for encryption
//	                    or of other algorithms in the set are skipped
//	--jwks URL          the same, fetched once from an http:// or https:// URL before any token is
//	                    read, with the bounds of package fastjwt/jwks: at most 1 MiB, 3 redirects
//	                    and never from https to http; a symmetric key refuses the set
//	--issuer-url URL    the keys of the OpenID Connect issuer at URL: its configuration document
//	                    (URL/.well-known/openid-configuration), whose "issuer" must be URL exactly,
//	                    names the JWK Set (its jwks_uri, https when URL is), fetched once as for
//	                    --jwks URL; tokens must carry "iss" URL unless --iss names another
//	--jwks-timeout D    with --jwks URL or --issuer-url: the longest a fetch may take (default 5s)
//
// The policy flags (--types, --require-claim, --sub, --max-auth-age, several --iss or --aud) are
// checked by package bearer, as the gateway checks a route: one codec for each pair of --iss and
// --aud, the token accepted when one pair accepts it; the purpose (--types) before any audience
// rule, then the age of the authentication, the required claims, and the subject. A refused token's error is the first that is not about
// the issuer or the audience, or else the first pair's.
//
// The secret of HS256 is exactly one of:
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
// A PEM key or JWK given without --alg is taken for an HS256 secret, and refused as such
// (asymmetric key material is never an HMAC secret), with a message that says to give --alg.
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
// A missing key, a secret under 32 bytes without --allow-short-key, a key that does not fit --alg
// (an RSA key under 2048 bits, an EC key not on P-256), unknown flags and malformed
// values are usage errors, reported before any input is read: one line on stderr that names the
// flag and says what is wrong (`--leeway: "banana" is not a duration (e.g. 30s, 2m)`), and exit
// status 2. Help (--help, -h, help) goes to stdout with exit status 0.
//
// # The gateway
//
// fastjwt gateway answers, on one listener (--listen ADDR, default 127.0.0.1:8401; port 0 picks
// a free one): /auth (nginx auth_request, Caddy forward_auth, Traefik forwardAuth; the route is
// chosen by X-Forwarded-Uri or X-Original-URI) and /ext-authz/<path> (Envoy's HTTP ext_authz);
// with --upstream URL it verifies every request and proxies it to URL. A second listener
// (--admin-listen ADDR, default 127.0.0.1:8402, "off" for none) answers /healthz, /readyz (keys
// loaded and JWK Sets fresh, Redis reachable with its data) and /metrics (Prometheus). --read-header-timeout,
// --body-timeout, --idle-timeout and --max-conns bound slow and idle clients on both.
//
// Its keys and policy come either from the flags, which make one issuer and the route "/":
//
//	--alg, --key-file, --key-file-raw, --key-env, --key, --kid, --allow-short-key, --jwks PATH|URL,
//	--issuer-url URL, --jwks-timeout
//	                    the keys, as for verify; a JWK Set at a URL is fetched at start and kept
//	                    fresh (package fastjwt/jwks: refreshed as its max-age says, refetched for
//	                    an unknown kid)
//	--iss ISSUER --aud AUDIENCE --leeway DURATION --types LIST
//	                    the claims and token types required
//	--claim-header CLAIM=HEADER   repeatable: the claim, sent in the header on success
//	--cookie NAME       the token may also come from this cookie
//
// or from --config FILE, never both (with --config those flags are refused). The other flags
// apply either way: --listen, --upstream URL, --redis HOST:PORT (the revocation list of package
// redisstore; requests get 503 when it cannot answer, or pass with --fail-open; a Redis that
// lost its data answers 503 until 'fastjwt recover --redis HOST:PORT --max-age DURATION'; an
// evicting maxmemory-policy is refused at start unless --redis-allow-evicting),
// --redis-password-env NAME, --max-cache-age DURATION (default 60s), --drain-timeout DURATION
// (default 10s), --log-level LEVEL (default info).
//
// The config file holds [issuer NAME] and [route /PREFIX] sections of "key = value" lines:
//
//	# A comment line ('#' or ';'); never a comment after a value.
//	# NAME: letters, digits, '.', '_', '-'.
//	[issuer corp]
//	# Relative to the config file; or key-env = NAME, or jwks = PATH|URL (with alg = ES256...).
//	key-file = corp.key
//	iss = https://corp.example
//	leeway = 30s
//
//	# The path prefix; the longest matching one wins. issuer is required.
//	[route /]
//	issuer = corp
//	claim-header = sub=X-User
//
//	# aud: a token carrying another "aud" is refused (403); types: none, JWT, at+jwt,
//	# session+jwt; name: in logs, metrics and the realm (default: the prefix).
//	[route /partners/]
//	issuer = corp
//	aud = partner-api
//	types = at+jwt
//	cookie = token
//	name = partners
//
// An issuer takes alg, key-file, key-file-raw, key-env, jwks, jwks-timeout, kid and
// allow-short-key (the key flags of the same names; exactly one of key-file, key-env and jwks;
// never a secret in the file itself), iss and leeway. A route takes issuer, aud, types,
// claim-header, cookie and name. Everything is checked before anything is served, and each
// mistake is reported with its line, e.g.
//
//	gateway.conf:7: unknown key "ky-env" in issuer "corp"; known: alg, key-file, ...
//
// for unknown or repeated keys and sections, missing keys, a route naming an unknown issuer, an
// issuer no route uses, bad durations and names, a claim header that is hop-by-hop
// (Connection, Transfer-Encoding...), carries credentials (Authorization, Cookie) or routes
// the request (Host, X-Forwarded-*, X-Original-URI, x-envoy-*), and keys that cannot be read.
//
// Logs are JSON lines (log/slog) on stderr; at start one says
// {"level":"INFO","msg":"listening","addr":"127.0.0.1:PORT",...} with the real address. No token
// and no secret is logged. SIGHUP reads the keys and the config file again and swaps the new
// configuration in without dropping a connection; when anything is wrong with it, the error is
// logged and the one in use is kept (--listen, --upstream and --redis are not reloaded). SIGTERM
// or SIGINT drains the requests under way and exits 0; exit status 1 means the server failed or
// did not drain within --drain-timeout, 2 that it did not start.
//
// Example:
//
//	$ head -c 32 /dev/urandom | base64 > key
//	$ echo '{"sub":"alice","exp":4102444800}' | fastjwt sign --key-file key > token
//	$ fastjwt verify --key-file key < token
//	{"valid":true,"header":{"alg":"HS256","typ":"JWT"},"payload":{"sub":"alice","exp":4102444800}}
//	$ fastjwt sign --alg ES256 --key-file ec-private.pem --kid 2026-01 < claims.json > token
//	$ fastjwt jwks --alg ES256 --key-file ec-private.pem --kid 2026-01 > jwks.json
//	$ fastjwt verify --jwks jwks.json < token
//	{"valid":true,"header":{"alg":"ES256","kid":"2026-01","typ":"JWT"},"payload":{...}}
//	$ fastjwt verify --jwks https://issuer.example/.well-known/jwks.json < token
//	{"valid":true,"header":{"alg":"ES256","kid":"2026-01","typ":"JWT"},"payload":{...}}
//	$ fastjwt gateway --key-file key --claim-header sub=X-User &
//	{"time":"...","level":"INFO","msg":"listening","addr":"127.0.0.1:8401","mode":"forward-auth",...}
//	$ curl -si -H "Authorization: Bearer $(cat token)" http://127.0.0.1:8401/auth | grep X-User
//	X-User: alice
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
