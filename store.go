package session

import (
	"context"
	"errors"
	"time"
)

// Store keeps the server-side data of sessions, as django-session-jwt does: named JSON values
// under a random session id that the cookie's JWT carries, expiring with the session. The
// embedded default is NewMemoryStore; package redisstore (its own module) keeps them in Redis.
//
// Every method takes the request's context and returns an error when the store cannot answer;
// the caller then fails closed (503), never treating "unknown" as "no session".
type Store interface {
	// Load calls fn for each field of the session id and reports whether the session exists. A
	// destroyed (tombstoned) or expired session does not exist. fn's arguments are valid during
	// the call only.
	Load(ctx context.Context, id string, fn func(name string, value []byte)) (found bool, err error)
	// Update sets the fields in set, deletes the names in del, and sets the session's expiry to
	// ttl from now, as one atomic step: two requests of one session that change different names
	// both survive. It fails with ErrDestroyed when the session was destroyed (its tombstone
	// exists), so a slower concurrent request cannot resurrect a logged-out session.
	Update(ctx context.Context, id string, set []Field, del []string, ttl time.Duration) error
	// Destroy deletes the session and leaves a tombstone for ttl (the rest of its token's life).
	Destroy(ctx context.Context, id string, ttl time.Duration) error
}

// Field is one named JSON value of a server-side session.
type Field struct {
	Name  string
	Value []byte
}

// ErrDestroyed: an Update found the session's tombstone: it was destroyed (logged out).
var ErrDestroyed = errors.New("session: the session was destroyed")
