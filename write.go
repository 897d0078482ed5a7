package session

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf8"
)

// Set stores v under name, encoded as JSON (ints, strings, bools and floats without reflection,
// anything else through goccy/go-json, never HTML-escaped). Setting a value equal to the stored
// one is not a change. It refuses, with nothing stored: "exp", "iat", "jti" and "auth_time" (ErrReserved); names that
// are not valid UTF-8; values the codec would refuse in a token (ErrValue), among them registered
// claims of the wrong type or an "nbf" in the future; and changes after the response headers
// were written (ErrCommitted). A nil error means the value will be in the next cookie, unless the
// whole session outgrows Config.MaxCookieSize (reported by Err and Config.OnError). A registered
// claim ("iss", "sub", "aud", "nbf") is checked by the codec without signing anything when the
// codec is a fastjwt.ClaimsChecker, as *fastjwt.Codec is (see Codec).
func (s *Session) Set(name string, v any) error {
	if err := s.checkWrite(name); err != nil {
		return err
	}
	start := len(s.arena)
	var err error
	if s.arena, err = appendValue(s.arena, v); err != nil {
		s.arena = s.arena[:start]
		return fmt.Errorf("%w: value of %q: %w", ErrValue, name, err)
	}
	return s.keep(name, start)
}

// SetRaw stores raw, which must be exactly one JSON value valid under the codec's rules (strict
// UTF-8, no duplicate names at any depth...), under name; whitespace around it is dropped. It
// refuses what Set refuses.
func (s *Session) SetRaw(name string, raw []byte) error {
	if err := s.checkWrite(name); err != nil {
		return err
	}
	start := len(s.arena)
	s.arena = append(s.arena, trimJSONSpace(raw)...)
	return s.keep(name, start)
}

// keep validates the value written to s.arena[start:] and stores it under name, or takes it back.
func (s *Session) keep(name string, start int) error {
	value := s.arena[start:len(s.arena):len(s.arena)]
	err := s.checkValue(value)
	if err == nil && isRegistered(name) && s.m.side.inToken(name) {
		err = s.checkRegistered(name, value)
	}
	if err != nil {
		s.arena = s.arena[:start]
		return fmt.Errorf("%w: value of %q: %w", ErrValue, name, err)
	}
	s.setRaw(name, value)
	return nil
}

func (s *Session) checkWrite(name string) error {
	switch {
	case s.committed:
		return ErrCommitted
	case isReserved(name):
		return fmt.Errorf("%w: %q", ErrReserved, name)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: name %q is not valid UTF-8", ErrValue, name)
	}
	return nil
}

func (s *Session) setRaw(name string, value []byte) {
	t, i := s.find(name)
	if i >= 0 {
		if !bytes.Equal((*t)[i].value, value) {
			(*t)[i].value = value
			s.touch(t, (*t)[i].name)
		}
		return
	}
	start := len(s.arena)
	s.arena = append(s.arena, name...)
	n := s.arena[start:len(s.arena):len(s.arena)]
	*t = append(*t, entry{name: n, value: value})
	s.touch(t, n)
}

// touch records a change of name in table t: the cookie's token, or the store's data.
func (s *Session) touch(t *[]entry, name []byte) {
	if t == &s.entries {
		s.changed = true
	} else {
		s.store.markDirty(name)
	}
}

// Delete removes name from the session. Deleting an absent name is not a change.
func (s *Session) Delete(name string) {
	if s.committed {
		s.err = ErrCommitted
		return
	}
	if t, i := s.find(name); i >= 0 {
		n := (*t)[i].name
		copy((*t)[i:], (*t)[i+1:])
		(*t)[len(*t)-1] = entry{}
		*t = (*t)[:len(*t)-1]
		s.touch(t, n)
	}
}

// Clear removes every value. A cleared session that stays empty deletes the cookie; in
// server-side mode its data is destroyed in the store, and values set after Clear start a new
// session under a new id.
func (s *Session) Clear() {
	if s.committed {
		s.err = ErrCommitted
		return
	}
	s.ensure()
	if len(s.entries) > 0 || s.had {
		s.changed = true
	}
	clear(s.entries)
	s.entries = s.entries[:0]
	s.started = false // values set afterwards are a new session, with a new start
	s.m.side.drop(s)
}

// Regenerate gives the session a new identity, keeping its data: a new session id in
// server-side mode (the data moves to it and the old id is destroyed), a new token ID in any
// mode (the old token is revoked at Commit when Config.Revocations is set; a list that cannot
// answer then makes the response a 503), and a new start: the session's absolute lifetime
// (Config.AbsoluteLifetime) counts from now. Call it when the user's privileges change, at login
// above all, so that an identifier planted before login (session fixation) is worth nothing
// after it. If a concurrent request logged the session out first, the new identity is not
// issued: the cookie is deleted (Err then matches store.ErrDestroyed or revoke.ErrRevoked).
// ctx is not used; the store and the list use the context given to Commit.
func (s *Session) Regenerate(ctx context.Context) error {
	if s.committed {
		return ErrCommitted
	}
	s.revokeOld = s.valid
	s.ensure()
	s.changed = true
	s.started = false // a new "auth_time": the absolute lifetime counts from the login
	s.m.side.move(s)
	return nil
}

// Logout ends the session: its data is cleared and the cookie is deleted with the response;
// its token is revoked until it expires (when Config.Revocations is set); in server-side mode
// its id is destroyed in the store at Commit, which makes every copy of the cookie worth
// nothing on every request, and stops every request of the session still in flight from
// issuing a cookie. It returns the revocation's error, in which case the session is cleared all
// the same.
//
// A cookie session (no Config.Store) has nothing on the server to destroy: without
// Config.Revocations, Logout deletes this client's cookie, and returns ErrLogoutNotFinal to say
// that copies of the token stay valid until they expire.
func (s *Session) Logout(ctx context.Context) error {
	err := s.revokeToken(ctx)
	final := s.m.cfg.Revocations != nil || s.m.side != nil || !s.valid
	s.Clear()
	if err == nil && !final {
		return ErrLogoutNotFinal
	}
	return err
}

// revokeToken revokes the request's valid token by its "jti" until its expiry, when the Manager
// has a revocation list.
func (s *Session) revokeToken(ctx context.Context) error {
	rl := s.m.cfg.Revocations
	if rl == nil || !s.valid {
		return nil
	}
	var buf [64]byte
	jti, ok := s.claims.AppendID(buf[:0])
	exp, hasExp := s.claims.Expires()
	if !ok || !hasExp {
		return nil
	}
	return rl.RevokeToken(ctx, string(jti), exp)
}
