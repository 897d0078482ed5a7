// Package jwks publishes and fetches JSON Web Key Sets (RFC 7517 sec. 5), the documents through
// which an issuer of tokens signed with RS256, PS256, ES256 or EdDSA tells the services that
// verify them which public keys to use.
//
// Handler is the issuer's side: the public keys of a ring (fastjwt.Codec.PublicKeys) served at
// /.well-known/jwks.json, each with its "kid" and "alg", with caching headers.
//
// Client is the other side, for federated services and gateways in front of an identity
// provider (Keycloak, Auth0, Cognito, Entra ID, Google): a fastjwt.Verifier that verifies with
// the keys of the set at one URL, fetched when it is built and kept fresh in the background.
// bearer.New takes it as it takes a codec. Fetch gets a set once, for tools.
//
// NewFromIssuer starts from an OpenID Connect issuer's URL instead: it reads the issuer's
// configuration document (the URL plus DiscoveryPath, /.well-known/openid-configuration; OpenID
// Connect Discovery 1.0 sec. 4), requires its "issuer" to equal the configured URL exactly, and
// follows its "jwks_uri", which must be https when the issuer is. The document is fetched as a
// set is, within the same FetchTimeout, size cap and redirect rule, and a failure to read it or
// a document that cannot be used (ErrDiscovery) is a failed fetch, retried as any other. Discover
// reads a document once, for tools. The RFC 8414 document (/.well-known/oauth-authorization-
// server) is not read: the providers this package targets publish the OpenID Connect one.
//
// # Security
//
// Keys come only from the URL the client was built with. A token's header never supplies a key
// or a place to find one: "jku", "x5u", "jwk" and "x5c" are ignored, so a token cannot make the
// client fetch anything from anywhere else (RFC 8725 sec. 3.10). The URL is http or https;
// since the keys are only as trustworthy as the channel that brings them, use https unless the
// network to the server is trusted. Redirects are followed at most MaxRedirects times and never
// from https to http.
//
// The algorithm is bound to each key when a set is loaded: its JWK's "alg", or the one its key
// type implies (RSA: RS256, or PS256 with fastjwt.JWKDefaultAlg; EC P-256: ES256; OKP Ed25519:
// EdDSA). A token's "alg" must equal the algorithm of the key it is verified with; it never
// chooses one, so an RS256 key cannot be made to verify an HS256 MAC keyed with its public
// bytes. A token's "kid" only selects among the set's keys: a kid the set lacks is refused
// (fastjwt.ErrUnknownKey), and at most triggers a refetch from the configured URL, rate-limited
// as below.
//
// A remote set is parsed by fastjwt.ParseJWKSet's rules. A symmetric key ("kty":"oct") in it
// refuses the whole set, as do private members, a malformed key, or two usable keys with one
// kid: a public endpoint that serves a secret (or a private key) has leaked it, and is
// misconfigured or compromised, so the keys next to it are not to be trusted either. Skipping
// it would keep the service running on a document that should alarm someone; refusing keeps the
// last good set in use and reports the fetch to Options.OnError, where monitoring sees it. Keys
// for encryption ("use":"enc") or of algorithms this package does not implement are skipped, so
// that providers that publish them alongside their signing keys work.
//
// # Caching and refresh
//
// The set in use is replaced only by a newer usable one: a fetch that fails (the server down,
// slow, answering 500, sending garbage, too much, a set that the rules above refuse) keeps the
// last good set and is reported to Options.OnError. A document identical to the one in use, or a
// 304 answer to the client's If-None-Match, keeps the codec in use and its cache of verified
// tokens.
//
// The background refresh fetches the set again after the lifetime the last response gave it:
// Cache-Control max-age less Age (no max-age, no-cache or no-store count as the minimum),
// clamped to [Options.MinRefresh, Options.MaxRefresh] (by default 5 minutes to 24 hours). A
// failed fetch is retried after Options.Cooldown, doubling with each failure up to MinRefresh.
//
// A token whose "kid" names no key of the set (fastjwt.ErrUnknownKey; or ErrAlgorithm when the
// new kid comes with an algorithm the set lacks, ErrSignature when keys of the set without an ID
// were tried) may be signed with a key published since the last fetch. The client then fetches
// the set again, but at most once per Options.Cooldown (default 30 seconds) for such tokens, and
// single-flight: every request that meets an unknown kid while a fetch is under way waits for
// that one fetch, so a thousand requests cause one. A request waits at most Options.FetchTimeout
// (default 5 seconds), the bound of a fetch; if the new set verifies its token, it is accepted.
// Between fetches, unknown kids are refused at once with the codec's error (ErrUnknownKey): the
// set in use is the negative cache, and no state is kept per kid, so tokens with random kids cost
// neither memory nor fetches beyond one per cooldown. A token without a kid never causes a
// fetch, and tokens whose kid the set has never wait.
//
// # Expiry
//
// A set is not trusted for ever. Keeping the last good set when fetches fail lets the services
// ride out an outage of the issuer, but it also lets whoever can block the fetch keep a key the
// issuer has withdrawn (a leaked one) usable. So once the last successful fetch (a new set, the
// same document again, or a 304) is more than Options.ExpireAfter ago (default 72 hours, a day
// after Ready starts to report the stale set), every token is refused with an error matching
// ErrSetExpired, at once and whatever its kid, until a fetch succeeds again. It is no verdict
// on the token: package bearer answers it with 503 and Retry-After, not 401. Each refusal asks
// for a fetch (at most one per Cooldown, without waiting for it), so the set is back soon after
// the server is. The background refresh comes at least every ExpireAfter/2, so that a set never
// expires while its server answers.
//
// # Bounds
//
//   - A fetch takes at most Options.FetchTimeout, from the request to the last byte.
//   - A response body is at most Options.MaxResponseSize (default and maximum 1 MiB): one whose
//     Content-Length says more is refused before its body is read, one that sends more is cut at
//     the first byte over. Response headers are capped at 64 KiB by the default HTTP client.
//   - A set holds at most fastjwt.DefaultMaxJWKSetKeys keys (fastjwt.JWKMaxKeys in
//     Options.JWKOptions), RSA keys have 2048 to 4096 bits.
//   - At most one fetch is under way at a time, the background refresh's or a token's; tokens
//     cause at most one per Cooldown.
//   - The client runs one background goroutine, and one per fetch under way; Close stops them.
//
// # Operating it
//
// Ready tells a readiness probe whether a set is loaded and fresh enough (Options.MaxStale, and
// Options.ExpireAfter); Age, Fetches and FailedFetches are for metrics. Options.Clock replaces
// the clock the age of the set is measured with. With Options.Lazy, New returns without keys
// and the first fetch runs in the background.
package jwks
