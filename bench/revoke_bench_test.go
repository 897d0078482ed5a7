package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// The "not revoked" check of the in-memory revocation list beside the verify it follows, on the
// many-clients workload: 10 000 clients, each with its own token (its own "jti" and "sub"),
// checked in turn against a list holding 100 000 revoked "jti"s and 10 000 subject epochs, none
// of which names them (the common case: almost every token presented is not revoked). Unlike a
// single token checked again and again, the entries a check looks at are not all in the CPU's
// nearest caches.

const (
	revokedJTIs     = 100000
	revokedSubjects = 10000
)

// newRevokeList returns the in-memory list of the workload. The entries last an hour.
func newRevokeList(tb testing.TB) *revoke.Memory {
	tb.Helper()
	l := revoke.NewMemory(revoke.MemoryOptions{})
	ctx := context.Background()
	until := time.Now().Add(time.Hour)
	for i := range revokedJTIs {
		if err := l.RevokeToken(ctx, fmt.Sprintf("0b7e55ed-7b4d-4e8a-9c1f-%012d", i), until); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range revokedSubjects {
		if err := l.RevokeSubject(ctx, fmt.Sprint("revoked-user-", i), time.Now(), until); err != nil {
			tb.Fatal(err)
		}
	}
	return l
}

// clientClaims returns the verified claims of each client's token. Each Claims points into its
// own payload buffer, as a server's would in its own request.
func clientClaims(tb testing.TB, toks [][]byte) []fastjwt.Claims {
	tb.Helper()
	c := newCodec(fastjwt.WithVerifyCache(0))
	cls := make([]fastjwt.Claims, len(toks))
	for i, tok := range toks {
		if _, err := c.AppendVerifyClaims(nil, tok, &cls[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return cls
}

// revokeCheck returns a function that checks the claims of the next client in turn and fails
// when one is said revoked.
func revokeCheck(l revoke.List, cls []fastjwt.Claims) func() error {
	ctx := context.Background()
	i := 0
	return func() error {
		r, err := l.Revoked(ctx, &cls[i])
		if i++; i == len(cls) {
			i = 0
		}
		if err != nil || r {
			return fmt.Errorf("Revoked = %v, %v; want false, nil", r, err)
		}
		return nil
	}
}

// verifyClients returns a function that verifies the token of the next client in turn with c,
// then, when l is not nil, checks it against l: what a request pays.
func verifyClients(c *fastjwt.Codec, toks [][]byte, l revoke.List) func() error {
	ctx := context.Background()
	buf := make([]byte, 0, 512)
	var cl fastjwt.Claims
	i := 0
	return func() error {
		var err error
		buf, err = c.AppendVerifyClaims(buf[:0], toks[i], &cl)
		if i++; i == len(toks) {
			i = 0
		}
		if err != nil || l == nil {
			return err
		}
		if r, err := l.Revoked(ctx, &cl); err != nil || r {
			return fmt.Errorf("Revoked = %v, %v; want false, nil", r, err)
		}
		return nil
	}
}

// BenchmarkRevoke: the verify of the workload's token seen before (verify-one, the reference);
// the check alone, of one token again and again (one) and of the clients' tokens in turn
// (clients), on one core and on all; and the verify of the clients' tokens without and with the
// check after it, with the verified-token cache of 64 Ki entries that
// keeps most of them (see BenchmarkClients).
func BenchmarkRevoke(b *testing.B) {
	toks := clientTokens(b, nil)
	cls := clientClaims(b, toks)
	l := newRevokeList(b)
	run := func(name string, f func() error) {
		b.Run(name, func(b *testing.B) {
			runtime.GC() // the setup's garbage is not this benchmark's
			m := startCPU(b)
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			m.stop(b)
		})
	}
	verify, _ := fastjwtRaw(token)
	run("verify-one", verify) // the reference: the verify of a token seen before
	run("memory-one", revokeCheck(l, cls[:1]))
	run("memory-clients", revokeCheck(l, cls))
	b.Run("memory-clients-parallel", func(b *testing.B) {
		runtime.GC()
		m := startCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			f := revokeCheck(l, cls)
			for pb.Next() {
				if err := f(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		m.stop(b)
	})
	for _, withList := range []bool{false, true} {
		name, list := "verify-clients", revoke.List(nil)
		if withList {
			name, list = "verify-clients+memory", l
		}
		c := newCodec(fastjwt.WithVerifyCache(64 << 10))
		f := verifyClients(c, toks, list)
		for range toks { // one round first: the steady state of a server
			if err := f(); err != nil {
				b.Fatal(err)
			}
		}
		run(name, f)
	}
}
