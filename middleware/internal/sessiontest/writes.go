package sessiontest

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// runWrites checks that a session write that returns nil is stored, and one the codec would
// refuse is refused at the write, leaving the session storable.
func runWrites(t *testing.T, st Stack) {
	clk := NewClock()
	h := &hooks{}
	base := sessionServer(t, st, clk, Codec(t, clk, fastjwt.Key{Secret: Secret(2)}), session.Config{}, h)

	res := get(t, plainClient, base+"/?op=badwrites")
	got := strings.Split(res.body, "\n")
	want := []string{"sub", "nbf", "nbf", "aud", "o", "u", "two", "exp", "iat"}
	if len(got) != len(want) {
		t.Fatalf("badwrites answered %q", res.body)
	}
	for i, msg := range got {
		if msg == "nil" || !strings.Contains(msg, strconv.Quote(want[i])) {
			t.Errorf("write %d of %q: %q, want a refusal naming it", i, want[i], msg)
		}
	}
	tok := cookieToken(res, "session")
	if tok == "" {
		t.Fatalf("the counter written after the refused writes was not stored: %v", h.lastError())
	}
	if res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+tok); res.body != "1" {
		t.Errorf("next request: counter %q, want 1 (the cookie must load)", res.body)
	}
	if err := h.lastError(); err != nil {
		t.Errorf("OnError: %v", err)
	}

	// Encode of an unchanged struct holding "<&>" is no change: no new cookie.
	res = get(t, plainClient, base+"/?op=save&incr=1", "Cookie", "session="+tok)
	saved := cookieToken(res, "session")
	if res.body != "2" || saved == "" {
		t.Fatalf("save: %q, Set-Cookie %q", res.body, res.header.Values("Set-Cookie"))
	}
	res = get(t, plainClient, base+"/?op=save", "Cookie", "session="+saved)
	if sc := res.header.Values("Set-Cookie"); res.body != "2" || len(sc) != 0 {
		t.Errorf("unchanged save: %q, re-issued %q", res.body, sc)
	}
	if err := h.lastError(); err != nil && !errors.Is(err, session.ErrCookieTooLarge) {
		t.Errorf("OnError: %v", err)
	}
}
