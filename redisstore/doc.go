// Package redisstore keeps server-side sessions (a store.Store), the revocation list (a
// revoke.List) and refresh-token families (an issuing.Families) in Redis, standalone or
// cluster, through github.com/redis/rueidis with
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
//	<prefix>revoked:marker     string: the list's marker, no expiry (see Durability)
//	<prefix>{fam:<id>}:record  hash: a refresh-token family (see Refresh-token families); PEXPIREAT
//	                           its End (or its latest access token's exp, if later) + its Grace
//
// The two keys of a session share the hash tag {sess:<id>}, so they live in one slot of a Redis
// Cluster and one script can change both atomically; a family is one key, under its own tag. Every revocation key expires by itself, a
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
// Store.Alive, which the session layer asks on every request that carries a session id (so
// that a destroyed session is worth nothing, whatever copy of its cookie comes back), is served
// from the same answers as the List's: a hash lookup, no allocation, until Redis invalidates the
// session's hash (its Update or its Destroy, on any node). On a miss it is one cached HLEN,
// after one script that makes a provisional session ordinary. A logout on another node reaches
// this one when its invalidation does, the same bound as for a revocation.
//
// When a connection breaks, rueidis drops the cache of that connection (and the List its
// answers), so nothing stale survives a reconnection; a connection that stops answering is
// found out by rueidis's PINGs and closed within max(4×Timeout, 1 s), and until then cached
// answers are still given, as of the last invalidation received (the families' calls are
// scripts, never cached). Every call that needs Redis is bounded by Options.Timeout (default
// 250 ms) and returns Redis's or the network's error (errors.Is(err, context.DeadlineExceeded)
// after a timeout): the callers (the session Manager, package bearer, the issuer) then fail
// closed. Nothing here panics on a Redis answer.
//
// # Durability
//
// Sessions may be lost (their users sign in again); revocations may not: a lost revocation
// lets a stolen token in again. The List therefore trusts its Redis only while it can tell
// that Redis kept its data, and answers an error otherwise (revoke.Checker then answers 503
// unless it fails open):
//
//   - A marker, <prefix>revoked:marker, written without expiry when the List is first used
//     (or by List.Arm with Options.ExplicitArm), is read through the client-side cache, so
//     Redis tracks it for this client. A FLUSHALL, a FLUSHDB, the marker's eviction or
//     deletion sends an invalidation; a restart or a failover breaks the connection, which
//     empties the cache. A "not revoked" answer is given only once the marker is confirmed
//     after the entries were read: from memory while no invalidation came (an atomic load),
//     else by reading it again, one round trip. A List that finds the marker gone (or
//     replaced, by a process that armed the emptied Redis) answers ErrDataLost from then on,
//     and tells Options.OnAlert once, whatever Redis holds afterwards. Detection takes the
//     time an invalidation or a broken connection takes to reach the client: about a
//     millisecond on loopback, at most rueidis's PING period for a silent network failure;
//     List.Check, called by a readiness probe, reads the policy and the marker again.
//   - List.Recover(ctx, until) is the way back: it revokes every token issued before now
//     (RevokeAll(now, until), until being when the last of them has expired) and writes a new
//     marker, which the Lists of other processes accept within a second, once they have read
//     the global epoch it names. The users sign in again.
//   - The List reads maxmemory-policy (CONFIG GET) when it first validates its marker, after
//     every invalidation of it, and in every List.Check, and answers ErrEvictingPolicy for
//     any policy but noeviction unless Options.AllowEvictingPolicy: under volatile-lru,
//     volatile-ttl or volatile-lfu the revocations, which expire, are evicted and the
//     marker, which does not, is kept; under allkeys-lru the client-side cache makes the
//     revocation keys look idle to Redis's LRU, so they are evicted first. A Redis that
//     refuses CONFIG (managed services often do) is trusted, and OnAlert hears of it once.
//
// So the list's Redis needs:
//
//   - maxmemory-policy noeviction (Redis's default). A full Redis then refuses writes (a
//     revocation fails with OOM, loudly) and reads not cached yet (rueidis reads in a MULTI,
//     which Redis refuses when out of memory): sessions on the same Redis can fill it. Give
//     the list a Redis (or at least a memory budget) of its own: Dial two Redis, one for the
//     Store (where an evicting policy is fine) and one for the List.
//   - Persistence: appendonly yes with appendfsync everysec loses at most about a second of
//     revocations in a crash (always: none, at the cost of a disk sync per write); RDB
//     snapshots alone lose everything since the last one. A restart with the data keeps the
//     marker, and the List goes on; a restart without it is ErrDataLost, never "not revoked".
//     A replica promoted by failover must have the data too (a replica that was in sync).
//   - A memory budget: about 150 bytes per revoked token (a 36-character "jti" under the
//     default prefix, measured on Redis 7.0), about 165 per subject's epoch, the entries
//     living until the tokens they name expire: a million revocations of one-hour tokens
//     in an hour is about 150 MB. The tracking table of the client-side cache counts too (one
//     entry per key a client has read, "not revoked" lookups included, up to
//     tracking-table-max-keys, default 1,000,000; INFO's tracking_total_keys tells).
//
// In a Redis Cluster the marker lives on one shard: the loss of another shard's data is not
// detected by it.
//
// # Refresh-token families
//
// Redis.Families keeps the families of package issuing on the List's Redis. A family is one
// hash, changed only by three Lua scripts (Start, Rotate, Revoke), each of which reads the
// record, decides and writes in one step: Redis runs a script alone, so two Rotates of one
// token, from any clients or processes, are serialized, and the second sees the first's
// successor as current (it is Retried, or Reused). Start refuses a record that is there, live or
// ended (issuing.ErrExists), and an ended family's record lasts until its expiry like a live
// one's, so its id is never taken again. The record's fields:
//
//	sub st en gr gms   the subject, Start, End, Grace (and Grace in milliseconds, for the expiry)
//	cr ca ci cx        the current generation: refresh "jti", access "jti", issued, access "exp"
//	pr pt              the refresh "jti" the last rotation replaced, and when (for Retried)
//	past               the first 8 bytes of the SHA-1 of each replaced refresh "jti", the last
//	                   1024 of them (for Reused; a token replaced longer ago is Ended: refused,
//	                   without ending the family)
//	ended              when the family ended (Reused, Revoke)
//	l:<access jti>     the "exp" of each access token that may be live: pruned by Rotate and
//	                   Revoke once its exp plus the family's Grace has passed; a Rotate is
//	                   Throttled at MaxLive of them
//
// Instants are kept to the nanosecond, as 20 decimal digits of their Unix nanoseconds with the
// sign bit flipped, so that the scripts compare them as strings (Lua's numbers, doubles, hold
// nanoseconds since 1970 only to a quarter of a microsecond); the one subtraction the scripts
// do (an instant less the family's Grace) is computed on two halves that doubles hold exactly.
// The boundaries of the port hold exactly: a retry at the rotation plus Grace less a nanosecond
// is Retried, at the rotation plus Grace it is Reused; a Rotate at End less a nanosecond rotates,
// at End it is Ended. Redis expires the record by its own clock, to the millisecond (rounded up).
//
// A record takes about 420 bytes when it starts (22-character ids, Redis 7.0), 500 bytes up to
// eight rotations, 1.2 KiB after nine (the hash is then no longer a listpack), 2 KiB after a
// hundred and at most about 11 KiB: budget it with the list's memory.
//
// What a loss of data does to the families: losing records only ever refuses; rolling one
// back by a second can undo what that second did.
//
//   - A record that vanished (FLUSHALL, a restart or a failover without the data) makes every
//     token of its family Ended: no refresh of a lost family rotates. But an absent record
//     cannot be told from a family never started, and Revoke of a family that does not exist
//     answers no access tokens to revoke: after a loss that answer would let the access tokens
//     of a logged-out family live until their exp. So the families share the List's marker:
//     Rotate's Ended for an absent record and Revoke's empty answer are given only once the
//     marker is confirmed after the script ran (from memory while no invalidation came), and a
//     Redis whose marker vanished makes every call (Start too) answer ErrDataLost until
//     List.Recover, whose global epoch revokes every access token issued before it, those the
//     lost records listed included. A process started after the loss arms the empty Redis
//     (unless Options.ExplicitArm: then it answers ErrNotArmed) and answers Ended: refused.
//     List.Check, a readiness probe's call, answers for the families too.
//   - A restart from an append-only file synced every second, or a failover to a replica that
//     was behind, can bring a record back as it was up to a second before, and the marker
//     with it: a rotation, a reuse's end or a Revoke of that second is undone (the replaced
//     token rotates again, a revoked family lives again), as the List's revocations of that
//     second are lost. appendfsync always closes that window, at the cost of a disk sync per
//     write.
//   - Under an evicting maxmemory-policy a record can vanish (always whole: it is one key),
//     which ends its family and forgets its access tokens: Start and every answer about an
//     absent record are ErrEvictingPolicy, as the List's are, unless
//     Options.AllowEvictingPolicy.
package redisstore
