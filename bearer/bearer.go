package bearer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/jsonint"
	"github.com/fastjwt/session/observe"
	"github.com/fastjwt/session/revoke"
)

// Bearer authenticates requests by bearer token under one Config. It is immutable after New and
// safe for concurrent use.
type Bearer struct {
	verifier fastjwt.Verifier
	cfg      Config
	// revocations is the verdict of Config.Revocations under FailOpen, reporting to OnError.
	revocations revoke.Checker
	types       [fastjwt.TypeOther + 1]bool
	// drop lists every header name Authenticate deletes from each request.
	drop []string
	// claims lists the claim names the walk of the payload looks for (required and forwarded);
	// required and forward index into it.
	claims   []string
	required []int
	forward  []int // forward[i] is the index in claims of cfg.Forward[i].Claim
	authTime int   // the index in claims of "auth_time" when cfg.MaxAuthAge is set
	// challenge401 is the challenge for a request without a token, precomputed.
	challenge401 []byte
	pool         sync.Pool
}

// New returns a Bearer that verifies tokens with v (a *fastjwt.Codec, or any other verifier)
// under cfg. It refuses an inconsistent cfg with an error matching ErrConfig, and so a verifier
// whose leeway (fastjwt.LeewayReporter: a *fastjwt.Codec, a jwks.Client) is longer than the grace
// of cfg.Revocations (revoke.CheckLeeway: a revoked token would be accepted again once its entry
// had expired).
func New(v fastjwt.Verifier, cfg Config) (*Bearer, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: nil verifier", ErrConfig)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := revoke.CheckLeeway(cfg.Revocations, v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	b := &Bearer{verifier: v, cfg: cfg, drop: cfg.forwarded(),
		revocations: revoke.Checker{List: cfg.Revocations, FailOpen: cfg.FailOpen, OnFailOpen: cfg.OnError}}
	for _, t := range cfg.Types {
		b.types[t] = true
	}
	index := func(name string) int {
		if i := slices.Index(b.claims, name); i >= 0 {
			return i
		}
		b.claims = append(b.claims, name)
		return len(b.claims) - 1
	}
	for _, c := range cfg.RequiredClaims {
		b.required = append(b.required, index(c))
	}
	for _, f := range cfg.Forward {
		b.forward = append(b.forward, index(f.Claim))
	}
	if cfg.MaxAuthAge > 0 {
		b.authTime = index("auth_time")
	}
	b.challenge401 = b.appendChallenge(nil, "", "")
	b.pool.New = func() any { return &Token{b: b, found: make([][]byte, len(b.claims))} }
	return b, nil
}

// Acquire returns a pooled Token for one request. Adapters call it, then Authenticate; give the
// Token back with Release after the handler returns.
func (b *Bearer) Acquire() *Token { return b.pool.Get().(*Token) }

// Release returns t to the pool. t must not be used afterwards.
func (b *Bearer) Release(t *Token) {
	if t == nil || t.b != b {
		return
	}
	t.reset()
	b.pool.Put(t)
}

// Authenticate reads the request's token into t and prepares the request for the handler.
// In order: it deletes every client-sent header named in Forward and PayloadHeader, in every
// spelling; finds the token (refusing ambiguous requests); verifies it; checks its purpose
// (Types), before any audience rule, the verifier's own included: a token of another purpose is
// 401 whatever its "aud"; checks Audience and RequiredClaims in one walk of the payload; asks
// Revocations last (revoke.Checker), so that a token refused for a local reason never costs a
// round trip to the list; and sets the forwarded headers.
//
// It returns nil when the handler should run: with a valid t, or with an invalid t in Optional
// mode when the request had no token. Otherwise it returns t's *AuthError, holding the status and
// the WWW-Authenticate challenge to answer with; it is valid until Release. The result is a
// concrete pointer: compare it with nil before storing it in an error variable.
//
// With Config.Observer set, it reports its verdict there once, before it returns.
func (b *Bearer) Authenticate(ctx context.Context, t *Token, r Request) *AuthError {
	if b.cfg.Observer == nil {
		return b.authenticate(ctx, t, r)
	}
	start := time.Now()
	aerr := b.authenticate(ctx, t, r)
	b.observe(start, t, aerr)
	return aerr
}

// observe reports the verdict aerr on t, begun at start, to Config.Observer.
func (b *Bearer) observe(start time.Time, t *Token, aerr *AuthError) {
	e := observe.Event{Kind: observe.KindBearer, Outcome: observe.Accepted, Reason: aerr.Reason().String(),
		Alg: t.Alg(), CacheHit: t.CacheHit(), Start: start, Duration: time.Since(start)}
	switch {
	case aerr != nil:
		e.Outcome = observe.Refused
	case !t.valid: // Optional, and no token
		e.Outcome, e.Reason = observe.Absent, ReasonNoToken.String()
	}
	b.cfg.Observer(e)
}

// authenticate is Authenticate without the Observer.
func (b *Bearer) authenticate(ctx context.Context, t *Token, r Request) *AuthError {
	for _, h := range b.drop {
		r.Del(h)
	}
	tok, err := b.extract(t, r)
	switch {
	case errors.Is(err, ErrAmbiguous):
		return t.fail(400, "invalid_request", "the request carries more than one token", err)
	case err != nil:
		if b.cfg.Optional {
			return nil
		}
		return t.fail(401, "", "", ErrNoToken)
	}
	t.raw = append(t.raw[:0], tok...)
	t.payload, err = b.verifier.AppendVerifyClaims(t.payload[:0], t.raw, &t.claims)
	if err != nil {
		if errors.Is(err, fastjwt.ErrKeysUnavailable) { // the keys are unknown, not the token bad
			return t.fail(503, "", "", err)
		}
		if errors.Is(err, fastjwt.ErrAudience) {
			// The purpose first: a token of another purpose is not an access token at all, so
			// it is 401 whatever its "aud", and 403 insufficient_scope stays for a valid access
			// token that lacks the scope (RFC 6750 sec. 3.1). The verifier keeps the signed
			// header's type through an audience error.
			if !b.accepts(t.claims.Type()) {
				return t.fail(401, "invalid_token", descPurpose, ErrPurpose)
			}
			return t.fail(403, "insufficient_scope", descAudience, err)
		}
		return t.fail(401, "invalid_token", describe(err), err)
	}
	if !b.accepts(t.claims.Type()) {
		return t.fail(401, "invalid_token", descPurpose, ErrPurpose)
	}
	walked := false
	if b.cfg.MaxAuthAge > 0 {
		// A time check, like exp: 401 before any 403.
		t.walk()
		walked = true
		if !b.authRecent(t) {
			return t.fail(401, "invalid_token", describe(ErrAuthAge), ErrAuthAge)
		}
	}
	if b.cfg.Audience != "" && !t.claims.HasAudience(b.cfg.Audience) {
		return t.fail(403, "insufficient_scope", descAudience, fastjwt.ErrAudience)
	}
	if len(b.claims) > 0 {
		if !walked {
			t.walk()
		}
		for _, i := range b.required {
			if t.found[i] == nil {
				return t.fail(403, "insufficient_scope", "the token lacks a required claim", ErrMissingClaim)
			}
		}
	}
	// Last, after every local check: the list may be a round trip to another server.
	switch err := b.revocations.Check(ctx, &t.claims); {
	case errors.Is(err, revoke.ErrRevoked):
		return t.fail(401, "invalid_token", "the token has been revoked", err)
	case err != nil:
		return t.fail(503, "", "", err)
	}
	t.valid = true
	b.setHeaders(t, r)
	return nil
}

// authRecent reports whether t's authentication, "auth_time" or else "iat", is younger than
// Config.MaxAuthAge: now < start + MaxAuthAge, exactly.
func (b *Bearer) authRecent(t *Token) bool {
	var start time.Time
	if raw := t.found[b.authTime]; raw != nil {
		sec, ok := jsonint.Seconds(raw)
		if !ok {
			return false
		}
		start = time.Unix(sec, 0)
	} else if iat, ok := t.claims.IssuedAt(); ok {
		start = iat
	} else {
		return false
	}
	return b.cfg.Now().Before(start.Add(b.cfg.MaxAuthAge))
}

// setHeaders sets the forwarded claims and the payload header of a valid token.
func (b *Bearer) setHeaders(t *Token, r Request) {
	t.buf = t.buf[:0]
	for i, f := range b.cfg.Forward {
		raw := t.found[b.forward[i]]
		if raw == nil {
			continue
		}
		v := raw
		if raw[0] == '"' {
			// A string without escapes is its own decoded value: no copy.
			v = raw[1 : len(raw)-1]
			if bytes.IndexByte(v, '\\') >= 0 {
				start := len(t.buf)
				t.buf, _ = fastjwt.AppendString(t.buf, raw)
				v = t.buf[start:]
			}
		}
		if safeHeaderValue(v) {
			r.Set(f.Header, v)
		}
	}
	if b.cfg.PayloadHeader != "" {
		start := len(t.buf)
		t.buf = base64.RawURLEncoding.AppendEncode(t.buf, t.payload)
		r.Set(b.cfg.PayloadHeader, t.buf[start:])
	}
}

// Fixed error_descriptions of the checks after the verify.
const (
	descPurpose  = "the token is not valid for this purpose"
	descAudience = "the token is not valid for this audience"
)

// describe maps a codec error to a fixed error_description: short, without claim values, and
// free of characters RFC 6750 sec. 3 forbids there.
func describe(err error) string {
	switch codecReason(err) {
	case ReasonExpired:
		return "the token has expired"
	case ReasonNotYetValid:
		return "the token is not valid yet"
	case ReasonBadSignature, ReasonUnknownKey:
		return "the token signature is invalid"
	case ReasonWrongIssuer:
		return "the token issuer is not accepted"
	case ReasonTooLarge:
		return "the token is too large"
	case ReasonBadAlgorithm:
		return "the token algorithm is not accepted"
	}
	return "the token is malformed"
}

// Forwards reports whether b sets request headers for the handler (Config.Forward or
// PayloadHeader). Adapters whose server can add header fields after Authenticate (trailers)
// guard such requests.
func (b *Bearer) Forwards() bool { return len(b.drop) > 0 }
