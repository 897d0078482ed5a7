package sessiontest

import (
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// forwarded are the header names the spoofing cases' Bearer sets for the handler.
var forwarded = []string{"X-User", "X-Tenant", "X-Claims"}

// spoofHandler reads the whole body first (so a server that merges trailers has done it), then
// answers every request header line with a forwarded name, in any spelling, sorted.
func spoofHandler(_ *bearer.Token, r Request) string {
	_ = r.Body()
	var seen []string
	for _, line := range r.Lines() {
		name, _, _ := strings.Cut(line, ":")
		for _, f := range forwarded {
			if strings.EqualFold(strings.TrimSpace(name), f) {
				seen = append(seen, line)
			}
		}
	}
	slices.Sort(seen)
	return strings.Join(seen, "|")
}

// runSpoofing sends, as raw bytes, every spelling of the forwarded headers, duplicate and
// conflicting credentials, and trailers: no client value of a forwarded header may reach the
// handler, and ambiguous credentials are refused, the same way on every stack and configuration.
func runSpoofing(t *testing.T, st Stack) {
	clk := NewClock()
	codec := Codec(t, clk, fastjwt.Key{Secret: Secret(8)})
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	payload := `{"sub":"alice","exp":` + exp + `}` // no "tenant": X-Tenant must be absent
	tok := sign(t, codec, payload)
	claims := "X-Claims: " + base64.RawURLEncoding.EncodeToString([]byte(payload))
	cfg := bearer.Config{
		Schemes: []string{"Bearer", "JWT"}, Cookie: "jwt", Query: "access_token",
		Forward:       []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "tenant", Header: "x-tenant"}},
		PayloadHeader: "X-Claims",
	}
	var mu sync.Mutex
	var causes []error
	cfg.OnInvalid = func(err error) { mu.Lock(); causes = append(causes, err); mu.Unlock() }
	b, err := bearer.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeBearer(t, b, nil, spoofHandler)
	t.Cleanup(stop)
	spoofs := []string{
		"x-user: mallory", "X-USER: mallory", "X-User: mallory", "x-User: mallory",
		"x-tenant: t0", "X-TENANT: t0", "x-claims: e30", "X-Claims: e30",
	}
	want := claims + "|X-User: alice"

	t.Run("every spelling is removed", func(t *testing.T) {
		for _, auth := range []string{"Authorization: Bearer " + tok, "authorization: bearer " + tok, "AUTHORIZATION: JWT " + tok} {
			lines := append([]string{"GET / HTTP/1.1", auth}, spoofs...)
			res := raw(t, base, lines...)
			if res.status != 200 || !sameHeaderLines(res.body, want) {
				t.Errorf("%.24s...: %d\n got %s\nwant %s", auth, res.status, res.body, want)
			}
		}
	})

	ambiguous := []struct {
		name  string
		path  string
		lines []string
	}{
		{"two Authorization lines", "/", []string{"Authorization: Bearer " + tok, "Authorization: Bearer " + tok}},
		{"two spellings of Authorization", "/", []string{"authorization: Bearer " + tok, "Authorization: Bearer x.y.z"}},
		{"other order", "/", []string{"Authorization: Bearer x.y.z", "authorization: Bearer " + tok}},
		{"Basic and Bearer", "/", []string{"Authorization: Basic dTpw", "Authorization: Bearer " + tok}},
		{"header and cookie", "/", []string{"Authorization: Bearer " + tok, "Cookie: jwt=" + tok}},
		{"header and query", "/?access_token=" + tok, []string{"Authorization: Bearer " + tok}},
		{"cookie and query", "/?access_token=" + tok, []string{"Cookie: jwt=" + tok}},
		{"two cookies", "/", []string{"Cookie: jwt=" + tok + "; jwt=" + tok}},
		{"two Cookie lines", "/", []string{"Cookie: jwt=" + tok, "cookie: jwt=x.y.z"}},
		{"two query parameters", "/?access_token=" + tok + "&access_token=" + tok, nil},
	}
	for _, tc := range ambiguous {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			causes = nil
			mu.Unlock()
			res := raw(t, base, append([]string{"GET " + tc.path + " HTTP/1.1"}, append(tc.lines, spoofs...)...)...)
			challenge := `Bearer realm="api", error="invalid_request", error_description="the request carries more than one token"`
			if res.status != 400 || res.header.Get("Www-Authenticate") != challenge {
				t.Errorf("%d %q %q, want 400 invalid_request", res.status, res.header.Get("Www-Authenticate"), res.body)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(causes) != 1 || !errors.Is(causes[0], bearer.ErrAmbiguous) {
				t.Errorf("OnInvalid got %v, want ErrAmbiguous", causes)
			}
		})
	}

	t.Run("one source each is fine", func(t *testing.T) {
		for _, tc := range []struct{ path, line string }{
			{"/", "Cookie: a=1; jwt=" + tok}, {"/?access_token=" + tok, "X-Other: 1"},
			{"/", "Authorization: Basic dTpw\r\nCookie: jwt=" + tok}, // Basic is not a bearer source
		} {
			res := raw(t, base, append([]string{"GET " + tc.path + " HTTP/1.1", tc.line}, spoofs...)...)
			if res.status != 200 || !sameHeaderLines(res.body, want) {
				t.Errorf("%s %q: %d %s", tc.path, tc.line, res.status, res.body)
			}
		}
	})

	t.Run("trailers cannot add forwarded headers", func(t *testing.T) {
		body := "5\r\nhello\r\n0\r\nX-User: admin\r\nx-tenant: t9\r\nX-Claims: e30\r\n\r\n"
		res := rawBody(t, base, body, "POST / HTTP/1.1", "Authorization: Bearer "+tok, "Transfer-Encoding: chunked", "Trailer: X-User, x-tenant, X-Claims")
		if st.MergesTrailersLate() {
			if res.status != 411 {
				t.Errorf("streamed chunked body: %d %q, want 411", res.status, res.body)
			}
			return
		}
		if res.status != 200 || !sameHeaderLines(res.body, want) {
			t.Errorf("%d\n got %s\nwant %s", res.status, res.body, want)
		}
	})

	t.Run("optional mode without a token", func(t *testing.T) {
		ocfg := cfg
		ocfg.Optional, ocfg.OnInvalid = true, nil
		ob, err := bearer.New(codec, ocfg)
		if err != nil {
			t.Fatal(err)
		}
		obase, ostop := st.ServeBearer(t, ob, nil, spoofHandler)
		t.Cleanup(ostop)
		res := raw(t, obase, append([]string{"GET / HTTP/1.1"}, spoofs...)...)
		if res.status != 200 || res.body != "" {
			t.Errorf("%d: handler saw %q", res.status, res.body)
		}
	})
}

// sameHeaderLines compares "|"-joined header lines, names ASCII case-insensitively.
func sameHeaderLines(got, want string) bool {
	g, w := strings.Split(got, "|"), strings.Split(want, "|")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		gn, gv, _ := strings.Cut(g[i], ":")
		wn, wv, _ := strings.Cut(w[i], ":")
		if !strings.EqualFold(gn, wn) || strings.TrimSpace(gv) != strings.TrimSpace(wv) {
			return false
		}
	}
	return true
}
