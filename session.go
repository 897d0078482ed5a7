package session

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
)

// Session is one request's cookie session: a set of named JSON values, stored as the payload of
// the session cookie's JWT. Get it from an adapter (fasthttpsession.From, nethttpsession.FromContext);
// it is valid until the handler returns, and is not safe for use by several goroutines at once.
//
// The payload is parsed lazily, on the first read or write, so a request that never touches its
// session costs one verify. "exp" and "iat" are managed by the session layer and are not part of
// the data: Get does not see them and Set refuses them (ErrReserved).
type Session struct {
	m *Manager

	had     bool // the request carried a session cookie, valid or not
	valid   bool // ... and it verified
	invalid error
	payload []byte // verified payload JSON (a pooled buffer)
	claims  fastjwt.Claims

	loaded  bool    // entries hold the data
	entries []entry // the data, in payload order, then in order of Set
	arena   []byte  // storage for names and values written by Set or decoded from escapes

	changed   bool
	committed bool
	err       error
	buf       []byte // the new payload, the signed token, then the Set-Cookie value
	cookie    []byte // the Set-Cookie value, in buf
}

// entry is one member of the session's data: its decoded name and its raw JSON value.
type entry struct {
	name  []byte
	value []byte
}

func (s *Session) load(cookie []byte) {
	if len(cookie) == 0 {
		return
	}
	s.had = true
	var err error
	s.payload, err = s.m.codec.AppendVerifyClaims(s.payload[:0], cookie, &s.claims)
	if err != nil {
		s.invalid = err
		if s.m.cfg.OnInvalid != nil {
			s.m.cfg.OnInvalid(err)
		}
		return
	}
	s.valid = true
}

func (s *Session) reset() {
	for i := range s.entries {
		s.entries[i] = entry{}
	}
	*s = Session{
		m:       s.m,
		payload: s.payload[:0],
		entries: s.entries[:0],
		arena:   s.arena[:0],
		buf:     s.buf[:0],
	}
}

// IsNew reports whether the request carried no valid session cookie.
func (s *Session) IsNew() bool { return !s.valid }

// InvalidReason returns why the request's session cookie was refused (a fastjwt error such as
// fastjwt.ErrExpired or fastjwt.ErrSignature), or nil when it was valid or absent.
func (s *Session) InvalidReason() error { return s.invalid }

// Claims returns the registered claims of the request's valid session token (iat, exp...), or nil
// for a new session.
func (s *Session) Claims() *fastjwt.Claims {
	if !s.valid {
		return nil
	}
	return &s.claims
}

// Err returns the error that kept the session from being written back (ErrCookieTooLarge, a
// signing error), once the response headers are written, or ErrCommitted if Delete or Clear came
// after that; nil otherwise. Write errors also go to Config.OnError.
func (s *Session) Err() error { return s.err }

// ensure parses the verified payload into entries on first use.
func (s *Session) ensure() {
	if s.loaded {
		return
	}
	s.loaded = true
	if !s.valid {
		return
	}
	// The payload verified, so it is a valid object; the walk cannot fail.
	_ = fastjwt.EachMember(s.payload, func(name, value []byte) bool {
		if isReservedJSON(name) {
			return true
		}
		n := name[1 : len(name)-1]
		if bytes.IndexByte(n, '\\') >= 0 {
			start := len(s.arena)
			s.arena, _ = fastjwt.AppendString(s.arena, name)
			n = s.arena[start:len(s.arena):len(s.arena)]
			if isReserved(string(n)) {
				// An escaped spelling of "exp" or "iat": the session layer writes its own.
				s.arena = s.arena[:start]
				return true
			}
		}
		s.entries = append(s.entries, entry{name: n, value: value})
		return true
	})
}

// isReservedJSON reports whether a raw JSON name is "exp" or "iat" (written without escapes, as
// the session layer writes them; an escaped spelling is ordinary data to the codec as well).
func isReservedJSON(name []byte) bool {
	return string(name) == `"exp"` || string(name) == `"iat"`
}

func isReserved(name string) bool { return name == "exp" || name == "iat" }

func (s *Session) find(name string) int {
	s.ensure()
	for i := range s.entries {
		if string(s.entries[i].name) == name {
			return i
		}
	}
	return -1
}

// Raw returns the raw JSON value stored under name, valid until the handler returns.
func (s *Session) Raw(name string) ([]byte, bool) {
	if i := s.find(name); i >= 0 {
		return s.entries[i].value, true
	}
	return nil, false
}

// Has reports whether name is set.
func (s *Session) Has(name string) bool { return s.find(name) >= 0 }

// Len returns the number of values in the session.
func (s *Session) Len() int { s.ensure(); return len(s.entries) }

// Names returns the names of the session's values, in order. It allocates.
func (s *Session) Names() []string {
	s.ensure()
	out := make([]string, len(s.entries))
	for i, e := range s.entries {
		out[i] = string(e.name)
	}
	return out
}

// Get returns the value stored under name decoded as encoding/json would into an interface
// (float64 for numbers, map[string]any for objects...), and whether it is set.
func (s *Session) Get(name string) (any, bool) {
	raw, ok := s.Raw(name)
	if !ok {
		return nil, false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil, false
	}
	return v, true
}

// Int returns the value under name if it is a JSON number holding an integer that fits an int.
// It allocates nothing.
func (s *Session) Int(name string) (int, bool) {
	raw, ok := s.Raw(name)
	if !ok {
		return 0, false
	}
	return parseInt(raw)
}

// Float returns the value under name if it is a JSON number.
func (s *Session) Float(name string) (float64, bool) {
	raw, ok := s.Raw(name)
	if !ok || len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

// Bool returns the value under name if it is true or false.
func (s *Session) Bool(name string) (bool, bool) {
	raw, ok := s.Raw(name)
	switch {
	case !ok:
		return false, false
	case string(raw) == "true":
		return true, true
	case string(raw) == "false":
		return false, true
	}
	return false, false
}

// String returns the value under name if it is a JSON string, decoded.
func (s *Session) String(name string) (string, bool) {
	raw, ok := s.Raw(name)
	if !ok || len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	b, ok := fastjwt.AppendString(nil, raw)
	return string(b), ok
}

// Set stores v under name, encoded as JSON (goccy/go-json; ints, strings, bools and floats are
// encoded without reflection). Setting a value equal to the stored one is not a change. It
// refuses "exp" and "iat" (ErrReserved), names that are not valid UTF-8, values JSON cannot
// encode, and changes after the response headers were written (ErrCommitted).
func (s *Session) Set(name string, v any) error {
	if err := s.checkWrite(name); err != nil {
		return err
	}
	start := len(s.arena)
	var err error
	s.arena, err = appendJSON(s.arena, v)
	if err != nil {
		s.arena = s.arena[:start]
		return fmt.Errorf("session: value of %q: %w", name, err)
	}
	return s.setRaw(name, s.arena[start:len(s.arena):len(s.arena)])
}

// SetRaw stores raw, which must be one valid JSON value, under name.
func (s *Session) SetRaw(name string, raw []byte) error {
	if err := s.checkWrite(name); err != nil {
		return err
	}
	if !json.Valid(raw) {
		return fmt.Errorf("session: value of %q is not valid JSON", name)
	}
	start := len(s.arena)
	s.arena = append(s.arena, raw...)
	return s.setRaw(name, s.arena[start:len(s.arena):len(s.arena)])
}

func (s *Session) checkWrite(name string) error {
	switch {
	case s.committed:
		return ErrCommitted
	case isReserved(name):
		return fmt.Errorf("%w: %q", ErrReserved, name)
	case !utf8.ValidString(name):
		return fmt.Errorf("session: name %q is not valid UTF-8", name)
	}
	return nil
}

func (s *Session) setRaw(name string, value []byte) error {
	if i := s.find(name); i >= 0 {
		if !bytes.Equal(s.entries[i].value, value) {
			s.entries[i].value = value
			s.changed = true
		}
		return nil
	}
	start := len(s.arena)
	s.arena = append(s.arena, name...)
	s.entries = append(s.entries, entry{name: s.arena[start:len(s.arena):len(s.arena)], value: value})
	s.changed = true
	return nil
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

// appendJSON appends the JSON encoding of v, without reflection for the common scalar types.
func appendJSON(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case string:
		if !utf8.ValidString(x) {
			return dst, fmt.Errorf("string is not valid UTF-8")
		}
		return appendQuoted(dst, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dst, fmt.Errorf("%v has no JSON encoding", x)
		}
	case json.RawMessage:
		if !json.Valid(x) {
			return dst, fmt.Errorf("RawMessage is not valid JSON")
		}
		return append(dst, x...), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendQuoted appends s as a JSON string. s must be valid UTF-8.
func appendQuoted(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// parseInt parses a JSON integer (no fraction, no exponent) into an int without allocating.
func parseInt(raw []byte) (int, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	if len(raw) == 0 || len(raw) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return int(-int64(n)), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int(n), true
}

// due reports whether an unchanged, valid session must be re-issued: signed by an older key of
// the ring, or older than the renewal point.
func (s *Session) due(now time.Time) bool {
	if !s.valid {
		return false
	}
	if s.claims.KeyIndex() > 0 {
		return true
	}
	if s.m.renew < 0 {
		return false
	}
	iat, ok := s.claims.IssuedAt()
	return !ok || !now.Before(iat.Add(s.m.renew))
}
