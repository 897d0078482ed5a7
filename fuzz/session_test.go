package fuzz

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
)

// recordedHeader is a session.RequestHeader and session.ResponseHeader over a plain map, keeping
// what the session layer writes.
type recordedHeader map[string][]string

func (h recordedHeader) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range h[name] {
		dst = append(dst, []byte(v))
	}
	return dst
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

// refCookieValues is a reference reading of Cookie header lines, written from RFC 6265 and the
// documented grammar independently of the library's parser: split at ';', trim SP and HTAB,
// cut at the first '=', trim again, drop one pair of surrounding double quotes; names compare
// byte for byte.
func refCookieValues(lines []string, name string) []string {
	var out []string
	for _, line := range lines {
		for _, pair := range strings.Split(line, ";") {
			k, v, ok := strings.Cut(strings.Trim(pair, " \t"), "=")
			if !ok || strings.Trim(k, " \t") != name {
				continue
			}
			v = strings.Trim(v, " \t")
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			out = append(out, v)
		}
	}
	return out
}

// FuzzSessionCookie feeds arbitrary Cookie header lines (the input split at '\n') to the
// cookie-session layer. It must never panic, and the request must get either a stored session
// or a fresh one: the session is stored exactly when one of the first MaxSessionCookies cookies
// named "session" (read by the reference grammar above) verifies as a session token, and then
// holds exactly the first such payload's members; otherwise it is new and empty, with a reason
// when a cookie was present. Writing to any such session and committing must produce a cookie
// that a next request reads back.
func FuzzSessionCookie(f *testing.F) {
	codec := newCodec(f, fuzzKid)
	m, err := session.New(codec, session.Config{Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	// A cookie the layer itself issued, and variants of it.
	s, _ := m.Acquire(ctx, recordedHeader{})
	if err := s.Set("counter", 5); err != nil {
		f.Fatal(err)
	}
	h := recordedHeader{}
	_ = s.Commit(ctx, h)
	m.Release(s)
	issued, ok := setCookieValue(h, "session")
	if !ok {
		f.Fatalf("no session cookie issued: %v", h)
	}
	typed := func(typ fastjwt.Type, payload string) string {
		tok, err := codec.AppendSignType(nil, typ, []byte(payload))
		if err != nil {
			f.Fatal(err)
		}
		return string(tok)
	}
	other := typed(fastjwt.TypeSession, `{"counter":9,"exp":1800000000}`)
	for _, c := range []string{
		"session=" + issued,
		"a=1; session=" + issued + "; b=2",
		`session="` + issued + `"`,
		"session=; session=" + issued,
		"session=x; session=y; session=" + issued,
		"session=x; session=y; session=z; session=" + issued,
		"session=" + issued + "; session=" + other,
		"session=" + other + "\nsession=" + issued,
		"a=1\nb=2; session=" + issued,
		"sessionx=1; session=" + issued,
		" session = " + issued,
		"x=1;\tsession=" + issued,
		"session=\t" + issued,
		"session=\t" + issued + "\t",
		`session=a"b; session=` + issued,
		"session=" + issued[:len(issued)-1],
		"session=" + issued + "x",
		"session=" + strings.Replace(issued, ".", ".\r\n", 1),
		"session=" + string(signJSON([]byte(`{"alg":"HS256"}`), []byte(`{"counter":1,"exp":1700000000}`))),
		"session=" + typed(fastjwt.TypeJWT, `{"counter":1}`),
		"session=" + typed(fastjwt.TypeAccess, `{"counter":1}`) + "; session=" + issued,
		"session=" + typed(fastjwt.TypeSession, `{"a":[1,{"b":"\u00e9"}],"exp":1800000000,"iat":1700000000}`),
		"", ";", "session", "session=", `session=""`, `session="`, "=;=;", "session=a=b", "\n\n",
	} {
		f.Add([]byte(c))
	}

	f.Fuzz(func(t *testing.T, input []byte) {
		lines := strings.Split(string(input), "\n")
		req := recordedHeader{"Cookie": lines}
		cands := refCookieValues(lines, "session")
		var payload []byte
		verified := false
		for i, c := range cands {
			if i == session.MaxSessionCookies {
				break
			}
			var cl fastjwt.Claims
			p, err := codec.AppendVerifyClaims(nil, []byte(c), &cl)
			if err == nil && cl.Type() == fastjwt.TypeSession {
				payload, verified = p, true
				break
			}
		}

		s, err := m.Acquire(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Release(s)
		if verified {
			if s.IsNew() || s.InvalidReason() != nil {
				t.Fatalf("a session cookie verifies but the session is new (%v)", s.InvalidReason())
			}
			want := 0
			for _, name := range topLevelNames(payload) {
				if name == "exp" || name == "iat" || name == "jti" || name == "sid" || name == "auth_time" {
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
				t.Fatalf("no cookie verifies but the session is stored with %d values", s.Len())
			}
			if len(cands) > 0 && s.InvalidReason() == nil {
				t.Fatalf("cookies %q refused without a reason", cands)
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
		_ = s.Commit(ctx, rh)
		if s.Err() != nil {
			return // reported (a cookie over the size limit), nothing sent
		}
		next, ok := setCookieValue(rh, "session")
		if !ok {
			t.Fatalf("changed session committed without a cookie: %v", rh)
		}
		s2, _ := m.Acquire(ctx, recordedHeader{"Cookie": {"session=" + next}})
		defer m.Release(s2)
		if n, ok := s2.Int("fuzz"); s2.IsNew() || !ok || n != 7 {
			t.Fatalf("re-issued cookie not read back (new %v, reason %v, fuzz %d %v)\ncookie: %q", s2.IsNew(), s2.InvalidReason(), n, ok, next)
		}
		if len(http.Header(rh).Values("Vary")) != 1 {
			t.Fatalf("Vary %q", rh["Vary"])
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
