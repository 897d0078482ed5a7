package fastjwt

import (
	"time"
)

// DefaultMaxTokenSize is the size cap of a token when WithMaxTokenSize is not given: 64 KiB.
const DefaultMaxTokenSize = 64 << 10

// MinSecretSize is the shortest secret NewHS256 accepts without AllowShortKeys: 32 bytes, the
// output size of SHA-256 (RFC 7518 sec. 3.2: "a key of the same size as the hash output or larger
// MUST be used").
const MinSecretSize = 32

// An Option configures a Codec at construction.
type Option func(*config)

type config struct {
	leeway     time.Duration
	issuer     string
	hasIssuer  bool
	audience   string
	hasAud     bool
	now        func() time.Time
	maxSize    int
	allowShort bool
	cacheSize  int

	anyAudience     bool // AcceptAnyAudience
	rejectFutureIat bool // RejectFutureIssuedAt
}

// WithLeeway allows for clock skew: exp is accepted until exp+d, nbf from nbf-d (and, with
// RejectFutureIssuedAt, iat up to now+d). Negative durations count as zero.
func WithLeeway(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			d = 0
		}
		c.leeway = d
	}
}

// WithIssuer requires the "iss" claim to equal iss exactly.
func WithIssuer(iss string) Option {
	return func(c *config) { c.issuer, c.hasIssuer = iss, true }
}

// WithAudience requires the "aud" claim (a string, or an array of strings) to contain aud.
// Without WithAudience, a token carrying "aud" is refused (see AcceptAnyAudience).
func WithAudience(aud string) Option {
	return func(c *config) { c.audience, c.hasAud = aud, true }
}

// AcceptAnyAudience lets a codec without WithAudience accept tokens that carry an "aud" claim,
// whatever it says. By default such a codec refuses them with ErrAudience: RFC 7519 sec. 4.1.3
// says a recipient that does not identify itself with a value in a present "aud" MUST reject the
// token, and a recipient configured with no audience identifies itself with none. Give it only
// when the caller checks "aud" itself (Claims.HasAudience), for example against several
// audiences or per route. With WithAudience it has no effect: the audience is checked.
func AcceptAnyAudience() Option {
	return func(c *config) { c.anyAudience = true }
}

// RejectFutureIssuedAt refuses, with ErrNotYetValid, a token whose "iat" claim is after now plus
// the leeway: a token cannot have been issued in the future, so one that says so comes from an
// issuer with a wrong clock or is forged with a long life in mind. Off by default, since RFC 7519
// sec. 4.1.6 gives "iat" no validation rule; "iat" is always type-checked.
func RejectFutureIssuedAt() Option {
	return func(c *config) { c.rejectFutureIat = true }
}

// WithClock replaces time.Now as the source of the current time for exp and nbf checks.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithMaxTokenSize sets the size cap of a token in bytes (default DefaultMaxTokenSize). Longer
// tokens are rejected with ErrTooLarge before any other work. Values under 1 keep the default.
func WithMaxTokenSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxSize = n
		}
	}
}

// AllowShortKeys lets NewHS256 accept secrets shorter than MinSecretSize (but never empty ones),
// for interoperating with existing tokens. Short secrets can be brute-forced offline from one token.
func AllowShortKeys() Option {
	return func(c *config) { c.allowShort = true }
}

// WithVerifyCache sets how many verified tokens the codec remembers (default
// DefaultVerifyCacheSize; rounded up to a multiple of 8, at most 2^22; 0 turns the cache off).
// Size it above the number of clients whose tokens should stay cached: entries are kept in
// buckets of eight chosen by a keyed hash, so with clients presenting their tokens in turn a
// cache of 2.5 times as many entries as clients (the default for 100 000) keeps more than 99% of
// them. A token is admitted when it comes back: its first verify leaves a mark, its second
// stores what it found, and from its third on, presented again byte for byte, it skips the
// signature check (the HMAC, or the RSA, ECDSA or Ed25519 verify) and the JSON scan of its
// payload. Its payload is still decoded into the caller's buffer from the presented token, and
// its exp and nbf (and iat with RejectFutureIssuedAt) are checked against the clock on every
// verify. Tokens longer than MaxCachedTokenSize, and tokens with a time claim more than 8 700
// years from 1970 or with more than nine fractional digits, are not cached. The cache's memory, 64 bytes per entry, is allocated when the codec
// is built. See the security argument in verifycache.go.
func WithVerifyCache(entries int) Option {
	return func(c *config) {
		if entries < 0 {
			entries = 0
		}
		c.cacheSize = entries
	}
}
