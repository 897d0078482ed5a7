package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fastjwt/session/internal/httpsyntax"
	"github.com/fastjwt/session/revoke"

	json "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/jsonint"
)

// Session is one request's cookie session: a set of named JSON values, stored as the payload of
// the session cookie's JWT. Get it from an adapter (fasthttpsession.From, nethttpsession.FromContext);
// it is valid until the handler returns, and is not safe for use by several goroutines at once.
//
// The payload is parsed lazily, on the first read or write, so a request that never touches its
// session costs one verify. "exp", "iat", "jti" and "auth_time" are managed by the session layer and are not
// part of the data: Get does not see them and Set refuses them (ErrReserved).
type Session struct {
	m *Manager

	secure  bool // the cookie carries Secure (Config.Secure, decided by Acquire)
	had     bool // the request carried a session cookie, valid or not
	valid   bool // ... and one of them verified
	invalid error
	payload []byte // verified payload JSON (a pooled buffer)
	claims  fastjwt.Claims
	// alg and cacheHit are what the verify of the last cookie tried reported (Claims.Alg,
	// Claims.CacheHit), for Config.Observer: kept when a check after the verify clears claims.
	alg      fastjwt.Alg
	cacheHit bool
	start    int64     // the session's start ("auth_time", Unix seconds), if started
	started  bool      // ... known: from a valid token; false for a session that starts now
	found    [3][]byte // lookups of startNames

	loaded  bool    // entries hold the data
	entries []entry // the data in the token, in payload order, then in order of Set
	arena   []byte  // storage for names and values written by Set or decoded from escapes

	// Server-side mode (Config.Store, Manager.side): the session id and the data kept in the
	// store.
	ctx    context.Context // Acquire's, for the store's lazy load
	sid    []byte          // the session id: from the token, or new (in arena)
	oldSID []byte          // an id to destroy at commit (Clear, Regenerate)
	store  storeData

	changed   bool
	committed bool
	revokeOld bool  // Regenerate: revoke the request's token at Commit, once the new one is decided
	unstored  error // the session could not be stored: the response must be a 503 (Commit)
	err       error
	buf       []byte   // the new payload, the signed token, then the Set-Cookie values (outs)
	scratch   []byte   // value validation, compressed data
	zbuf      []byte   // inflated data (Config.Compress), then the previous payload buffer
	lines     [][]byte // header lines of the request (Cookie) or response (Vary)
	cands     [][]byte // the values of the request's session cookies

	// Chunked cookies (Config.Chunked) and the migration (Config.Legacy).
	chunksHad  uint16   // the chunk cookies the request carried (bit i-1: CookieName.i)
	chunks     []byte   // a token reassembled from its chunks
	outs       []int    // the Set-Cookie values to send: start and end offsets in buf
	nchunks    int      // how many chunk cookies the new value uses
	legacy     bool     // the session came from a legacy cookie
	legacyHad  bool     // the request carried a legacy cookie of another name
	legacyVals [][]byte // the request's legacy cookie values
}

// entry is one member of the session's data: its decoded name and its raw JSON value.
type entry struct {
	name  []byte
	value []byte
}

// load verifies the request's session cookies: the first that verifies, is a session token and
// is not revoked wins; at most MaxSessionCookies are tried. It fails only when the revocation list
// cannot answer (and the Manager fails closed), or, in server-side mode, the store cannot say
// whether the token's session is alive.
func (s *Session) load(ctx context.Context, h RequestHeader) error {
	s.lines = h.AppendValues(s.lines[:0], "Cookie")
	var n int
	s.cands, n = httpsyntax.AppendCookieValues(s.cands[:0], s.lines, s.m.cfg.CookieName, MaxSessionCookies)
	if s.m.cfg.Chunked {
		s.chunksHad = s.m.presentChunks(s.lines)
	}
	s.findLegacy()
	if n == 0 {
		if !s.loadLegacy() && s.invalid != nil && s.m.cfg.OnInvalid != nil {
			s.m.cfg.OnInvalid(s.invalid)
		}
		return nil
	}
	s.had = true
	var first error
	for _, c := range s.cands {
		token, err := c, error(nil)
		if k := chunkCount(c, s.m.cfg.MaxChunks); k > 0 && s.m.cfg.Chunked {
			token, err = s.reassemble(k)
		}
		if err == nil {
			err = s.verify(token)
		}
		if err == nil {
			err = s.checkRevoked(ctx)
			if errors.Is(err, revoke.ErrUnavailable) {
				return err
			}
		}
		if err == nil {
			// Server-side mode: the session id must name a live session, on every request.
			if err = s.m.side.alive(ctx, s); errors.Is(err, errStoreUnavailable) {
				if s.m.cfg.OnError != nil {
					s.m.cfg.OnError(err)
				}
				return err
			}
		}
		if err == nil {
			s.valid = true
			s.invalid = nil
			return nil
		}
		if first == nil {
			first = err
		}
	}
	if n > MaxSessionCookies {
		first = fmt.Errorf("%w: more than %d, and none of the first %d verified (first: %w)", ErrTooManyCookies, MaxSessionCookies, MaxSessionCookies, first)
	}
	s.invalid = first
	if s.loadLegacy() {
		return nil
	}
	if s.m.cfg.OnInvalid != nil {
		s.m.cfg.OnInvalid(s.invalid)
	}
	return nil
}

// checkRevoked gives the revocation verdict on the verified token (revoke.Checker), after every
// local check of the cookie (verify): revoke.ErrRevoked if revoked, an error wrapping
// revoke.ErrUnavailable if the list cannot answer and the Manager fails closed.
func (s *Session) checkRevoked(ctx context.Context) error {
	err := s.m.revocations.Check(ctx, &s.claims)
	if errors.Is(err, revoke.ErrRevoked) {
		s.claims = fastjwt.Claims{}
		s.payload = s.payload[:0]
	}
	return err
}

// verify checks one cookie value: signature, claims, purpose, then the absolute lifetime.
func (s *Session) verify(cookie []byte) error {
	var err error
	s.payload, err = s.m.codec.AppendVerifyClaims(s.payload[:0], cookie, &s.claims)
	s.alg, s.cacheHit = s.claims.Alg(), s.claims.CacheHit()
	if err != nil {
		return s.refusal(err, cookie)
	}
	if !s.m.cfg.acceptsType(s.claims.Type()) {
		err = ErrPurpose
	} else if err = s.expand(); err == nil {
		err = s.checkStart()
	}
	if err != nil {
		s.claims = fastjwt.Claims{}
		s.payload = s.payload[:0]
		s.started = false
	}
	return err
}

func (s *Session) reset() {
	clear(s.entries)
	clear(s.lines)
	clear(s.cands)
	clear(s.legacyVals)
	clear(s.store.entries)
	clear(s.store.dirty)
	*s = Session{
		m:          s.m,
		payload:    s.payload[:0],
		entries:    s.entries[:0],
		arena:      s.arena[:0],
		buf:        s.buf[:0],
		scratch:    s.scratch[:0],
		zbuf:       s.zbuf[:0],
		lines:      s.lines[:0],
		cands:      s.cands[:0],
		chunks:     s.chunks[:0],
		outs:       s.outs[:0],
		legacyVals: s.legacyVals[:0],
		store:      storeData{entries: s.store.entries[:0], dirty: s.store.dirty[:0]},
	}
}

// IsNew reports whether the request carried no valid session cookie.
func (s *Session) IsNew() bool { return !s.valid }

// InvalidReason returns why the request's session cookie was refused (a fastjwt error such as
// fastjwt.ErrExpired or fastjwt.ErrSignature), or nil when it was valid or absent.
func (s *Session) InvalidReason() error { return s.invalid }

// Claims returns the registered claims of the request's valid session token (iat, exp...), or nil
// for a new session and for one read from a legacy cookie (Config.Legacy).
func (s *Session) Claims() *fastjwt.Claims {
	if !s.valid || s.legacy {
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
			if string(name) == `"sid"` {
				s.m.side.keepSID(s, value)
			}
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

// table returns where name lives: the token's entries, or (server-side mode) the store's,
// loaded on first use.
func (s *Session) table(name string) *[]entry {
	if s.m.side.inToken(name) {
		s.ensure()
		return &s.entries
	}
	s.m.side.load(s)
	return &s.store.entries
}

// find returns the table of name and its index there, or -1.
func (s *Session) find(name string) (*[]entry, int) {
	t := s.table(name)
	for i := range *t {
		if string((*t)[i].name) == name {
			return t, i
		}
	}
	return t, -1
}

// Raw returns the raw JSON value stored under name, valid until the handler returns.
func (s *Session) Raw(name string) ([]byte, bool) {
	if t, i := s.find(name); i >= 0 {
		return (*t)[i].value, true
	}
	return nil, false
}

// Has reports whether name is set.
func (s *Session) Has(name string) bool { _, i := s.find(name); return i >= 0 }

// all makes both tables ready (the store's is loaded in server-side mode).
func (s *Session) all() {
	s.ensure()
	s.m.side.load(s)
}

// Len returns the number of values in the session.
func (s *Session) Len() int { s.all(); return len(s.entries) + len(s.store.entries) }

// Names returns the names of the session's values, in order: the token's, then the store's. It
// allocates.
func (s *Session) Names() []string {
	s.all()
	out := make([]string, 0, len(s.entries)+len(s.store.entries))
	for _, t := range [][]entry{s.entries, s.store.entries} {
		for _, e := range t {
			out = append(out, string(e.name))
		}
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
	return jsonint.Parse(raw)
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

// due reports whether an unchanged, valid session must be re-issued: signed by an older key of
// the ring, untyped (AcceptUntypedCookies), or older than the renewal point.
func (s *Session) due(now time.Time) bool {
	if !s.valid {
		return false
	}
	if s.claims.KeyIndex() > 0 || s.claims.Type() != fastjwt.TypeSession {
		return true // an older key of the ring, or an untyped cookie being migrated
	}
	if s.m.cfg.RenewAfter < 0 {
		return false
	}
	iat, ok := s.claims.IssuedAt()
	return !ok || !now.Before(iat.Add(s.m.cfg.RenewAfter))
}

// empty reports whether the session is known to hold no value (in server-side mode, only once
// the store's data was loaded).
func (s *Session) empty() bool {
	return len(s.entries) == 0 && s.m.side.empty(s)
}
