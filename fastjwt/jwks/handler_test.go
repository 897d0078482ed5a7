package jwks

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

func serve(h http.Handler, method string, header ...string) *http.Response {
	req := httptest.NewRequest(method, "/.well-known/jwks.json", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandler(t *testing.T) {
	keys := []testKey{newKey(t, fastjwt.ES256, "ec"), newKey(t, fastjwt.EdDSA, "ed"), newKey(t, fastjwt.PS256, "ps")}
	var pubs []fastjwt.PublicKey
	for _, k := range keys {
		pubs = append(pubs, k.pub)
	}
	h, err := Handler(pubs, 0)
	if err != nil {
		t.Fatal(err)
	}
	resp := serve(h, "GET")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Content-Type":           "application/jwk-set+json",
		"Cache-Control":          "public, max-age=300",
		"X-Content-Type-Options": "nosniff",
		"Content-Length":         itoa(len(body)),
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	etag := resp.Header.Get("ETag")
	if len(etag) < 10 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		t.Errorf("ETag %q", etag)
	}
	got, err := fastjwt.ParseJWKSet(body)
	if err != nil || len(got) != len(pubs) {
		t.Fatalf("the served set: %v, %d keys", err, len(got))
	}
	for i := range got {
		if got[i].ID != pubs[i].ID || got[i].Alg != pubs[i].Alg {
			t.Errorf("key %d: %q %v, want %q %v", i, got[i].ID, got[i].Alg, pubs[i].ID, pubs[i].Alg)
		}
	}
	for _, member := range []string{`"kid":"ec"`, `"alg":"ES256"`, `"alg":"EdDSA"`, `"alg":"PS256"`, `"use":"sig"`} {
		if !strings.Contains(string(body), member) {
			t.Errorf("the document lacks %s: %s", member, body)
		}
	}
	if strings.Contains(string(body), `"d"`) {
		t.Error("a private member published")
	}

	// HEAD: the headers, no body.
	resp = serve(h, "HEAD")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Length") != itoa(len(body)) || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, %v", resp.StatusCode, len(b), resp.Header)
	}

	// Conditional requests.
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		resp = serve(h, "GET", "If-None-Match", inm)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 304 || len(b) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("If-None-Match %s: %d, %d bytes, %v", inm, resp.StatusCode, len(b), resp.Header)
		}
	}
	resp = serve(h, "GET", "If-None-Match", `"other"`, "If-None-Match", `W/"x"`)
	if resp.StatusCode != 200 {
		t.Errorf("another ETag: %d", resp.StatusCode)
	}
	resp = serve(h, "GET", "If-None-Match", `"x"`, "If-None-Match", etag)
	if resp.StatusCode != 304 {
		t.Errorf("the ETag on a second field line: %d", resp.StatusCode)
	}

	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
		resp = serve(h, m)
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}

	// Responses do not share header slices: changing one changes no other.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	rec.Header()["Cache-Control"][0] = "changed"
	if got := serve(h, "GET").Header.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("Cache-Control %q after a response's header was changed", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestHandlerMaxAge(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "k")
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "public, max-age=300"}, {90 * time.Second, "public, max-age=90"}, {1500 * time.Millisecond, "public, max-age=1"},
		{time.Millisecond, "public, max-age=0"}, {24 * time.Hour, "public, max-age=86400"}} {
		h, err := Handler([]fastjwt.PublicKey{k.pub}, tc.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := serve(h, "GET").Header.Get("Cache-Control"); got != tc.want {
			t.Errorf("maxAge %v: %q, want %q", tc.d, got, tc.want)
		}
	}
	if _, err := Handler([]fastjwt.PublicKey{k.pub}, -time.Second); !errors.Is(err, ErrConfig) {
		t.Errorf("negative maxAge: %v", err)
	}
}

func TestHandlerRefuses(t *testing.T) {
	ec := newKey(t, fastjwt.ES256, "ec")
	noID := ec.pub
	noID.ID = ""
	wrong := ec.pub
	wrong.Alg = fastjwt.EdDSA
	for name, tc := range map[string]struct {
		keys []fastjwt.PublicKey
		want string
	}{
		"none":         {nil, "no keys"},
		"no ID":        {[]fastjwt.PublicKey{ec.pub, noID}, "key 1 has no ID"},
		"HS256":        {[]fastjwt.PublicKey{{ID: "hs", Alg: fastjwt.HS256, Key: []byte("secret")}}, "secrets are never published"},
		"no algorithm": {[]fastjwt.PublicKey{{ID: "x", Key: ec.pub.Key}}, "no algorithm"},
		"wrong type":   {[]fastjwt.PublicKey{wrong}, "EdDSA needs"},
		"duplicate":    {[]fastjwt.PublicKey{ec.pub, ec.pub}, "two keys have one ID"},
		"no key":       {[]fastjwt.PublicKey{{ID: "x", Alg: fastjwt.ES256}}, "ES256 needs"},
	} {
		_, err := Handler(tc.keys, 0)
		if !errors.Is(err, fastjwt.ErrKey) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

// The two sides together: a client of the handler verifies the issuer's tokens, and its
// refreshes are answered with 304.
func TestHandlerAndClient(t *testing.T) {
	k := newKey(t, fastjwt.ES256, "2026-01")
	issuer, err := fastjwt.NewSigner(k.priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Handler(issuer.PublicKeys(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []int
	srv := newServer(t, nil)
	srv.set(func(s *server) {
		s.handler = func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			s.mu.Lock()
			statuses = append(statuses, rec.Code)
			s.mu.Unlock()
			for name, v := range rec.Header() {
				w.Header()[name] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		}
	})
	c := newClient(t, srv, Options{MinRefresh: 20 * time.Millisecond, MaxRefresh: time.Hour})
	if got := time.Duration(c.next.Load()); got != time.Second {
		t.Errorf("the client refreshes after %v, want the handler's max-age, 1s", got)
	}
	tok, _ := issuer.AppendSign(nil, []byte(testPayload))
	if err := verify(c, tok); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a refresh", func() bool { return srv.count() >= 2 })
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if statuses[0] != 200 || statuses[1] != 304 {
		t.Errorf("statuses %v, want 200 then 304", statuses)
	}
}
