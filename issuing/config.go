package issuing

import (
	"context"
	"errors"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// Defaults of a Config left zero.
const (
	// DefaultAccessTTL is the lifetime of an access token: 15 minutes, what revocation by "jti"
	// must remember an access token for, and the longest a stolen one is worth.
	DefaultAccessTTL = 15 * time.Minute
	// DefaultAbsoluteLifetime is how long a family of refresh tokens lasts however active: 7
	// days, djangorestframework-jwt's JWT_REFRESH_EXPIRATION_DELTA and the session package's
	// DefaultAbsoluteLifetime (session.DefaultAbsoluteLifetime, which this package cannot import:
	// it sits beside the session package, not above it). Keep the two equal.
	DefaultAbsoluteLifetime = 7 * 24 * time.Hour
	// DefaultGrace is the reuse grace window of a refresh token. Ten seconds cover what makes an
	// honest client present a replaced token: several tabs or parallel requests refreshing at
	// once (milliseconds apart), and a client retrying a refresh whose answer it lost (a mobile
	// network's timeout, a few seconds). Inside the window the retry gets the same successor, so
	// nothing forks and no one is logged out. It is short for a thief: a replayed token is
	// detected as reuse, and ends the family, unless it is presented within ten seconds of the
	// rotation that replaced it; even then the thief holds the legitimate client's own
	// successor, and must win the same race after each of that client's rotations.
	DefaultGrace = 10 * time.Second
	// DefaultMaxBody is the largest request body the endpoints read: 8 KiB, room for a refresh
	// token of a few kilobytes in a form.
	DefaultMaxBody = 8 << 10
)

// Config is the policy of an Issuer.
type Config struct {
	// Codec signs and verifies the access tokens, with every algorithm it has (*fastjwt.Codec).
	// Its verify options (WithIssuer, WithAudience, WithLeeway, WithClock) apply to the tokens
	// presented back: give it the Audience and Issuer below.
	Codec Codec
	// RefreshCodec, if set, signs and verifies the refresh tokens: a key of their own, so that
	// a refresh token fails even the signature wherever only access tokens are verified.
	// Default: Codec. Either way a refresh token has a type of its own (fastjwt.TypeRefresh).
	RefreshCodec Codec
	// Issuer and Audience are the "iss" and "aud" of every token, if set.
	Issuer, Audience string
	// AccessTTL is the lifetime of an access token (default DefaultAccessTTL).
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of a refresh token, cut to its family's End (default
	// AbsoluteLifetime: a refresh token lives until its family ends or it is rotated).
	RefreshTTL time.Duration
	// AbsoluteLifetime is how long a family lasts from its obtain, however often it is
	// refreshed (default DefaultAbsoluteLifetime): OWASP ASVS 10.4.8. The last refresh before
	// it still gives an access token of a full AccessTTL, as djangorestframework-jwt does.
	AbsoluteLifetime time.Duration
	// Grace is the reuse grace window (default DefaultGrace; see there); negative: none.
	Grace time.Duration
	// MaxLive bounds a family's access tokens live at once (default DefaultMaxLive): a client
	// refreshing beyond it is answered 429.
	MaxLive int
	// Families keeps the refresh-token families (NewMemory; package redisstore on Redis).
	Families Families
	// Revocations is where the access tokens of an ended family, and revoked tokens, are
	// listed, and where every presented token is checked (subject epochs: RevokeSubject). The
	// bearer.Bearer that verifies the access tokens must check the same list.
	Revocations revoke.List
	// FailOpen treats a revocation list that cannot answer as "not revoked" when a presented
	// token is checked (verify, refresh); OnFailOpen hears it. Default false: fail closed, 503
	// with Retry-After. A write that fails (a revocation) is always 503.
	FailOpen   bool
	OnFailOpen func(err error)
	// Authenticate checks the credentials of an obtain (see Authenticator). Required.
	Authenticate Authenticator
	// Limit, if set, is asked before Authenticate on every obtain with well-formed parameters:
	// a positive answer refuses it with 429 Too Many Requests and a Retry-After of that long
	// (rounded up to a second). It is the application's rate limiter (per address, per user).
	Limit func(ctx context.Context, remote, username string) (retryAfter time.Duration)
	// MaxBody caps every request body (default DefaultMaxBody). A longer body is answered 413
	// Content Too Large, with an invalid_request error, unread beyond the cap.
	MaxBody int
	// RetryAfter is the Retry-After of a 503 (default 1 second).
	RetryAfter time.Duration
	// Now is the issuer's clock (default time.Now). Give the codecs the same (WithClock).
	Now func() time.Time
}

// Codec signs and verifies tokens: *fastjwt.Codec.
type Codec interface {
	fastjwt.Signer
	fastjwt.Verifier
}

// Authenticator checks the credentials of an obtain and returns the subject the tokens are for,
// and extra claims for its access tokens (which ride in its refresh tokens, so that every
// successor carries them too). The names the issuer writes ("iss", "sub", "aud", "exp", "nbf",
// "iat", "jti", "fid", "ext") are refused as extra claims.
//
// It returns an error matching ErrInvalidGrant for wrong credentials (answered 400
// invalid_grant), ErrInvalidClient when a client authentication it requires failed (401
// invalid_client), and any other error when it cannot answer (503).
//
// The library equalises its own part of an obtain: the parse is the same, and on a refusal it
// signs a pair of tokens of the same shape and throws them away, so the codec's work (the
// dominant cost with RSA) is the same whether the credentials were right or wrong. What it
// cannot equalise is left: the Families.Start of a success (one store round trip), and the
// callback itself. So the callback must cost the same for every answer: compare a password
// hash even for an unknown user (bcrypt against a fixed dummy hash), compare secrets with
// crypto/subtle, never with ==, and never return early on an unknown name.
type Authenticator func(ctx context.Context, c Credentials) (subject string, extra map[string]any, err error)

// Credentials are the parameters of an obtain (RFC 6749 sec. 4.3.2, the password grant), as
// the client sent them, and its address.
type Credentials struct {
	Username, Password string
	// ClientID and ClientSecret are the client_id and client_secret parameters, if any (RFC
	// 6749 sec. 2.3.1), for an Authenticator that authenticates clients.
	ClientID, ClientSecret string
	// Scope is the scope parameter, if any.
	Scope string
	// Remote is the client's address as the adapter reports it.
	Remote string
}

// ErrInvalidGrant: the Authenticator refused the credentials.
var ErrInvalidGrant = errors.New("issuing: invalid credentials")

// ErrInvalidClient: the Authenticator refused the client's authentication.
var ErrInvalidClient = errors.New("issuing: invalid client")

// ErrConfig: a Config that cannot work (no codec, no families, no list, no Authenticator, a
// codec that cannot verify what it signs, a leeway longer than the list's grace).
var ErrConfig = errors.New("issuing: invalid configuration")

// ErrUnavailable: the families or the revocation list could not answer (503).
var ErrUnavailable = errors.New("issuing: the token state cannot be reached")
