package session

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/jsonint"
)

// The two limits of a session's life (OWASP ASVS 5.0 sec. 7.3): the idle timeout, Config.Lifetime
// (a token unused that long has expired; renewal re-issues a used one), and the absolute
// lifetime, Config.AbsoluteLifetime, counted from the session's start, which every token of the
// session carries in "auth_time" and renewal copies unchanged. The end is exact: a session is
// valid while now < auth_time + AbsoluteLifetime, as a token is while now < exp.

// startNames are the claims that give a session's start: "auth_time", or "iat" for a token
// issued without it; then "exp", for the reason of a refusal. Read only.
var startNames = []string{"auth_time", "iat", "exp"}

var errStartType = fmt.Errorf(`%w: "auth_time" is not a NumericDate of whole seconds since 1970`, fastjwt.ErrClaimType)

// AuthTime returns the start of the request's valid session, the "auth_time" of its token: when
// its first token was issued, or when Regenerate was last called (at login). It reports false
// for a new session. A handler asking for a recent login before a sensitive action (OpenID
// Connect's max_age) compares it with the clock.
func (s *Session) AuthTime() (time.Time, bool) {
	if !s.valid || !s.started {
		return time.Time{}, false
	}
	return time.Unix(s.start, 0), true
}

// checkStart reads the verified token's start into s.start and refuses the session if it is past
// its absolute end. A token with neither "auth_time" nor "iat" (issued elsewhere, accepted with
// AcceptUntypedCookies) is due for re-issue (Session.due), which gives it a start: now.
func (s *Session) checkStart() error {
	s.claims.LookupClaims(s.payload, startNames[:1], s.found[:1])
	if s.found[0] != nil {
		start, ok := jsonint.Seconds(s.found[0])
		if !ok {
			return errStartType
		}
		s.start = start
	} else if iat, ok := s.claims.IssuedAt(); ok {
		s.start = iat.Unix() // a fraction is dropped: the start can only move earlier
	} else {
		return nil
	}
	s.started = true
	if s.m.pastEnd(s.start, s.m.cfg.Now()) {
		return ErrAbsoluteLifetime
	}
	return nil
}

// pastEnd reports whether a session that started at start (Unix seconds) has ended at now.
func (m *Manager) pastEnd(start int64, now time.Time) bool {
	return m.cfg.AbsoluteLifetime > 0 && !now.Before(time.Unix(start, 0).Add(m.cfg.AbsoluteLifetime))
}

// refusal returns the reason to report for a cookie the codec refused with err: ErrAbsoluteLifetime
// instead of an expiry when the absolute end came first (the token's "exp" is at or after it, as
// when renewal stopped "exp" there), err otherwise (the session was idle past its "exp"). The codec reports an expiry only after the signature verified, keeping the
// token's type (see fastjwt.Verifier), so the payload read here is the issuer's; it decides the
// reason only, never whether the cookie is accepted.
func (s *Session) refusal(err error, cookie []byte) error {
	t := s.claims.Type()
	if s.m.cfg.AbsoluteLifetime <= 0 || !errors.Is(err, fastjwt.ErrExpired) || t == fastjwt.TypeNone || !s.m.cfg.acceptsType(t) {
		return err
	}
	d1, d2 := -1, -1
	for i, c := range cookie {
		if c == '.' {
			if d1 >= 0 {
				d2 = i
				break
			}
			d1 = i
		}
	}
	if d2 < 0 {
		return err
	}
	var decodeErr error
	s.scratch, decodeErr = base64.RawURLEncoding.AppendDecode(s.scratch[:0], cookie[d1+1:d2])
	if decodeErr != nil {
		return err
	}
	var none fastjwt.Claims // describes no payload: both names are looked for in the payload
	none.LookupClaims(s.scratch, startNames, s.found[:])
	raw := s.found[0]
	if raw == nil {
		raw = s.found[1]
	}
	exp, hasExp := jsonint.Seconds(s.found[2])
	start, ok := jsonint.Seconds(raw)
	clear(s.found[:])
	if ok && hasExp && exp >= start+int64(s.m.cfg.AbsoluteLifetime/time.Second) && s.m.pastEnd(start, s.m.cfg.Now()) {
		return ErrAbsoluteLifetime
	}
	return err
}

// startOf returns the start to write in a token issued at iat (Unix seconds): the session's, or
// iat for a session that starts now (new, or regenerated).
func (s *Session) startOf(iat int64) int64 {
	if s.started {
		return s.start
	}
	return iat
}

// appendStart appends the session's "auth_time" member, followed by a comma.
func (s *Session) appendStart(b []byte, now time.Time) []byte {
	b = append(b, `"auth_time":`...)
	b = strconv.AppendInt(b, s.startOf(now.Unix()), 10)
	return append(b, ',')
}

// lifetimeSeconds returns the seconds from iat (Unix seconds) to the "exp" of a token issued
// then: Lifetime, or less when the session's absolute end comes first (zero or less: it has
// ended). Whole seconds, rounded down: the token never outlives the end.
func (s *Session) lifetimeSeconds(iat int64) int64 {
	life := int64(s.m.cfg.Lifetime / time.Second)
	if abs := s.m.cfg.AbsoluteLifetime; abs > 0 {
		if left := s.startOf(iat) + int64(abs/time.Second) - iat; left < life {
			life = left
		}
	}
	return life
}

// ended reports whether the session reached its absolute end before it could be issued at now
// (a request that began just before the end): nothing more is issued.
func (s *Session) ended(now time.Time) bool {
	return s.lifetimeSeconds(now.Unix()) <= 0
}

// storeTTL is the expiry of the store's data written at now: the token's lifetime, at least a
// millisecond (a store refuses an expiry that is not positive; the token has ended by then).
func (s *Session) storeTTL(now time.Time) time.Duration {
	life := time.Duration(s.lifetimeSeconds(now.Unix())) * time.Second
	if life == s.m.cfg.Lifetime.Truncate(time.Second) {
		return s.m.cfg.Lifetime
	}
	return max(life, time.Millisecond)
}
