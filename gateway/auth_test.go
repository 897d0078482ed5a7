package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// authCase is one forward-auth subrequest and the answer it must get.
type authCase struct {
	name   string
	lines  []string // request header lines, spelled as sent
	status int
	user   *string // X-User of a 200: the value, "" for present and empty
	role   *string
	// challenge is a substring of WWW-Authenticate ("" for none).
	challenge string
	fail      bool // make the revocation list fail
}

func ptr(s string) *string { return &s }

func authCases(t *testing.T) []authCase {
	good := mint(t, `"sub":"alice","role":"editor"`)
	noRole := mint(t, `"sub":"bob"`)
	admin := mint(t, `"sub":"root","aud":"admin"`)
	expired := mint(t, `"sub":"alice","exp":1000000000`)
	revoked := mint(t, `"sub":"alice","jti":"revoked"`)
	session := mintType(t, fastjwt.TypeSession, `"sub":"alice"`)
	tampered := good[:len(good)-4] + "AAAA"
	unsafe := mint(t, `"sub":"a\r\nX-Role: admin","role":"x"`)
	return []authCase{
		{name: "valid", lines: []string{"Authorization: Bearer " + good}, status: 200, user: ptr("alice"), role: ptr("editor")},
		{name: "name lower case", lines: []string{"authorization: Bearer " + good}, status: 200, user: ptr("alice")},
		{name: "name upper case", lines: []string{"AUTHORIZATION: bearer " + good}, status: 200, user: ptr("alice")},
		{name: "scheme JWT", lines: []string{"Authorization: JWT " + good}, status: 200, user: ptr("alice")},
		{name: "absent claim sent empty", lines: []string{"Authorization: Bearer " + noRole}, status: 200, user: ptr("bob"), role: ptr("")},
		{name: "unsafe claim sent empty", lines: []string{"Authorization: Bearer " + unsafe}, status: 200, user: ptr(""), role: ptr("x")},
		{name: "no token", status: 401, challenge: `Bearer realm="api"`},
		{name: "other scheme", lines: []string{"Authorization: Basic YTpi"}, status: 401, challenge: `realm="api"`},
		{name: "bad signature", lines: []string{"Authorization: Bearer " + tampered}, status: 401, challenge: `error="invalid_token"`},
		{name: "expired", lines: []string{"Authorization: Bearer " + expired}, status: 401, challenge: `expired`},
		{name: "session token", lines: []string{"Authorization: Bearer " + session}, status: 401, challenge: `purpose`},
		{name: "revoked", lines: []string{"Authorization: Bearer " + revoked}, status: 401, challenge: `revoked`},
		{name: "revocation down", lines: []string{"Authorization: Bearer " + good}, status: 503, fail: true},
		{name: "wrong audience", lines: []string{"Authorization: Bearer " + admin}, status: 403, challenge: `insufficient_scope`},
		{name: "two Authorization", lines: []string{"Authorization: Bearer " + good, "Authorization: Bearer " + good}, status: 400, challenge: `invalid_request`},
		{name: "two Authorization spellings", lines: []string{"Authorization: Bearer " + good, "authorization: Bearer " + good}, status: 400},
		{name: "admin route", lines: []string{"X-Forwarded-Uri: /admin/users?x=1", "Authorization: Bearer " + admin}, status: 200, user: ptr("root"), role: ptr("")},
		{name: "admin route by X-Original-URI", lines: []string{"x-original-uri: /admin/users", "Authorization: Bearer " + admin}, status: 200, user: ptr("root")},
		{name: "admin route, api token", lines: []string{"X-Forwarded-Uri: /admin/users", "Authorization: Bearer " + good}, status: 403, challenge: `realm="admin"`},
		{name: "admin route escaped", lines: []string{"X-Forwarded-Uri: /%61dmin/users", "Authorization: Bearer " + good}, status: 403, challenge: `realm="admin"`},
		{name: "admin route absolute form", lines: []string{"X-Original-URI: http://site.test/admin/x", "Authorization: Bearer " + good}, status: 403, challenge: `realm="admin"`},
		{name: "admin cookie", lines: []string{"X-Forwarded-Uri: /admin/", "Cookie: a=1; tok=" + admin}, status: 200, user: ptr("root")},
		{name: "admin cookie lower case", lines: []string{"x-forwarded-uri: /admin/", "cookie: tok=" + admin}, status: 200, user: ptr("root")},
		{name: "admin two cookies", lines: []string{"X-Forwarded-Uri: /admin/", "Cookie: tok=" + admin, "cookie: tok=" + admin}, status: 400},
		{name: "admin cookie and header", lines: []string{"X-Forwarded-Uri: /admin/", "Cookie: tok=" + admin, "Authorization: Bearer " + admin}, status: 400},
		{name: "cookie off the route", lines: []string{"Cookie: tok=" + good}, status: 401},
		{name: "both URIs agree", lines: []string{"X-Forwarded-Uri: /admin/x", "X-Original-URI: /admin/x", "Authorization: Bearer " + admin}, status: 200},
		{name: "URIs conflict", lines: []string{"X-Forwarded-Uri: /public", "X-Original-URI: /admin/x", "Authorization: Bearer " + good}, status: 400},
		{name: "two X-Forwarded-Uri", lines: []string{"X-Forwarded-Uri: /public", "x-forwarded-uri: /public", "Authorization: Bearer " + good}, status: 400},
		{name: "dot segments", lines: []string{"X-Forwarded-Uri: /public/../admin/x", "Authorization: Bearer " + good}, status: 400},
		{name: "encoded dot segments", lines: []string{"X-Forwarded-Uri: /public/%2e%2e;/admin/x", "Authorization: Bearer " + good}, status: 400},
		{name: "encoded slash", lines: []string{"X-Forwarded-Uri: /admin%2fx", "Authorization: Bearer " + good}, status: 400},
		{name: "empty segment", lines: []string{"X-Forwarded-Uri: //admin/x", "Authorization: Bearer " + good}, status: 400},
		{name: "not a path", lines: []string{"X-Forwarded-Uri: admin", "Authorization: Bearer " + good}, status: 400},
		{name: "too long", lines: []string{"X-Forwarded-Uri: /" + strings.Repeat("a", maxTarget), "Authorization: Bearer " + good}, status: 400},
	}
}

// checkAuth asserts the answer of c, whatever endpoint answered it (ext tells Envoy's).
func checkAuth(t *testing.T, c authCase, a rawAnswer, ext bool) {
	t.Helper()
	if a.status != c.status {
		t.Fatalf("status %d, want %d (%q)", a.status, c.status, a.lines)
	}
	cc := a.get(t, "Cache-Control")
	if c.status != 200 {
		if cc != "no-store" {
			t.Errorf("Cache-Control %q on a refusal", cc)
		}
		for _, h := range []string{"X-User", "X-Role"} {
			if vs := a.values(h); len(vs) != 0 {
				t.Errorf("%s %q in a refusal", h, vs)
			}
		}
		wa := a.values("WWW-Authenticate")
		if c.challenge != "" && (len(wa) != 1 || !strings.Contains(wa[0], c.challenge)) {
			t.Errorf("challenge %q, want one containing %q", wa, c.challenge)
		}
		if c.status == 503 && a.get(t, "Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		return
	}
	n, ok := strings.CutPrefix(cc, "private, max-age=")
	age, err := strconv.Atoi(n)
	if !ok || err != nil || age < 0 || age > 60 {
		t.Errorf("Cache-Control %q, want private, max-age within MaxCacheAge", cc)
	}
	var removed []string
	if ext {
		if vs := a.values(envoyRemove); len(vs) == 1 {
			removed = strings.Split(vs[0], ",")
		}
	}
	for _, h := range []struct {
		name string
		want *string
	}{{"X-User", c.user}, {"X-Role", c.role}} {
		if h.want == nil {
			continue
		}
		vs := a.values(h.name)
		switch {
		case *h.want == "" && ext:
			if len(vs) != 0 || !contains(removed, strings.ToLower(h.name)) {
				t.Errorf("%s: %q, removed %q; want it absent and listed for removal", h.name, vs, removed)
			}
		case *h.want == "":
			if len(vs) != 1 || vs[0] != "" {
				t.Errorf("%s: %q, want one empty line", h.name, vs)
			}
		default:
			if len(vs) != 1 || vs[0] != *h.want {
				t.Errorf("%s: %q, want %q", h.name, vs, *h.want)
			}
			if contains(removed, strings.ToLower(h.name)) {
				t.Errorf("%s set and listed for removal", h.name)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestAuthOutcomes runs every outcome through /auth, on the gateway's own server (header names
// as sent) and on a fasthttp server that normalizes names, and through /ext-authz.
func TestAuthOutcomes(t *testing.T) {
	rl := &revocations{}
	g := newGateway(t, testConfig(t, rl))
	servers := map[string]string{"own": serve(t, NewServer(g)), "normalizing": serveNormalizing(t, g)}
	for _, c := range authCases(t) {
		for name, addr := range servers {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				rl.fail.Store(c.fail)
				defer rl.fail.Store(false)
				checkAuth(t, c, roundTrip(t, addr, "GET", "/auth", c.lines...), false)
			})
		}
		// Envoy: the original path is in the request target; the forwarded-URI headers are
		// not read (a client could send them through).
		t.Run("ext-authz/"+c.name, func(t *testing.T) {
			lines, target := []string{}, "/ext-authz/"
			for _, l := range c.lines {
				name, v, _ := strings.Cut(l, ": ")
				if strings.EqualFold(name, "X-Forwarded-Uri") || strings.EqualFold(name, "X-Original-Uri") {
					target = "/ext-authz" + v
					continue
				}
				lines = append(lines, l)
			}
			if c.name == "URIs conflict" || c.name == "two X-Forwarded-Uri" || c.name == "both URIs agree" ||
				strings.HasPrefix(target, "/ext-authzhttp") || target == "/ext-authzadmin" {
				t.Skip("a header-only case")
			}
			rl.fail.Store(c.fail)
			defer rl.fail.Store(false)
			checkAuth(t, c, roundTrip(t, servers["own"], "POST", target, lines...), true)
		})
	}
}

// TestClaimHeadersFromClient: a client's own claim header, in any spelling, never appears in an
// answer next to (or instead of) the verified one, with a token, without one, or with a token
// that lacks the claim.
func TestClaimHeadersFromClient(t *testing.T) {
	g := newGateway(t, testConfig(t, nil))
	addr := serve(t, NewServer(g))
	good := mint(t, `"sub":"alice"`)
	for _, spelling := range []string{"X-User", "x-user", "X-USER", "x-UsEr", "X_User"} {
		for _, tc := range []struct {
			auth   string
			status int
			user   []string
		}{
			{"Authorization: Bearer " + good, 200, []string{"alice"}},
			{"X-Nothing: 1", 401, nil},
		} {
			for _, target := range []string{"/auth", "/ext-authz/x"} {
				a := roundTrip(t, addr, "GET", target, spelling+": mallory", "x-role: boss", tc.auth)
				if a.status != tc.status || fmt.Sprint(a.values("X-User")) != fmt.Sprint(tc.user) {
					t.Errorf("%s %s %q: %d X-User %q, want %d %q", target, spelling, tc.auth, a.status, a.values("X-User"), tc.status, tc.user)
				}
				for _, l := range a.lines {
					if strings.Contains(l[1], "mallory") || strings.Contains(l[1], "boss") {
						t.Errorf("%s: a client value in the answer: %q", target, l)
					}
				}
				if tc.status == 200 && target == "/auth" && fmt.Sprint(a.values("X-Role")) != "[]" {
					t.Errorf("X-Role %q, want one empty line", a.values("X-Role"))
				}
				if tc.status == 200 && target != "/auth" && a.get(t, envoyRemove) != "x-role" {
					t.Errorf("%s %q", envoyRemove, a.values(envoyRemove))
				}
			}
		}
	}
}

// TestCacheControlExpiry: max-age never reaches past the token's expiry, nor past MaxCacheAge.
func TestCacheControlExpiry(t *testing.T) {
	for _, tc := range []struct {
		maxAge time.Duration
		exp    time.Duration // from now; 0: no exp claim
		lo, hi int
	}{
		{time.Minute, 20 * time.Second, 17, 20},
		{time.Minute, time.Hour, 60, 60},
		{time.Minute, 0, 60, 60},
		{0, time.Hour, 0, 0},
		{time.Hour, 1500 * time.Millisecond, 0, 1},
	} {
		cfg := testConfig(t, nil)
		cfg.MaxCacheAge = tc.maxAge
		addr := serve(t, NewServer(newGateway(t, cfg)))
		claims := `"sub":"a"`
		if tc.exp != 0 {
			claims += fmt.Sprintf(`,"exp":%.3f`, float64(time.Now().Add(tc.exp).UnixMilli())/1000)
		} else {
			claims += `,"exp":null`
		}
		var tok string
		if tc.exp == 0 {
			p := `{"iss":"` + issuer + `","aud":"api","sub":"a"}`
			b, err := newCodec(t).AppendSign(nil, []byte(p))
			if err != nil {
				t.Fatal(err)
			}
			tok = string(b)
		} else {
			tok = mint(t, claims)
		}
		a := roundTrip(t, addr, "GET", "/auth", "Authorization: Bearer "+tok)
		n, _ := strings.CutPrefix(a.get(t, "Cache-Control"), "private, max-age=")
		age, err := strconv.Atoi(n)
		if a.status != 200 || err != nil || age < tc.lo || age > tc.hi {
			t.Errorf("max %v exp %v: %d %q, want max-age in [%d, %d]", tc.maxAge, tc.exp, a.status, a.values("Cache-Control"), tc.lo, tc.hi)
		}
	}
}
