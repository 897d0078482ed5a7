package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

// serverSide is a Manager's server-side mode (Config.Store): the cookie's token names the
// session by a random id; the data outside Config.TokenFields lives in the store under it. New
// sets it once; a cookie-session Manager has none, and every method of a nil *serverSide gives
// the cookie mode's answer (every name is in the token, nothing to load or write), so the rest
// of the package never asks which mode it is in.
type serverSide struct {
	store       store.Store
	tokenFields []string
	lifetime    time.Duration
}

// newServerSide returns the mode of cfg (defaults applied): nil without a Store.
func newServerSide(cfg *Config) *serverSide {
	if cfg.Store == nil {
		return nil
	}
	return &serverSide{store: cfg.Store, tokenFields: cfg.TokenFields, lifetime: cfg.Lifetime}
}

// inToken reports whether name is kept in the cookie's JWT: always in cookie mode, only the
// TokenFields in server-side mode.
func (m *serverSide) inToken(name string) bool {
	return m == nil || slices.Contains(m.tokenFields, name)
}

// keepSID records the token's "sid" (a raw JSON string) as the session's id.
func (m *serverSide) keepSID(s *Session, value []byte) {
	if m == nil || value[0] != '"' {
		return
	}
	start := len(s.arena)
	s.arena, _ = fastjwt.AppendString(s.arena, value)
	s.sid = s.arena[start:len(s.arena):len(s.arena)]
}

// empty reports whether the store's side of s is known to hold nothing: in server-side mode,
// only once its data was loaded.
func (m *serverSide) empty(s *Session) bool {
	return m == nil || (s.store.loaded && len(s.store.entries) == 0)
}

// storeData is one request's view of its session's data in the store.
type storeData struct {
	loaded  bool
	err     error    // the store could not answer the load: the response must be a 503
	entries []entry  // the data, as loaded and then changed
	dirty   [][]byte // names set or deleted since the load, each once
}

// markDirty records that name changed.
func (d *storeData) markDirty(name []byte) {
	for _, n := range d.dirty {
		if string(n) == string(name) {
			return
		}
	}
	d.dirty = append(d.dirty, name)
}

// load loads the session's data from the store on first use: one round trip, or none for a new
// session. It uses the context given to Acquire (the request's): the first read or write of a
// stored name can come at any point of the handler. A store that cannot answer leaves the data
// empty and the error for Commit, which turns the response into a 503: the handler's view is
// not the user's data.
func (m *serverSide) load(s *Session) {
	if m == nil || s.store.loaded {
		return
	}
	s.store.loaded = true
	s.ensure()
	if len(s.sid) == 0 {
		return
	}
	_, err := m.store.Load(s.ctx, string(s.sid), func(name string, value []byte) {
		if m.inToken(name) || isReserved(name) {
			return // not the store's to say
		}
		start := len(s.arena)
		s.arena = append(s.arena, name...)
		s.arena = append(s.arena, value...)
		n := s.arena[start : start+len(name) : start+len(name)]
		v := s.arena[start+len(name) : len(s.arena) : len(s.arena)]
		s.store.entries = append(s.store.entries, entry{name: n, value: v})
	})
	if err != nil {
		s.store.err = fmt.Errorf("session: loading the session from the store: %w", err)
		clear(s.store.entries)
		s.store.entries = s.store.entries[:0]
	}
}

// drop empties the store's data and has Commit destroy it (Clear). Nothing needs loading: the
// data is discarded whole.
func (m *serverSide) drop(s *Session) {
	if m == nil {
		return
	}
	s.ensure()
	s.store.loaded, s.store.err = true, nil
	if len(s.sid) > 0 {
		s.oldSID, s.sid = s.sid, nil
	}
	clear(s.store.entries)
	s.store.entries = s.store.entries[:0]
	clear(s.store.dirty)
	s.store.dirty = s.store.dirty[:0]
}

// move keeps the data but under a new id at Commit, destroying the old one (Regenerate).
func (m *serverSide) move(s *Session) {
	if m == nil {
		return
	}
	m.load(s)
	if len(s.sid) > 0 {
		s.oldSID, s.sid = s.sid, nil
	}
	for _, e := range s.store.entries {
		s.store.markDirty(e.name)
	}
}

// replace makes stored the store's data (Encode), marking each name that appears, disappears or
// changes; the others are not written.
func (m *serverSide) replace(s *Session, stored []entry) {
	if m == nil {
		return
	}
	for _, e := range s.store.entries {
		if v, ok := lookup(stored, e.name); !ok || !bytes.Equal(v, e.value) {
			s.store.markDirty(e.name)
		}
	}
	for _, e := range stored {
		if _, ok := lookup(s.store.entries, e.name); !ok {
			s.store.markDirty(e.name)
		}
	}
	s.store.entries = append(s.store.entries[:0], stored...)
}

// newSID sets a new random session id: 128 bits from crypto/rand, base64url.
func (s *Session) newSID() {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	start := len(s.arena)
	s.arena = base64.RawURLEncoding.AppendEncode(s.arena, id[:])
	s.sid = s.arena[start:len(s.arena):len(s.arena)]
}

// commit writes the store's side of the session before the cookie is decided, with ctx (the
// one given to Session.Commit): the changed names (creating the id of a new session first), the
// destruction of an old id. It reports whether the cookie must be deleted (the session was
// destroyed meanwhile), and the error that must turn the response into a 503.
func (m *serverSide) commit(ctx context.Context, s *Session, now time.Time) (deleteCookie bool, err error) {
	if m == nil {
		return false, nil
	}
	if s.store.err != nil {
		return false, s.store.err
	}
	st := m.store
	if s.due(now) {
		s.ensure() // a renewal refreshes the store's expiry: it needs the id, read from the token lazily
	}
	if len(s.sid) == 0 && !s.empty() && (s.changed || len(s.store.dirty) > 0) {
		s.newSID()
		s.changed = true // the cookie must carry the new id
	}
	if len(s.store.dirty) > 0 && len(s.sid) > 0 {
		var set []store.Field
		var del []string
		for _, name := range s.store.dirty {
			if v, ok := s.Raw(string(name)); ok {
				set = append(set, store.Field{Name: string(name), Value: v})
			} else {
				del = append(del, string(name))
			}
		}
		if err := st.Update(ctx, string(s.sid), set, del, s.storeTTL(now)); err != nil {
			if errors.Is(err, store.ErrDestroyed) {
				// Logged out by a concurrent request: this one must not bring the session back.
				s.err = err
				return true, nil
			}
			return false, fmt.Errorf("session: writing the session to the store: %w", err)
		}
	} else if len(s.sid) > 0 && !s.changed && s.due(now) {
		// Renewal re-issues the cookie for a full Lifetime (or to the absolute end): the data
		// must live as long.
		if err := st.Update(ctx, string(s.sid), nil, nil, s.storeTTL(now)); err != nil && !errors.Is(err, store.ErrDestroyed) {
			return false, fmt.Errorf("session: refreshing the session in the store: %w", err)
		}
	}
	if len(s.oldSID) > 0 {
		if err := st.Destroy(ctx, string(s.oldSID), m.lifetime); err != nil {
			return false, fmt.Errorf("session: destroying the old session in the store: %w", err)
		}
	}
	return false, nil
}
