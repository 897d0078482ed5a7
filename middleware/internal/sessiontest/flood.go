package sessiontest

import (
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/store"
)

// Sizes of the flood case: a store of floodEntries sessions, floodProvisional of which may be
// provisional (made by a request without a cookie, never brought back): with the three that
// come back first, the flood fills the store. The flood is of requests without a cookie that
// write their session, a tenth more than the whole store holds.
const (
	floodEntries     = 40
	floodProvisional = floodEntries - 3
	floodRequests    = floodEntries + floodEntries/10
)

// runFlood sends more requests without a cookie, each writing a new session, than the
// in-memory store holds. Each is answered; the store stays full of their sessions, evicting the
// oldest; and none of that refuses the others: the sessions that came back keep their data and
// can write it, a visitor's first write is answered, and so is a login (Session.Regenerate) from
// an existing session or from a request without a cookie, in a store that is full.
func runFlood(t *testing.T, st Stack) {
	clk := NewClock()
	mem := store.NewMemory(store.MemoryOptions{MaxEntries: floodEntries, MaxProvisional: floodProvisional, Clock: clk.Now})
	base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(14)}),
		session.Config{Store: mem, TokenFields: []string{"sub"}}, &hooks{})

	// Three visitors who came back: their second request made their sessions ordinary.
	var back []string
	for range 3 {
		tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
		if res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok); res.status != 200 || res.body != "2" {
			t.Fatalf("a visitor's second request: %d %q", res.status, res.body)
		}
		back = append(back, tok)
	}
	if mem.Len() != 3 || mem.Provisional() != 0 {
		t.Fatalf("before the flood: Len %d, Provisional %d; want 3 and 0", mem.Len(), mem.Provisional())
	}

	var flood []string
	for i := range floodRequests {
		res := get(t, plainClient, base+"/?op=incr")
		tok := cookieToken(res, "session")
		if res.status != 200 || res.body != "1" || tok == "" {
			t.Fatalf("request %d of the flood: %d %q, Set-Cookie %q; want 200, 1 and a cookie", i, res.status, res.body, res.header.Values("Set-Cookie"))
		}
		flood = append(flood, tok)
	}
	if mem.Len() != floodEntries || mem.Provisional() != floodEntries-3 {
		t.Fatalf("after the flood: Len %d, Provisional %d; want %d and %d", mem.Len(), mem.Provisional(), floodEntries, floodEntries-3)
	}
	if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+flood[0]); res.body != "0" {
		t.Errorf("the flood's oldest session: %q, want it evicted (0)", res.body)
	}

	for i, tok := range back {
		if res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+tok); res.status != 200 || res.body != "3" {
			t.Errorf("returning visitor %d writing after the flood: %d %q, want 200 and 3", i, res.status, res.body)
		}
	}
	// A new visitor, then their login: a new id for their data, in a store that is full.
	tok := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
	res := get(t, plainClient, base+"/?op=signin&user=ann", "Cookie", "session="+tok)
	next := cookieToken(res, "session")
	if res.status != 200 || res.body != "2" || next == "" {
		t.Fatalf("a login after the flood: %d %q, Set-Cookie %q; want 200, 2 and a new cookie", res.status, res.body, res.header.Values("Set-Cookie"))
	}
	if res := get(t, plainClient, base+"/?op=incr", "Cookie", "session="+next); res.status != 200 || res.body != "3" {
		t.Errorf("the logged-in session's next write: %d %q, want 200 and 3", res.status, res.body)
	}
	// A login from a request without a cookie.
	if res := get(t, plainClient, base+"/?op=signin&user=bob"); res.status != 200 || res.body != "1" || cookieToken(res, "session") == "" {
		t.Errorf("a login without a cookie after the flood: %d %q, want 200 and 1", res.status, res.body)
	}
	// The flood goes on: the logged-in and returning sessions stay.
	for range floodRequests {
		if res := get(t, plainClient, base+"/?op=incr"); res.status != 200 {
			t.Fatalf("the second flood: %d %q", res.status, res.body)
		}
	}
	for i, tok := range append(back, next) {
		want := "3"
		if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.body != want {
			t.Errorf("session %d after the second flood: %q, want %s", i, res.body, want)
		}
	}
	if n := mem.Len() - mem.Provisional(); n != 3+1+1+1 {
		t.Errorf("ordinary sessions and tombstones after the second flood: %d, want 6 (3 returning, 2 logins, the tombstone of the first login's old id)", n)
	}
}
