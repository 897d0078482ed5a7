package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unsafe"

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

// keepSID records the token's "sid" (a raw JSON string) as the session's id, unless alive
// already did.
func (m *serverSide) keepSID(s *Session, value []byte) {
	if m == nil || len(value) == 0 || value[0] != '"' || len(s.sid) > 0 {
		return
	}
	start := len(s.arena)
	s.arena, _ = fastjwt.AppendString(s.arena, value)
	s.sid = s.arena[start:len(s.arena):len(s.arena)]
}

// sidClaim is the member alive looks up in a verified payload.
var sidClaim = []string{"sid"}

// errEnded is the InvalidReason of a token whose session id names no live session: destroyed
// (logged out, regenerated), expired or evicted in the store, or no id at all.
var errEnded = fmt.Errorf("session: the token's session has ended: %w", store.ErrDestroyed)

// errStoreUnavailable marks the store's failure to say whether a session is alive: Acquire
// fails (503), never treating "unknown" as "ended" or as "alive".
var errStoreUnavailable = errors.New("session: the store cannot answer")

// alive is the server-side mode's verdict on a verified, unrevoked token: the session id it
// carries must name a live session in the store (store.Store.Alive), on every request, reads of
// token fields included. A logout destroys the id, so every copy of the cookie, and any cookie a
// concurrent request issues under that id, is worth nothing from then on, whether or not a
// revocation list is configured or answered. It returns nil for a live session (s.sid then
// holds its id), errEnded otherwise, or an error matching errStoreUnavailable.
func (m *serverSide) alive(ctx context.Context, s *Session) error {
	if m == nil {
		return nil
	}
	var found [1][]byte
	s.claims.LookupClaims(s.payload, sidClaim, found[:])
	m.keepSID(s, found[0])
	ok := false
	if len(s.sid) > 0 {
		var err error
		// The id is read during the call only (store.Store.Alive): no copy is made.
		if ok, err = m.store.Alive(ctx, unsafe.String(&s.sid[0], len(s.sid))); err != nil {
			s.sid = nil
			return fmt.Errorf("%w: checking the session: %w", errStoreUnavailable, err)
		}
	}
	if !ok {
		s.sid = nil
		s.claims = fastjwt.Claims{}
		s.payload = s.payload[:0]
		return errEnded
	}
	return nil
}

// empty reports whether the store's side of s is known to hold nothing: in server-side mode,
// only once its data was loaded.
func (m *serverSide) empty(s *Session) bool {
	return m == nil || (s.store.loaded && len(s.store.entries) == 0)
}

// storeData is one request's view of its session's data in the store.
type storeData struct {
	loaded  bool
	moved   bool     // Regenerate: the data goes to a new id, the old one is destroyed
	err     error    // the store could not answer the load: the response must be a 503
	entries []entry  // the data, as loaded and then changed
	dirty   [][]byte // names set or deleted since the load, each once
	// regenerated: Regenerate gave the session its new id, so the id Commit makes is an
	// ordinary session's (Store.Update), not a provisional one's (Store.Create).
	regenerated bool
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
	s.store.loaded, s.store.err, s.store.regenerated = true, nil, false
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
	s.store.regenerated = true
	if len(s.sid) > 0 {
		s.oldSID, s.sid = s.sid, nil
		s.store.moved = true
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

// createdField is the field every session holds in the store from its creation: its creation
// time (Unix seconds). A session exists in the store while it has a field, so a session whose
// data are all token fields exists too, and deleting every stored name does not end it. Its
// name is reserved: Set refuses it, and load skips it.
const createdField = "iat"

// commit writes the store's side of the session before the cookie is decided, with ctx (the
// one given to Session.Commit): the changed names (creating the id of a new session first), the
// destruction of an old id. A session whose id this request made up, and not at Regenerate, is
// written with Store.Create: no client has presented it back, so the store keeps it apart from
// the others (a budget of its own, a short idle lifetime), and a flood of requests without a
// cookie cannot refuse the sessions that came back, nor a login. The next request that brings
// the cookie back makes it an ordinary session (its liveness check, a load or an update). It
// reports whether the cookie must be deleted (the session was destroyed meanwhile), and the
// error that must turn the response into a 503.
//
// A response that will carry a cookie under an existing id (data changed, in the token or the
// store, or a renewal) first makes one atomic Update of that id, which fails with
// store.ErrDestroyed once the session was destroyed: a request in flight during a logout
// deletes its cookie instead of re-issuing it. (Had the logout come after that Update, the
// cookie carries an id that is no longer alive: every request refuses it.) Regenerate's new id
// lives only if its Destroy of the old id was the first: otherwise a concurrent logout won, and
// the new id is destroyed too.
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
	fresh, provisional := false, false
	if len(s.sid) == 0 && !s.empty() && (s.changed || len(s.store.dirty) > 0) {
		s.newSID()
		s.changed = true // the cookie must carry the new id
		fresh = true
		provisional = !s.store.regenerated
	}
	if len(s.sid) > 0 && (fresh || len(s.store.dirty) > 0 || s.changed || s.due(now)) {
		var set []store.Field
		var del []string
		if fresh {
			set = append(set, store.Field{Name: createdField, Value: strconv.AppendInt(nil, now.Unix(), 10)})
		}
		for _, name := range s.store.dirty {
			if v, ok := s.Raw(string(name)); ok {
				set = append(set, store.Field{Name: string(name), Value: v})
			} else {
				del = append(del, string(name))
			}
		}
		// Renewal and token writes re-issue the cookie for a full Lifetime (or to the absolute
		// end): the data must live as long.
		var err error
		if provisional {
			err = st.Create(ctx, string(s.sid), set, s.storeTTL(now)) // a new id: nothing to delete
		} else {
			err = st.Update(ctx, string(s.sid), set, del, s.storeTTL(now))
		}
		if err != nil {
			if errors.Is(err, store.ErrDestroyed) {
				// Logged out by a concurrent request: this one must not bring the session back.
				s.err = err
				return true, nil
			}
			return false, fmt.Errorf("session: writing the session to the store: %w", err)
		}
	}
	if len(s.oldSID) > 0 {
		err := st.Destroy(ctx, string(s.oldSID), m.lifetime)
		switch {
		case errors.Is(err, store.ErrDestroyed) && s.store.moved && len(s.sid) > 0:
			// A concurrent logout destroyed the old id before this Regenerate could: the data
			// moved to the new id must not outlive it.
			if err := st.Destroy(ctx, string(s.sid), m.lifetime); err != nil && !errors.Is(err, store.ErrDestroyed) {
				return false, fmt.Errorf("session: destroying the regenerated session in the store: %w", err)
			}
			s.err = store.ErrDestroyed
			return true, nil
		case err != nil && !errors.Is(err, store.ErrDestroyed):
			return false, fmt.Errorf("session: destroying the old session in the store: %w", err)
		}
	}
	return false, nil
}
