// Package store is the server-side data port of sessions: named JSON values under a random
// session id, as django-session-jwt keeps them, expiring with the session and tombstoned when it
// ends. The session package's server-side mode (session.Config.Store) reads and writes a
// session's data through it.
//
// NewMemory is the embedded default; package redisstore (its own module) keeps sessions in Redis
// with client-side caching. Package storetest is the contract as a test suite: every
// implementation runs it.
package store

import (
	"context"
	"errors"
	"time"
)

// Store keeps the server-side data of sessions: named JSON values under a random session id
// that the cookie's JWT carries, expiring with the session. Implementations are safe for
// concurrent use.
//
// Every method takes the request's context and returns an error when the store cannot answer;
// the caller then fails closed (503), never treating "unknown" as "no session". A call whose
// context is already done fails with an error matching the context's error and changes
// nothing; one whose context ends while it waits for the store's answer fails the same way,
// its write possibly applied (as with any error of a remote store).
type Store interface {
	// Load calls fn for each field of the session id and reports whether the session exists. A
	// destroyed (tombstoned) or expired session does not exist. fn's arguments are valid during
	// the call only. An empty id fails with ErrInvalid.
	Load(ctx context.Context, id string, fn func(name string, value []byte)) (found bool, err error)
	// Update sets the fields in set, deletes the names in del, and sets the session's expiry to
	// ttl from now, as one atomic step: two requests of one session that change different names
	// both survive. A name both in set and in del is set; of two fields of set with one name,
	// the later wins. A session exists while it has a field: an Update that leaves none removes
	// it, and one with nothing to set on an absent session creates nothing (it only renews an
	// existing session's expiry).
	//
	// It fails with ErrDestroyed when the session was destroyed (its tombstone exists), so a
	// slower concurrent request cannot resurrect a logged-out session, and with ErrInvalid for an
	// empty id or a ttl that is not positive. A failed Update changes nothing.
	Update(ctx context.Context, id string, set []Field, del []string, ttl time.Duration) error
	// Create writes the first fields of a provisional session: one the caller has just made up
	// (a random id) and no client has presented back yet, so anyone can make any number of
	// them, a request without a cookie at a time. Otherwise it is Update with nothing to delete:
	// ErrDestroyed on a tombstone, ErrInvalid for an empty id or a ttl that is not positive, and
	// nothing created when set is empty.
	//
	// A store keeps provisional sessions apart, so that a flood of them never refuses the
	// others: within a budget of their own, at most for ProvisionalLifetime (or its own shorter
	// idle lifetime) instead of ttl, and evicting the oldest of them, never another session,
	// when that budget or the store is full. A Load, an Alive or an Update of the id (the client presented
	// it back, or Session.Regenerate wrote it) makes it an ordinary session, never evicted,
	// lasting its ttl. Create on a session that is not provisional is Update.
	Create(ctx context.Context, id string, set []Field, ttl time.Duration) error
	// Destroy deletes the session and leaves a tombstone for ttl (the rest of its token's life);
	// a tombstone already there that lasts longer is kept. A ttl that is not positive (the token
	// has expired: no request can carry it) leaves no tombstone. Destroying an id the store never
	// had leaves a tombstone too. An empty id fails with ErrInvalid.
	//
	// When the session had already been destroyed (its tombstone exists), Destroy does its work
	// all the same and returns ErrDestroyed, decided in the same atomic step: of two requests
	// ending one session, exactly one learns that it was first. A request that moved the data
	// to a new id (session.Session.Regenerate) learns that way that a concurrent logout won, and
	// destroys the new id too.
	Destroy(ctx context.Context, id string, ttl time.Duration) error
	// Alive reports whether the session exists: it has a field and no tombstone, and has not
	// expired (what Load's found reports, without the data). The session layer asks it on
	// every request that carries a session id, so that a destroyed session is worth nothing
	// however many copies of its cookie exist: it must be cheap (a map lookup in memory, a
	// client-side cache hit on Redis, invalidated by the Destroy of any client). An empty id
	// fails with ErrInvalid. id may point into a request's buffer: it is valid during the call
	// only, and an implementation that keeps it must copy it. Like Load, it makes a provisional
	// session (Create) ordinary: the client came back with it.
	Alive(ctx context.Context, id string) (bool, error)
}

// ProvisionalLifetime is the longest a store keeps a provisional session (Store.Create) that
// no Load, Alive or Update has made ordinary: the idle lifetime of a session before its client first
// comes back. Ten minutes keep a first visit's data through a page or two of reading, and hold
// a flood of provisional sessions to what ten minutes of it make.
const ProvisionalLifetime = 10 * time.Minute

// Field is one named JSON value of a server-side session.
type Field struct {
	Name  string
	Value []byte
}

// ErrDestroyed: an Update or a Destroy found the session's tombstone: it was destroyed (logged
// out).
var ErrDestroyed = errors.New("store: the session was destroyed")

// ErrInvalid: a call names no session (an empty id), or an Update has a ttl that is not
// positive. Nothing was changed.
var ErrInvalid = errors.New("store: empty session id or non-positive ttl")
