package fuzz

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// recordedHeader is a session.ResponseHeader that keeps what the session layer writes.
type recordedHeader map[string][]string

func (h recordedHeader) Peek(name string) []byte {
	if v := h[name]; len(v) > 0 {
		return []byte(v[0])
	}
	return nil
}
func (h recordedHeader) Set(name, value string)             { h[name] = []string{value} }
func (h recordedHeader) Add(name, value string)             { h[name] = append(h[name], value) }
func (h recordedHeader) AddBytes(name string, value []byte) { h.Add(name, string(value)) }

// setCookieValue returns the value of the first Set-Cookie line for the cookie called name.
func setCookieValue(h recordedHeader, name string) (string, bool) {
	for _, line := range h["Set-Cookie"] {
		nv, _, _ := strings.Cut(line, ";")
		if n, v, ok := strings.Cut(nv, "="); ok && n == name {
			return v, true
		}
	}
	return "", false
}

// within reports whether sub lies inside buf's memory.
func within(sub, buf []byte) bool {
	if len(sub) == 0 {
		return true
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	return p >= start && p+uintptr(len(sub)) <= start+uintptr(len(buf))
}

// FuzzSessionCookie feeds arbitrary Cookie header values to the cookie-session layer. It must
// never panic, and the request must get either the stored session or a fresh one: the session
// is stored (not new) exactly when the codec verifies the cookie value CookieValue extracts, and
// then holds exactly the payload's members; otherwise it is new and empty, with the codec's
// reason when a value was present. Writing to any such session and committing must produce a
// cookie that a next request reads back.
func FuzzSessionCookie(f *testing.F) {
	codec := newCodec(f, fuzzKid)
	m, err := session.New(codec, session.Config{Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	// A cookie the layer itself issued, and variants of it.
	s := m.Acquire(nil)
	if err := s.Set("counter", 5); err != nil {
		f.Fatal(err)
	}
	h := recordedHeader{}
	s.Commit(h)
	m.Release(s)
	issued, ok := setCookieValue(h, "session")
	if !ok {
		f.Fatalf("no session cookie issued: %v", h)
	}
	for _, c := range []string{
		"session=" + issued,
		"a=1; session=" + issued + "; b=2",
		`session="` + issued + `"`,
		"session=; session=" + issued,
		"sessionx=1; session=" + issued,
		" session = " + issued,
		"session=" + issued[:len(issued)-1],
		"session=" + issued + "x",
		"session=" + strings.Replace(issued, ".", ".\r\n", 1),
		"session=" + string(signJSON([]byte(`{"alg":"HS256"}`), []byte(`{"counter":1,"exp":1700000000}`))),
		"session=" + string(signJSON([]byte(`{"alg":"HS256"}`), []byte(`{"a":[1,{"b":"\u00e9"}],"exp":1800000000,"iat":1700000000}`))),
		"session=" + string(signJSON([]byte(`{"alg":"HS256","kid":"k2"}`), []byte(`{}`))),
		"", ";", "session", "session=", `session=""`, `session="`, "=;=;", "session=a=b",
	} {
		f.Add([]byte(c))
	}

	f.Fuzz(func(t *testing.T, header []byte) {
		v := session.CookieValue(header, "session")
		if !within(v, header) {
			t.Fatalf("CookieValue result does not point into the header")
		}
		payload, verr := codec.AppendVerify(nil, v)

		s := m.Acquire(v)
		defer m.Release(s)
		if verr == nil {
			if s.IsNew() || s.InvalidReason() != nil {
				t.Fatalf("codec verifies %q but the session is new (%v)", v, s.InvalidReason())
			}
			want := 0
			for _, name := range topLevelNames(payload) {
				if name == "exp" || name == "iat" {
					continue // the session layer's own claims
				}
				want++
				raw, ok := s.Raw(name)
				lraw, _ := fastjwt.LookupClaim(payload, name)
				if !ok || !bytes.Equal(raw, lraw) {
					t.Fatalf("session value %q = %q, %v; payload has %q", name, raw, ok, lraw)
				}
				s.Get(name)
			}
			if s.Len() != want {
				t.Fatalf("session has %d values, payload %d (%q)", s.Len(), want, payload)
			}
		} else {
			if !s.IsNew() || s.Len() != 0 {
				t.Fatalf("codec refuses %q (%v) but the session is stored with %d values", v, verr, s.Len())
			}
			if len(v) > 0 && s.InvalidReason() == nil {
				t.Fatalf("cookie %q refused without a reason", v)
			}
		}
		for _, name := range s.Names() {
			s.Get(name)
		}

		// Write and read back.
		if err := s.Set("fuzz", 7); err != nil {
			t.Fatalf("Set on a %s session: %v", map[bool]string{true: "new", false: "stored"}[s.IsNew()], err)
		}
		rh := recordedHeader{}
		s.Commit(rh)
		if s.Err() != nil {
			return // reported (e.g. a cookie over 4096 bytes), nothing sent
		}
		next, ok := setCookieValue(rh, "session")
		if !ok {
			t.Fatalf("changed session committed without a cookie: %v", rh)
		}
		s2 := m.Acquire([]byte(next))
		defer m.Release(s2)
		if n, ok := s2.Int("fuzz"); s2.IsNew() || !ok || n != 7 {
			t.Fatalf("re-issued cookie not read back (new %v, reason %v, fuzz %d %v)\ncookie: %q", s2.IsNew(), s2.InvalidReason(), n, ok, next)
		}
	})
}

// topLevelNames returns the decoded top-level member names of a verified payload.
func topLevelNames(payload []byte) []string {
	var names []string
	for k := range rawMembers(payload) {
		names = append(names, k)
	}
	return names
}
