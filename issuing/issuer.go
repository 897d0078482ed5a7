package issuing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// Issuer signs access and refresh tokens and answers the four endpoints: Obtain, Refresh,
// Verify and Revoke. It is framework-neutral: package middleware's adapters turn an endpoint
// into a handler of their stack, and only translate. It is safe for concurrent use.
type Issuer struct {
	cfg        Config
	check      revoke.Checker
	grace      time.Duration // the revocation list's: how long a family outlives its End
	retryAfter int
	dummy      pair // what a refused obtain signs, and throws away
}

var errReservedClaim = errors.New("issuing: an extra claim names a claim the issuer writes")

// New returns an Issuer of cfg. It refuses a Config that cannot work with an error matching
// ErrConfig: no Codec, Families, Revocations or Authenticate; a codec that does not verify an
// access token it has just signed (an Issuer or Audience the codec does not check, say); a
// codec whose leeway is longer than the list's grace (revoke.CheckLeeway).
func New(cfg Config) (*Issuer, error) {
	fail := func(format string, args ...any) (*Issuer, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	switch {
	case cfg.Codec == nil:
		return fail("no Codec")
	case cfg.Families == nil:
		return fail("no Families")
	case cfg.Revocations == nil:
		return fail("no Revocations: an ended family's access tokens could not be revoked")
	case cfg.Authenticate == nil:
		return fail("no Authenticate")
	case cfg.AccessTTL < 0 || cfg.RefreshTTL < 0 || cfg.AbsoluteLifetime < 0 || cfg.MaxBody < 0 || cfg.RetryAfter < 0:
		return fail("a negative duration or size")
	}
	if cfg.RefreshCodec == nil {
		cfg.RefreshCodec = cfg.Codec
	}
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.AbsoluteLifetime == 0 {
		cfg.AbsoluteLifetime = DefaultAbsoluteLifetime
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = cfg.AbsoluteLifetime
	}
	switch {
	case cfg.Grace == 0:
		cfg.Grace = DefaultGrace
	case cfg.Grace < 0:
		cfg.Grace = 0
	}
	if cfg.MaxLive <= 0 {
		cfg.MaxLive = DefaultMaxLive
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	for _, c := range []Codec{cfg.Codec, cfg.RefreshCodec} {
		if err := revoke.CheckLeeway(cfg.Revocations, c); err != nil {
			return fail("%v", err)
		}
	}
	i := &Issuer{cfg: cfg, grace: revoke.GraceOf(cfg.Revocations),
		retryAfter: int((cfg.RetryAfter + time.Second - 1) / time.Second),
		check:      revoke.Checker{List: cfg.Revocations, FailOpen: cfg.FailOpen, OnFailOpen: cfg.OnFailOpen}}
	now := cfg.Now()
	i.dummy = pair{subject: "dummy-subject-of-a-refused-obtain", family: newID(), end: now.Add(cfg.AbsoluteLifetime),
		extra: []byte("{}"), gen: i.generation(now)}
	// A pair signed now must verify, each as its own kind: what the codecs check (iss, aud,
	// the clock) agrees with what the issuer writes.
	a, r, err := i.sign(&i.dummy)
	if err != nil {
		return fail("the codec cannot sign: %v", err)
	}
	if _, err := i.verifyAccess(a); err != nil {
		return fail("the codec refuses the access token it signs: %v", err)
	}
	if _, err := i.verifyRefresh(r); err != nil {
		return fail("the refresh codec refuses the refresh token it signs: %v", err)
	}
	return i, nil
}

// MaxBody is the longest request body the endpoints accept: an adapter reads at most one byte
// more.
func (i *Issuer) MaxBody() int { return i.cfg.MaxBody }

// generation returns a new generation issued at now.
func (i *Issuer) generation(now time.Time) Generation {
	return Generation{Refresh: newID(), Access: newID(), Issued: now, AccessExpires: now.Add(i.cfg.AccessTTL)}
}

// now is the issuer's clock, without its monotonic reading (the times go into tokens and
// stores, to the nanosecond).
func (i *Issuer) now() time.Time { return i.cfg.Now().Round(0) }

// verifyAccess verifies an access token of this issuer and returns its claims and payload.
func (i *Issuer) verifyAccess(tok string) (verified, error) {
	return i.verify(i.cfg.Codec, tok, fastjwt.TypeAccess)
}

// verifyRefresh verifies a refresh token of this issuer, which must name its family.
func (i *Issuer) verifyRefresh(tok string) (verified, error) {
	v, err := i.verify(i.cfg.RefreshCodec, tok, fastjwt.TypeRefresh)
	if err == nil && v.family == "" {
		err = errNotIssued
	}
	return v, err
}

// verified is a verified token of this issuer.
type verified struct {
	cl      fastjwt.Claims
	payload []byte
	subject string
	jti     string
	family  string // "fid", refresh tokens only
	extra   []byte // "ext" of a refresh token, "{}" when absent
	iat     time.Time
	exp     time.Time
}

var errNotIssued = errors.New("issuing: not a token of this issuer")

func (i *Issuer) verify(c Codec, tok string, typ fastjwt.Type) (verified, error) {
	var v verified
	payload, err := c.AppendVerifyClaims(nil, []byte(tok), &v.cl)
	if err != nil {
		return v, err
	}
	if v.cl.Type() != typ {
		return v, errNotIssued
	}
	v.payload = payload
	var ok1, ok2 bool
	v.subject, v.jti = v.cl.Subject(), v.cl.ID()
	v.iat, ok1 = v.cl.IssuedAt()
	v.exp, ok2 = v.cl.Expires()
	if v.subject == "" || v.jti == "" || !ok1 || !ok2 ||
		(i.cfg.Issuer != "" && v.cl.Issuer() != i.cfg.Issuer) ||
		(i.cfg.Audience != "" && !v.cl.HasAudience(i.cfg.Audience)) {
		return v, errNotIssued
	}
	if typ == fastjwt.TypeRefresh {
		found := make([][]byte, 2)
		v.cl.LookupClaims(payload, []string{"fid", "ext"}, found)
		if len(found[0]) > 2 && found[0][0] == '"' {
			var fid string
			if json.Unmarshal(found[0], &fid) == nil {
				v.family = fid
			}
		}
		v.extra = []byte("{}")
		if found[1] != nil {
			if found[1][0] != '{' {
				return v, errNotIssued
			}
			v.extra = found[1]
		}
	}
	return v, nil
}

// RevokeSubject ends every token of sub issued until now, this nanosecond included, access and
// refresh alike ("log out everywhere"): it sets sub's epoch in the revocation list, which every
// bearer.Bearer checking that list and every refresh consult, to now plus one nanosecond ("iat"
// is written to the nanosecond: a token issued the next nanosecond is accepted). The epoch
// lasts as long as a token issued before it can: an access token's or a refresh token's
// lifetime, whichever is longer.
func (i *Issuer) RevokeSubject(ctx context.Context, sub string) error {
	at := i.now().Add(1)
	life := max(i.cfg.AccessTTL, min(i.cfg.RefreshTTL, i.cfg.AbsoluteLifetime))
	if err := i.cfg.Revocations.RevokeSubject(ctx, sub, at, at.Add(life)); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// revokeLive lists the access tokens of an ended family in the revocation list.
func (i *Issuer) revokeLive(ctx context.Context, live []Live) error {
	for _, l := range live {
		if err := i.cfg.Revocations.RevokeToken(ctx, l.Access, l.Expires); err != nil {
			return err
		}
	}
	return nil
}
