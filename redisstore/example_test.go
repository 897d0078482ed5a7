package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/store"
)

// exampleAddr is the address of the Redis the examples use, such as "127.0.0.1:6379"; the
// tests set it to the redis-server they started.
var exampleAddr = "127.0.0.1:6379"

// Sessions server-side and the revocation list, on one Redis shared by every node.
func ExampleDial() {
	r, err := Dial(Options{Addrs: []string{exampleAddr}, Prefix: "example:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	ctx := context.Background()

	// A request changes one field of its session: only that field is sent.
	sessions := r.Store()
	_ = sessions.Update(ctx, "Vx3q", []store.Field{{Name: "count", Value: []byte("1")}}, nil, time.Hour)
	found, err := sessions.Load(ctx, "Vx3q", func(name string, value []byte) { fmt.Printf("%s=%s\n", name, value) })
	fmt.Println(found, err)

	// Logout: the session is destroyed (a late request cannot bring it back) and the token
	// revoked until it expires.
	_ = sessions.Destroy(ctx, "Vx3q", time.Hour)
	err = sessions.Update(ctx, "Vx3q", []store.Field{{Name: "count", Value: []byte("2")}}, nil, time.Hour)
	fmt.Println(errors.Is(err, store.ErrDestroyed))

	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}})
	token, _ := codec.AppendSign(nil, []byte(`{"jti":"t-1","sub":"ann","iat":1700000000}`))
	var cl fastjwt.Claims
	_, _ = codec.AppendVerifyClaims(nil, token, &cl)
	list := r.List()
	revoked, err := list.Revoked(ctx, &cl)
	fmt.Println(revoked, err)
	_ = list.RevokeToken(ctx, "t-1", time.Now().Add(time.Minute))
	revoked, err = list.Revoked(ctx, &cl)
	fmt.Println(revoked, err)
	// Output:
	// count=1
	// true <nil>
	// true
	// false <nil>
	// true <nil>
}

// A Redis that lost its data: the list refuses to answer (503 through revoke.Checker) until
// Recover, which revokes every token issued before it.
func ExampleList_Recover() {
	r, err := Dial(Options{Addrs: []string{exampleAddr}, Prefix: "example-recover:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	ctx := context.Background()
	list := r.List()
	// At start: the maxmemory-policy is noeviction, and the marker is armed.
	fmt.Println(list.Check(ctx))

	// The marker vanishes, as in a FLUSHALL or a restart without persistence (here a DEL, then
	// a PING that waits for the invalidation).
	c := r.Client()
	for _, resp := range c.DoMulti(ctx, c.B().Del().Key("example-recover:revoked:marker").Build(), c.B().Ping().Build()) {
		_ = resp.Error()
	}
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}})
	token, _ := codec.AppendSign(nil, []byte(`{"jti":"t-2","sub":"ann","iat":1700000000}`))
	var cl fastjwt.Claims
	_, _ = codec.AppendVerifyClaims(nil, token, &cl)
	_, err = list.Revoked(ctx, &cl)
	fmt.Println(errors.Is(err, ErrDataLost))

	// The operator recovers: every token issued until now, valid for a day at most, is revoked.
	fmt.Println(list.Recover(ctx, time.Now().Add(24*time.Hour)))
	revoked, err := list.Revoked(ctx, &cl)
	fmt.Println(revoked, err)
	// Output:
	// <nil>
	// true
	// <nil>
	// true <nil>
}

// Refresh-token families on Redis: each refresh rotates the token in one atomic step; a retry
// of the replaced token inside the grace window gets the same successor, and a reuse after it
// ends the family, answering the access tokens to revoke.
func ExampleRedis_Families() {
	r, err := Dial(Options{Addrs: []string{exampleAddr}, Prefix: "example-families:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	ctx := context.Background()
	families := r.Families()

	// A family's id is random (an obtain starts one per authentication).
	id := rand.Text()
	now := time.Now()
	first := issuing.Generation{Refresh: "r-1", Access: "a-1", Issued: now, AccessExpires: now.Add(15 * time.Minute)}
	err = families.Start(ctx, issuing.Family{ID: id, Subject: "ann", Start: now, End: now.Add(7 * 24 * time.Hour),
		Grace: 10 * time.Second, First: first})
	fmt.Println(err)

	next := issuing.Generation{Refresh: "r-2", Access: "a-2", Issued: now.Add(time.Minute), AccessExpires: now.Add(16 * time.Minute)}
	refresh := func(presented string, at time.Duration) {
		rot, err := families.Rotate(ctx, issuing.Rotate{Family: id, Presented: presented, Now: now.Add(at), Next: next, Grace: 10 * time.Second})
		fmt.Println(rot.Outcome, rot.Generation.Refresh, len(rot.Live), err)
	}
	refresh("r-1", time.Minute)                // the refresh: r-2 is current
	refresh("r-1", time.Minute+time.Second)    // a second tab, inside the window: the same r-2
	refresh("r-1", time.Minute+11*time.Second) // a stolen r-1, after it: the family ends
	refresh("r-2", time.Minute+12*time.Second) // and r-2 no longer works
	// Output:
	// <nil>
	// rotated r-2 0 <nil>
	// retried r-2 0 <nil>
	// reused  2 <nil>
	// ended  2 <nil>
}
