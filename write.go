package session

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf8"
)

// Set stores v under name, encoded as JSON (ints, strings, bools and floats without reflection,
// anything else through goccy/go-json, never HTML-escaped). Setting a value equal to the stored
// one is not a change. It refuses, with nothing stored: "exp", "iat" and "jti" (ErrReserved); names that
// are not valid UTF-8; values the codec would refuse in a token (ErrValue), among them registered
// claims of the wrong type or an "nbf" in the future; and changes after the response headers
// were written (ErrCommitted). A nil error means the value will be in the next cookie, unless the
// whole session outgrows Config.MaxCookieSize (reported by Err and Config.OnError).
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
	return s.store(name, start)
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
	return s.store(name, start)
}

// store validates the value written to s.arena[start:] and stores it under name, or takes it back.
func (s *Session) store(name string, start int) error {
	value := s.arena[start:len(s.arena):len(s.arena)]
	err := s.checkValue(value)
	if err == nil && isRegistered(name) {
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
	if i := s.find(name); i >= 0 {
		if !bytes.Equal(s.entries[i].value, value) {
			s.entries[i].value = value
			s.changed = true
		}
		return
	}
	start := len(s.arena)
	s.arena = append(s.arena, name...)
	s.entries = append(s.entries, entry{name: s.arena[start:len(s.arena):len(s.arena)], value: value})
	s.changed = true
}

// Delete removes name from the session. Deleting an absent name is not a change.
func (s *Session) Delete(name string) {
	if s.committed {
		s.err = ErrCommitted
		return
	}
	if i := s.find(name); i >= 0 {
		copy(s.entries[i:], s.entries[i+1:])
		s.entries[len(s.entries)-1] = entry{}
		s.entries = s.entries[:len(s.entries)-1]
		s.changed = true
	}
}

// Clear removes every value. A cleared session that stays empty deletes the cookie.
func (s *Session) Clear() {
	if s.committed {
		s.err = ErrCommitted
		return
	}
	s.ensure()
	if len(s.entries) > 0 || s.had {
		s.changed = true
	}
	for i := range s.entries {
		s.entries[i] = entry{}
	}
	s.entries = s.entries[:0]
}

// Logout ends the session: its token is revoked until it expires (when Config.Revocations is
// set), its data is cleared and the cookie is deleted with the response. It returns the
// revocation's error, in which case the session is cleared all the same.
func (s *Session) Logout(ctx context.Context) error {
	var err error
	if rl := s.m.cfg.Revocations; rl != nil && s.valid {
		var buf [64]byte
		jti, ok := s.claims.AppendID(buf[:0])
		exp, hasExp := s.claims.Expires()
		if ok && hasExp {
			err = rl.RevokeToken(ctx, string(jti), exp)
		}
	}
	s.Clear()
	return err
}
