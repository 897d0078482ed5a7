package revoke_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// A server checks every verified token against the list; logging out revokes the token by its
// "jti" until it would have expired anyway, and "log out everywhere" revokes by subject.
func ExampleNewMemory() {
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithClock(clock))
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: clock})
	ctx := context.Background()

	check := func(payload string) {
		token, _ := codec.AppendSign(nil, []byte(payload))
		var cl fastjwt.Claims
		if _, err := codec.AppendVerifyClaims(nil, token, &cl); err != nil {
			fmt.Println(err)
			return
		}
		revoked, err := list.Revoked(ctx, &cl)
		fmt.Println(cl.ID(), "revoked:", revoked, err)
	}
	first := `{"jti":"t1","sub":"alice","iat":1699999999.5,"exp":1700003600}`
	second := `{"jti":"t2","sub":"alice","iat":1699999999.5,"exp":1700003600}`
	check(first)

	// POST /logout: this token only.
	_ = list.RevokeToken(ctx, "t1", time.Unix(1700003600, 0))
	check(first)
	check(second)

	// POST /logout-everywhere: every token of alice issued until now, for as long as a token
	// can live (plus the list's grace). The epoch is exact: a login a millisecond later is fine.
	_ = list.RevokeSubject(ctx, "alice", now, now.Add(time.Hour))
	check(second)
	check(`{"jti":"t3","sub":"alice","iat":1700000000.001,"exp":1700003600}`) // a login after it
	// Output:
	// t1 revoked: false <nil>
	// t1 revoked: true <nil>
	// t2 revoked: false <nil>
	// t2 revoked: true <nil>
	// t3 revoked: false <nil>
}

// A Checker is the verdict after every other check of a token: nil (go on), ErrRevoked (401),
// or an error matching ErrUnavailable (503), unless it fails open, when the request goes on and
// OnFailOpen hears why.
func ExampleChecker() {
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithClock(clock))
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: clock})
	ctx := context.Background()
	_ = list.RevokeToken(ctx, "t1", time.Unix(1700003600, 0))
	check := revoke.Checker{List: list, OnFailOpen: func(err error) { fmt.Println("let through:", err) }}

	for _, payload := range []string{
		`{"jti":"t1","sub":"alice","iat":1700000000,"exp":1700003600}`,
		`{"jti":"t2","sub":"alice","iat":1700000000,"exp":1700003600}`,
	} {
		token, _ := codec.AppendSign(nil, []byte(payload))
		var cl fastjwt.Claims
		if _, err := codec.AppendVerifyClaims(nil, token, &cl); err != nil {
			fmt.Println(err)
			continue
		}
		switch err := check.Check(ctx, &cl); {
		case errors.Is(err, revoke.ErrRevoked):
			fmt.Println(cl.ID(), "401:", err)
		case errors.Is(err, revoke.ErrUnavailable):
			fmt.Println(cl.ID(), "503:", err)
		default:
			fmt.Println(cl.ID(), "ok")
		}
	}
	// Output:
	// t1 401: revoke: the token was revoked
	// t2 ok
}

// A revocation lasts a grace past the token's expiry, for the verifiers that accept the token
// past it by their leeway; CheckLeeway refuses a leeway the grace does not cover, as session.New
// and bearer.New do.
func ExampleCheckLeeway() {
	now := time.Unix(1700003630, 0) // 30 seconds after the token's exp
	clock := func() time.Time { return now }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("a 32-byte or longer secret key!!")}},
		fastjwt.WithClock(clock), fastjwt.WithLeeway(time.Minute))
	list := revoke.NewMemory(revoke.MemoryOptions{Clock: clock}) // revoke.DefaultGrace
	fmt.Println("grace:", list.Grace(), "leeway:", codec.Leeway(), "check:", revoke.CheckLeeway(list, codec))

	// The token expired 30 seconds ago, and the codec still accepts it: it can still be revoked.
	token, _ := codec.AppendSign(nil, []byte(`{"jti":"t1","exp":1700003600}`))
	_ = list.RevokeToken(context.Background(), "t1", time.Unix(1700003600, 0))
	var cl fastjwt.Claims
	_, err := codec.AppendVerifyClaims(nil, token, &cl)
	revoked, _ := list.Revoked(context.Background(), &cl)
	fmt.Println("verify:", err, "revoked:", revoked)

	short := revoke.NewMemory(revoke.MemoryOptions{Grace: 30 * time.Second})
	fmt.Println(revoke.CheckLeeway(short, codec))
	// Output:
	// grace: 5m0s leeway: 1m0s check: <nil>
	// verify: <nil> revoked: true
	// revoke: the verifier's leeway is longer than the revocation list's grace: a leeway of 1m0s, a grace of 30s (give the list a grace of at least the leeway)
}
