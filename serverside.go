package session

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Server-side mode (Config.Store): the cookie's token names the session by a random id; the
// data outside Config.TokenFields lives in the Store under it. Nothing here runs without a Store.

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

// ensureStore loads the session's data from the store on first use: one round trip, or none for
// a new session. A store that cannot answer leaves the data empty and the error for Commit,
// which turns the response into a 503: the handler's view is not the user's data.
func (s *Session) ensureStore() {
	if s.store.loaded {
		return
	}
	s.store.loaded = true
	s.ensure()
	if len(s.sid) == 0 || s.m.cfg.Store == nil {
		return
	}
	_, err := s.m.cfg.Store.Load(s.ctx, string(s.sid), func(name string, value []byte) {
		if s.m.cfg.inToken(name) || isReserved(name) {
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

// dropStore empties the store's data and has Commit destroy it (Clear). Nothing needs loading:
// the data is discarded whole.
func (s *Session) dropStore() {
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

// moveStore keeps the data but under a new id at Commit, destroying the old one (Regenerate).
func (s *Session) moveStore() {
	s.ensureStore()
	if len(s.sid) > 0 {
		s.oldSID, s.sid = s.sid, nil
	}
	for _, e := range s.store.entries {
		s.store.markDirty(e.name)
	}
}

// newSID sets a new random session id: 128 bits from crypto/rand, base64url.
func (s *Session) newSID() {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	start := len(s.arena)
	s.arena = base64.RawURLEncoding.AppendEncode(s.arena, id[:])
	s.sid = s.arena[start:len(s.arena):len(s.arena)]
}

// commitStore writes the store's side of the session before the cookie is decided: the changed
// names (creating the id of a new session first), the destruction of an old id. It reports
// whether the cookie must be deleted (the session was destroyed meanwhile), and the error that
// must turn the response into a 503.
func (s *Session) commitStore(now time.Time) (deleteCookie bool, err error) {
	if s.store.err != nil {
		return false, s.store.err
	}
	st := s.m.cfg.Store
	ctx := s.ctx
	if len(s.sid) == 0 && !s.empty() && (s.changed || len(s.store.dirty) > 0) {
		s.newSID()
		s.changed = true // the cookie must carry the new id
	}
	if len(s.store.dirty) > 0 && len(s.sid) > 0 {
		var set []Field
		var del []string
		for _, name := range s.store.dirty {
			if v, ok := s.Raw(string(name)); ok {
				set = append(set, Field{Name: string(name), Value: v})
			} else {
				del = append(del, string(name))
			}
		}
		if err := st.Update(ctx, string(s.sid), set, del, s.m.cfg.Lifetime); err != nil {
			if errors.Is(err, ErrDestroyed) {
				// Logged out by a concurrent request: this one must not bring the session back.
				s.err = err
				return true, nil
			}
			return false, fmt.Errorf("session: writing the session to the store: %w", err)
		}
	} else if len(s.sid) > 0 && !s.changed && s.due(now) {
		// Renewal re-issues the cookie for a full Lifetime: the data must live as long.
		if err := st.Update(ctx, string(s.sid), nil, nil, s.m.cfg.Lifetime); err != nil && !errors.Is(err, ErrDestroyed) {
			return false, fmt.Errorf("session: refreshing the session in the store: %w", err)
		}
	}
	if len(s.oldSID) > 0 {
		if err := st.Destroy(ctx, string(s.oldSID), s.m.cfg.Lifetime); err != nil {
			return false, fmt.Errorf("session: destroying the old session in the store: %w", err)
		}
	}
	return false, nil
}
