// Package redisstore keeps server-side sessions (a store.Store) and the revocation list (a
// revoke.List) in Redis, standalone or cluster, through github.com/redis/rueidis with
// server-assisted client-side caching (RESP3 tracking, CLIENT TRACKING ... OPTIN): a session
// read and a "not revoked" answer are served from this process's memory until Redis says the
// key changed, so the check on every verify rarely leaves the process. It is its own module, so
// that the library's go.mod does not bring Redis to those who do not use it.
//
// # Keys
//
// Every key starts with Options.Prefix (default "fastjwt:"):
//
//	<prefix>{sess:<id>}:data   hash: the session's fields, name -> JSON value; PEXPIRE ttl (a
//	                           provisional session, Store.Create: also the field "\xffprovisional",
//	                           Create's ttl in milliseconds, and at most store.ProvisionalLifetime)
//	<prefix>{sess:<id>}:tomb   string "1": the session was destroyed; PX ttl (rest of its token's life)
//	<prefix>revoked:jti:<jti>  string "1": the token is revoked; PXAT its expiry + Options.Grace
//	<prefix>revoked:sub:<sub>  string: Unix nanoseconds, 20 digits: tokens of sub issued before it
//	                           are revoked; PXAT the epoch's end + Options.Grace
//	<prefix>revoked:all        the same for every token
//
// The two keys of a session share the hash tag {sess:<id>}, so they live in one slot of a Redis
// Cluster and one script can change both atomically. Every revocation key expires by itself, a
// grace after the tokens it names (revoke.DefaultGrace unless Options.Grace; it must cover every
// verifier's leeway): there is no clean-up job.
//
// # Atomicity
//
// Store.Update runs one Lua script on the session's slot: if the tombstone exists it changes
// nothing and fails with store.ErrDestroyed; otherwise HDEL of the deleted names, HSET of the
// set ones and PEXPIRE of the hash. Redis runs a script alone, so two concurrent Updates of
// different names both survive (neither reads and rewrites the whole session), and an Update
// either runs wholly before a Destroy (whose DEL then removes its fields) or sees its tombstone:
// a late request cannot resurrect a destroyed session. Store.Destroy is one script too: DEL of
// the hash and SET of the tombstone. Revocations are one script per key that keeps the later
// epoch and the later expiry of the entry already there.
//
// # Caching and failures
//
// Reads (Store.Load, List.Revoked) go through rueidis's DoCache: the first read of a key asks
// Redis and registers interest; later reads are local until Redis pushes an invalidation for the
// key (any client's write) or Options.CacheTTL passes. A List of a client made by Dial keeps,
// in front of that, its own answers, dropped by the same invalidations, so that a check that
// stays local allocates nothing (see List). A write returns only after its own invalidations
// have reached this client: a read right after it through the same client sees it.
//
// When a connection breaks, rueidis drops the cache of that connection (and the List its
// answers), so nothing stale survives a reconnection; a connection that stops answering is
// found out by rueidis's PINGs and closed within max(4×Timeout, 1 s), and until then cached
// answers are still given, as of the last invalidation received. Every call that needs Redis
// is bounded by Options.Timeout (default 250 ms) and returns Redis's or the network's error
// (errors.Is(err, context.DeadlineExceeded) after a timeout): the callers (the session Manager,
// package bearer) then fail closed. Nothing here panics on a Redis answer.
package redisstore
