package session

import (
	"bytes"
	"fmt"

	json "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
)

// Typed access: the whole session as the user's own struct (or map), through goccy/go-json. The
// struct's JSON fields are the session's names, so Decode and Encode mix freely with Get and Set.

// Decode decodes the session's data into v, as json.Unmarshal would decode the object of all its
// values ("exp", "iat", "jti" and "auth_time" are not part of it). A new session decodes as {}: v's fields are then
// left as they were.
func Decode[T any](s *Session, v *T) error {
	s.all()
	obj := s.appendObject(nil)
	if err := json.Unmarshal(obj, v); err != nil {
		return fmt.Errorf("session: decoding the session: %w", err)
	}
	return nil
}

// Encode replaces the session's data with v, which must encode as a JSON object, and marks it
// changed unless the values are the same as before. It encodes and validates v exactly as Set
// does each value (no HTML escaping, the codec's JSON rules, registered claims checked by the
// codec), so saving an unchanged struct is no change. Fields named "exp", "iat" or "jti" are refused
// (ErrReserved); on any error the session keeps its previous data.
func Encode[T any](s *Session, v T) error {
	if s.committed {
		return ErrCommitted
	}
	obj, err := appendValue(nil, v)
	if err != nil {
		return fmt.Errorf("%w: encoding the session: %w", ErrValue, err)
	}
	if len(obj) == 0 || obj[0] != '{' {
		return fmt.Errorf("%w: %T does not encode as a JSON object", ErrValue, v)
	}
	var next []entry
	var bad error
	err = fastjwt.EachMember(obj, func(name, value []byte) bool {
		n, ok := fastjwt.AppendString(nil, name)
		switch {
		case !ok:
			bad = fmt.Errorf("%w: member name %s", ErrValue, name)
		case isReserved(string(n)):
			bad = fmt.Errorf("%w: %q", ErrReserved, n)
		case isRegistered(string(n)):
			if err := s.checkRegistered(string(n), value); err != nil {
				bad = fmt.Errorf("%w: value of %q: %w", ErrValue, n, err)
			}
		}
		next = append(next, entry{name: n, value: value})
		return bad == nil
	})
	if err != nil {
		return fmt.Errorf("%w: encoding the session: %w", ErrValue, err)
	}
	if bad != nil {
		return bad
	}
	s.all()
	var token, stored []entry
	for _, e := range next {
		if s.m.side.inToken(string(e.name)) {
			token = append(token, e)
		} else {
			stored = append(stored, e)
		}
	}
	if !sameEntries(s.entries, token) {
		s.changed = true
	}
	s.entries = append(s.entries[:0], token...)
	s.m.side.replace(s, stored)
	return nil
}

// lookup returns the value of name in t.
func lookup(t []entry, name []byte) ([]byte, bool) {
	for _, e := range t {
		if bytes.Equal(e.name, name) {
			return e.value, true
		}
	}
	return nil, false
}

// sameEntries reports whether a and b hold the same names with byte-identical values.
func sameEntries(a, b []entry) bool {
	if len(a) != len(b) {
		return false
	}
outer:
	for _, x := range b {
		for _, y := range a {
			if bytes.Equal(x.name, y.name) {
				if !bytes.Equal(x.value, y.value) {
					return false
				}
				continue outer
			}
		}
		return false
	}
	return true
}

// appendObject appends the session's data as one JSON object: the token's values, then the
// store's.
func (s *Session) appendObject(dst []byte) []byte {
	dst = append(dst, '{')
	first := true
	for _, t := range [][]entry{s.entries, s.store.entries} {
		for _, e := range t {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendQuoted(dst, string(e.name))
			dst = append(dst, ':')
			dst = append(dst, e.value...)
		}
	}
	return append(dst, '}')
}
