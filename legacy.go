package session

import (
	"bytes"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// Migration from another cookie session library (Config.Legacy), in beaker-session-jwt's three
// phases: read the old cookies and write this library's (LegacyRead); also write the old format,
// while servers that only read it still run (LegacyWrite); stop reading it (LegacyOff, or no
// Legacy at all).
//
// The legacy codec only ever sees a value that this library's codec could never verify: one
// without a '.', which every JWS compact serialization has. It runs only when no session token of
// the request verified, and adds values only after its own MAC and decoding succeeded; what it
// adds goes through the checks of Session.SetRaw (a value the codec would refuse is dropped).

// LegacyPhase is the stage of a migration.
type LegacyPhase int

// Phases of a migration.
const (
	// LegacyRead reads legacy cookies when the request has no valid session token: a valid one
	// becomes the session and is re-issued as this library's cookie on the same response (and a
	// legacy cookie of another name is deleted). The default.
	LegacyRead LegacyPhase = iota
	// LegacyWrite also writes the session in the legacy format with every Set-Cookie, for
	// fleets where servers that only read the old format still run. When the legacy cookie has
	// the session's own name, the legacy cookie is what is written (one cookie per name): the
	// old servers read it, this library's servers read it too.
	LegacyWrite
	// LegacyOff stops reading legacy cookies, as a nil Config.Legacy does; a legacy cookie of
	// another name is still deleted when the session is written or cleared.
	LegacyOff
)

// Legacy configures reading and writing the cookies of the session library this one replaces.
type Legacy struct {
	// Codec reads and writes the legacy cookies (gorillacookie.Codec for gorilla/sessions).
	Codec LegacyCodec
	// CookieName is the legacy cookie's name (default Config.CookieName).
	CookieName string
	// Phase is the stage of the migration (default LegacyRead).
	Phase LegacyPhase
	// OnError, if set, hears why a legacy cookie was refused (tampered, expired, another key:
	// an error matching ErrLegacy; the request gets a new session) and every value dropped on
	// the way in or out (matching ErrLegacyValue, and naming the value), the rest being kept.
	OnError func(err error)
}

// Errors of the migration; test with errors.Is.
var (
	// ErrLegacy: a legacy cookie was refused; it wraps the legacy codec's reason.
	ErrLegacy = errors.New("session: legacy cookie refused")
	// ErrLegacyValue: a value was dropped between the formats (no counterpart, or refused by the
	// codec's rules); it wraps the reason and names the value.
	ErrLegacyValue = errors.New("session: legacy value dropped")
)

func (l Legacy) withDefaults(cookieName string) (Legacy, error) {
	if l.CookieName == "" {
		l.CookieName = cookieName
	}
	switch {
	case l.Codec == nil:
		return l, fmt.Errorf("%w: Legacy without a Codec", ErrConfig)
	case !httpsyntax.IsToken(l.CookieName):
		return l, fmt.Errorf("%w: legacy cookie name %q is not an RFC 6265 token", ErrConfig, l.CookieName)
	case l.Phase < LegacyRead || l.Phase > LegacyOff:
		return l, fmt.Errorf("%w: unknown legacy phase %d", ErrConfig, l.Phase)
	}
	return l, nil
}

// sameName reports whether the legacy cookie has the session's own name.
func (m *Manager) legacySameName() bool { return m.cfg.Legacy.CookieName == m.cfg.CookieName }

// findLegacy looks for the request's legacy cookies (s.lines holds its Cookie lines): their
// values go to s.legacyVals, and s.legacyHad records that there was one. With the session's own
// name, the candidates are the session cookie's values that hold no '.'.
func (s *Session) findLegacy() {
	l := s.m.cfg.Legacy
	if l == nil {
		return
	}
	if s.m.legacySameName() {
		s.legacyVals = s.legacyVals[:0]
		for _, c := range s.cands {
			if bytes.IndexByte(c, '.') < 0 && chunkCount(c, s.m.cfg.MaxChunks) == 0 {
				s.legacyVals = append(s.legacyVals, c)
			}
		}
	} else {
		s.legacyVals, _ = httpsyntax.AppendCookieValues(s.legacyVals[:0], s.lines, l.CookieName, MaxSessionCookies)
		s.legacyHad = len(s.legacyVals) > 0
	}
}

// loadLegacy makes the first legacy cookie that verifies the session. It reports whether one
// did; the refusals go to Legacy.OnError and the first to s.invalid.
func (s *Session) loadLegacy() bool {
	l := s.m.cfg.Legacy
	if l == nil || l.Phase == LegacyOff {
		return false
	}
	now := s.m.cfg.Now()
	refused := false
	for _, v := range s.legacyVals {
		if bytes.IndexByte(v, '.') >= 0 {
			continue // a JWS: never the legacy codec's to read
		}
		s.ensure() // nothing to parse: marks the (empty) data as loaded
		err := l.Codec.Decode(l.CookieName, v, now, s.addLegacy, s.dropLegacy)
		if err == nil {
			s.legacy, s.valid, s.changed, s.had = true, true, true, true
			s.invalid = nil
			return true
		}
		// Whatever the codec added before failing is taken back.
		clear(s.entries)
		s.entries, s.arena, s.changed = s.entries[:0], s.arena[:0], false
		err = fmt.Errorf("%w: %w", ErrLegacy, err)
		if !refused {
			// The legacy codec's reason says more than the JWS codec's "malformed".
			s.invalid, refused = err, true
		}
		if l.OnError != nil {
			l.OnError(err)
		}
	}
	return false
}

// addLegacy stores one value of a legacy cookie, with SetRaw's checks; a value they refuse is
// dropped and reported.
func (s *Session) addLegacy(name string, value []byte) {
	var err error
	switch {
	case isReserved(name):
		err = fmt.Errorf("%w: %q is reserved", ErrReserved, name)
	case !utf8.ValidString(name):
		err = fmt.Errorf("name is not valid UTF-8")
	default:
		start := len(s.arena)
		s.arena = append(s.arena, trimJSONSpace(value)...)
		err = s.keep(name, start)
	}
	if err != nil {
		s.dropLegacy(name, err)
	}
}

// dropLegacy reports a value dropped between the formats to Legacy.OnError.
func (s *Session) dropLegacy(name string, err error) {
	if f := s.m.cfg.Legacy.OnError; f != nil {
		f(fmt.Errorf("%w: %q: %w", ErrLegacyValue, name, err))
	}
}

// writeLegacy adds the legacy cookie of the session's data to s.buf and s.outs (LegacyWrite).
// With the session's own name it replaces the token's cookies.
func (s *Session) writeLegacy(now time.Time, life int64, attrs int) error {
	l := s.m.cfg.Legacy
	if s.m.legacySameName() {
		s.outs, s.nchunks = s.outs[:0], 0
	}
	mark := len(s.buf)
	b := append(s.buf, l.CookieName...)
	b = append(b, '=')
	value := len(b)
	b, err := l.Codec.AppendEncode(b, l.CookieName, now, s.eachEntry, s.dropLegacy)
	if err != nil {
		s.buf = b[:mark]
		return fmt.Errorf("session: writing the legacy cookie: %w", err)
	}
	// The value is in place; appendSetCookie's attributes follow it.
	v := b[value:]
	b = s.m.appendSetCookie(b[:mark], l.CookieName, v, now, life, attrs)
	if size := len(b) - mark; size > s.m.cfg.MaxCookieSize {
		s.buf = b[:mark]
		return fmt.Errorf("%w: the legacy cookie needs %d bytes, the limit is %d", ErrCookieTooLarge, size, s.m.cfg.MaxCookieSize)
	}
	s.buf = s.buf[:mark]
	s.out(b)
	return nil
}

// eachEntry yields the session's data (the token's entries).
func (s *Session) eachEntry(yield func(name string, value []byte) bool) {
	for _, e := range s.entries {
		if !yield(string(e.name), e.value) {
			return
		}
	}
}
