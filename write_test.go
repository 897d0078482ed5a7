package session_test

import (
	"errors"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// Every write that returns nil is stored; every write the codec would refuse is refused at the
// write, with nothing stored, and the session stays storable.
func TestWritesAreValidatedByTheCodec(t *testing.T) {
	m := newManager(t, session.Config{})
	s := acquire(t, m, "")
	refused := []struct {
		name string
		err  error
		want error
	}{
		{"sub", s.Set("sub", 42), fastjwt.ErrClaimType},
		{"nbf", s.Set("nbf", "soon"), fastjwt.ErrClaimType},
		{"nbf", s.Set("nbf", t0.Unix()+3600), fastjwt.ErrNotYetValid},
		{"iss", s.Set("iss", true), fastjwt.ErrClaimType},
		{"jti", s.Set("jti", 7), session.ErrReserved},
		{"aud", s.Set("aud", []int{1}), fastjwt.ErrClaimType},
		{"aud", s.Set("aud", "api"), fastjwt.ErrAudience}, // the codec has no audience
		{"o", s.SetRaw("o", []byte(`{"a":1,"a":2}`)), session.ErrValue},
		{"o", s.SetRaw("o", []byte(`{"a":1,"\u0061":2}`)), session.ErrValue},
		{"u", s.SetRaw("u", []byte("\"\xff\"")), session.ErrValue},
		{"u", s.SetRaw("u", []byte(`"\ud800"`)), session.ErrValue},
		{"n", s.SetRaw("n", []byte(`01`)), session.ErrValue},
		{"n", s.SetRaw("n", []byte(`NaN`)), session.ErrValue},
		{"two", s.SetRaw("two", []byte(`1,"exp":5`)), session.ErrValue},
		{"two", s.SetRaw("two", []byte(`1 2`)), session.ErrValue},
		{"deep", s.SetRaw("deep", []byte(strings.Repeat("[", 64)+strings.Repeat("]", 64))), session.ErrValue},
		{"empty", s.SetRaw("empty", nil), session.ErrValue},
		{"raw", s.Set("raw", json.RawMessage(`{"a":1,"a":1}`)), session.ErrValue},
		{"f", s.Set("f", struct{ C chan int }{}), session.ErrValue},
		{"exp", s.Set("exp", 1), session.ErrReserved},
		{"iat", s.SetRaw("iat", []byte("1")), session.ErrReserved},
		{"\xff", s.Set("\xff", 1), session.ErrValue},
	}
	for _, r := range refused {
		if !errors.Is(r.err, r.want) {
			t.Errorf("write of %q: %v, want %v", r.name, r.err, r.want)
		}
		if s.Has(r.name) {
			t.Errorf("refused write of %q was stored", r.name)
		}
	}
	accepted := map[string]error{
		"sub": s.Set("sub", "alice"), "nbf": s.Set("nbf", t0.Unix()-60), "iss": s.Set("iss", "me"),
		"deep": s.SetRaw("deep", []byte(strings.Repeat("[", 62)+strings.Repeat("]", 62))),
		"html": s.Set("html", "<&>"), "ws": s.SetRaw("ws", []byte(" \n[1, 2]\t")),
	}
	for name, err := range accepted {
		if err != nil {
			t.Errorf("write of %q: %v", name, err)
		}
	}
	if raw, _ := s.Raw("ws"); string(raw) != "[1, 2]" {
		t.Errorf("SetRaw kept the surrounding whitespace: %q", raw)
	}
	if raw, _ := s.Raw("html"); string(raw) != `"<&>"` {
		t.Errorf("Set escaped HTML: %s", raw)
	}
	tok, _ := roundTrip(m, s)
	if tok == "" {
		t.Fatal("the session was not issued after the refused writes")
	}
	s = acquire(t, m, tok)
	defer m.Release(s)
	if s.IsNew() {
		t.Fatalf("the issued session does not load: %v", s.InvalidReason())
	}
	if v, _ := s.String("sub"); v != "alice" {
		t.Errorf("sub = %q", v)
	}
}

// The same value written by Set, SetRaw or Save is the same bytes: writing it again is no change.
func TestUnchangedValuesNeverReissue(t *testing.T) {
	type note struct {
		Text  string         `json:"text"`
		Extra map[string]any `json:"extra"`
	}
	m := newManager(t, session.Config{})
	s := acquire(t, m, "")
	v := note{Text: "<&> \u2028 é", Extra: map[string]any{"b": 1, "a": "<"}}
	if err := session.Encode(s, v); err != nil {
		t.Fatal(err)
	}
	tok, _ := roundTrip(m, s)
	for name, write := range map[string]func(s *session.Session) error{
		"Save": func(s *session.Session) error { return session.Encode(s, v) },
		"Set":  func(s *session.Session) error { return s.Set("text", v.Text) },
		// SetRaw compares bytes: the same encoding is no change.
		"SetRaw": func(s *session.Session) error { return s.SetRaw("text", []byte(` "<&> \u2028 é" `)) },
		"Set of the map": func(s *session.Session) error {
			return s.Set("extra", map[string]any{"a": "<", "b": 1})
		},
	} {
		s := acquire(t, m, tok)
		if err := write(s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if again, _ := roundTrip(m, s); again != "" {
			t.Errorf("%s of an unchanged value re-issued the cookie", name)
		}
	}
}

func TestSaveRefusesWhatSetRefuses(t *testing.T) {
	m := newManager(t, session.Config{})
	s := acquire(t, m, "")
	defer m.Release(s)
	_ = s.Set("keep", 1)
	for name, v := range map[string]any{
		"sub of the wrong type": map[string]any{"sub": 42},
		"future nbf":            map[string]any{"nbf": t0.Unix() + 3600},
		"exp":                   map[string]any{"exp": 1},
		"not an object":         []int{1},
	} {
		if err := session.Encode(s, v); err == nil {
			t.Errorf("Save with %s accepted", name)
		}
		if n, _ := s.Int("keep"); n != 1 {
			t.Errorf("a refused Save (%s) changed the session", name)
		}
	}
}
