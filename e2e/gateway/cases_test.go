package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// front is what a client talks to: a proxy in front of the gateway, or the gateway itself in
// reverse-proxy mode.
type front struct {
	name string
	base string // "http://127.0.0.1:PORT"
	// refusal maps a refusal status of the gateway to the status the client gets through this
	// front (nginx answers 500 for anything but 401 and 403); nil: the same status.
	refusal func(gatewayStatus int) int
	// answers maps a case's name to the status the client gets through this front where the
	// front differs from the gateway (it answers a request itself, or does not pass the gateway
	// everything the client sent). 200 is then checked as any allowed request.
	answers map[string]int
}

// spoofed is the value a hostile client puts in the claim headers; it must never reach the
// upstream.
const spoofed = "mallory"

// spellings are the ways a client may write the claim header X-User: each must be removed.
var spellings = []string{"X-User", "x-user", "X-USER", "x-User"}

// header is one request header as the client writes it: the name is sent exactly as spelled.
type header struct{ name, value string }

func bearer(tok string) header { return header{"Authorization", "Bearer " + tok} }

// proxyCase is one request and what must come of it.
type proxyCase struct {
	name    string
	method  string // default GET
	path    string // default "/api/items?page=2"
	headers []header
	body    string

	status int // the gateway's verdict: 200, or the refusal status
	// On 200: the values of X-User and X-Role the upstream must see, once each. "" means the
	// header must be absent or empty (the token lacks the claim).
	user, role string
	// On 401: a text the WWW-Authenticate challenge must contain. A request without a token
	// gets a challenge without an error code (RFC 6750 sec. 3.1): noToken says so.
	challenge string
	noToken   bool
}

// twoAuthorizations is the name of the case with two Authorization headers.
const twoAuthorizations = "two Authorization headers"

// The names of the cases with the token in the cookie (--cookie), alone and with a header too.
const (
	cookieOnly      = "token in the cookie"
	cookieAndHeader = "token in both the Authorization header and the cookie"
)

// cases are the checks every front passes.
func cases() []proxyCase {
	cs := []proxyCase{
		{name: "valid token", headers: []header{bearer(validToken())}, status: 200, user: "alice", role: "admin"},
		{name: "valid token, lower-case scheme", headers: []header{{"Authorization", "bearer " + validToken()}}, status: 200, user: "alice", role: "admin"},
		{name: "valid token, POST with a body", method: "POST", path: "/api/items", body: strings.Repeat("x", 3000),
			headers: []header{bearer(validToken()), {"Content-Type", "text/plain"}}, status: 200, user: "alice", role: "admin"},
		{name: "no token", status: 401, challenge: "Bearer", noToken: true},
		{name: "malformed token", headers: []header{bearer("not.a.jwt")}, status: 401, challenge: `error="invalid_token"`},
		{name: "signed with another key", headers: []header{bearer(otherKeyToken())}, status: 401, challenge: `error="invalid_token"`},
		{name: "expired", headers: []header{bearer(expiredToken())}, status: 401, challenge: `error="invalid_token"`},
		{name: "wrong audience", headers: []header{bearer(wrongAudToken())}, status: 403},
		// Another purpose is 401 whatever the audience: 403 is for an access token's scope.
		{name: "session token, no audience", headers: []header{bearer(sessionToken(nil))}, status: 401, challenge: `error_description="the token is not valid for this purpose"`},
		{name: "session token, wrong audience", headers: []header{bearer(sessionToken("other.example.com"))}, status: 401, challenge: `error_description="the token is not valid for this purpose"`},
		{name: "session token, right audience", headers: []header{bearer(sessionToken(audience))}, status: 401, challenge: `error_description="the token is not valid for this purpose"`},
		{name: twoAuthorizations, headers: []header{bearer(validToken()), bearer(validToken())}, status: 400},
		{name: cookieOnly, headers: []header{{"Cookie", cookieName + "=" + validToken()}}, status: 200, user: "alice", role: "admin"},
		{name: cookieAndHeader, headers: []header{bearer(validToken()), {"Cookie", cookieName + "=" + validToken()}}, status: 400,
			user: "alice", role: "admin"}, // what a front that drops the cookie lets through
		{name: "token lacking the sub claim", headers: []header{bearer(tokenWithoutSub())}, status: 200, user: "", role: "admin"},
	}
	for _, sp := range spellings {
		cs = append(cs,
			proxyCase{name: "client's " + sp + " with a valid token",
				headers: []header{{sp, spoofed}, bearer(validToken())}, status: 200, user: "alice", role: "admin"},
			proxyCase{name: "client's " + sp + " without a token",
				headers: []header{{sp, spoofed}}, status: 401, challenge: "Bearer", noToken: true},
			proxyCase{name: "client's " + sp + " with a bad token",
				headers: []header{{sp, spoofed}, bearer(otherKeyToken())}, status: 401, challenge: `error="invalid_token"`},
			proxyCase{name: "client's " + sp + " with a token lacking the claim",
				headers: []header{{sp, spoofed}, bearer(tokenWithoutSub())}, status: 200, user: "", role: "admin"},
		)
	}
	// CGI, PHP and WSGI give applications X_User and X-User under one name (HTTP_X_USER): the
	// underscore spelling must not reach the upstream either.
	cs = append(cs,
		proxyCase{name: "client's X_User and X_Role with a valid token",
			headers: []header{{"X_User", spoofed}, {"x_role", spoofed}, bearer(validToken())}, status: 200, user: "alice", role: "admin"},
		proxyCase{name: "client's X_User with a token lacking the claim",
			headers: []header{{"X_User", spoofed}, bearer(tokenWithoutSub())}, status: 200, user: "", role: "admin"},
	)
	every := []header{bearer(validToken())}
	none := []header{bearer(tokenWithoutSub())}
	for _, sp := range spellings {
		every = append(every, header{sp, spoofed}, header{strings.Replace(sp, "User", "Role", 1), spoofed})
		none = append(none, header{sp, spoofed})
	}
	cs = append(cs,
		proxyCase{name: "client's X-User in every spelling at once, valid token", headers: every, status: 200, user: "alice", role: "admin"},
		proxyCase{name: "client's X-User in every spelling at once, token lacking the claim", headers: none, status: 200, user: "", role: "admin"},
	)
	return cs
}

// runCases sends every case through f and checks the answer and what reached up.
func runCases(t *testing.T, f front, up *upstream, cases []proxyCase) {
	client := newClient(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := up.count()
			resp, body := send(t, client, f.base, c)
			after := up.count()
			want := c.status
			if want != 200 && f.refusal != nil {
				want = f.refusal(want)
			}
			if own, ok := f.answers[c.name]; ok {
				want = own
			}
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d (the gateway's %d through %s)\nheaders: %v\nbody: %s",
					resp.StatusCode, want, c.status, f.name, resp.Header, body)
			}
			if want != 200 {
				if after != before {
					t.Errorf("refused with %d, but the upstream was reached (%d requests)", resp.StatusCode, after-before)
				}
				if want == 401 {
					if ch := strings.Join(resp.Header.Values("WWW-Authenticate"), ", "); !strings.HasPrefix(ch, "Bearer") || !strings.Contains(ch, c.challenge) {
						t.Errorf("WWW-Authenticate %q, want a Bearer challenge containing %q", ch, c.challenge)
					} else if c.noToken && strings.Contains(ch, "error=") {
						t.Errorf("WWW-Authenticate %q has an error code, but the request had no token (RFC 6750 sec. 3.1)", ch)
					}
				}
				return
			}
			if after != before+1 {
				t.Errorf("the upstream saw %d requests, want 1", after-before)
			}
			var seen seenRequest
			if err := json.Unmarshal(body, &seen); err != nil {
				t.Fatalf("not the upstream's answer: %v\n%s", err, body)
			}
			checkSeen(t, c, seen)
		})
	}
}

// newClient returns a client of the test's own, bounded in time, that does not follow redirects
// (a front must answer; a redirect followed would hide what it answered).
func newClient(t *testing.T) *http.Client {
	client := &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(client.CloseIdleConnections)
	return client
}

// send makes the request of c to base, every header spelled as written.
func send(t *testing.T, client *http.Client, base string, c proxyCase) (*http.Response, []byte) {
	t.Helper()
	resp, body, err := sendErr(client, base, c)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// sendErr is send for goroutines other than the test's: it returns its error.
func sendErr(client *http.Client, base string, c proxyCase) (*http.Response, []byte, error) {
	method, path := c.method, c.path
	if method == "" {
		method = "GET"
	}
	if path == "" {
		path = "/api/items?page=2"
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range c.headers {
		// Assigned to the map directly, not with Header.Add: Go's client writes a name as it is
		// in the map, so "x-User" goes out as "x-User".
		req.Header[h.name] = append(req.Header[h.name], h.value)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b, err
}

// checkSeen checks what the upstream received for an allowed case.
func checkSeen(t *testing.T, c proxyCase, seen seenRequest) {
	t.Helper()
	// Go's server canonicalizes names, so every spelling is under the canonical key; look at
	// every key anyway, in case a name reached it in a form it does not canonicalize.
	for name, vs := range seen.Headers {
		for _, v := range vs {
			if strings.Contains(v, spoofed) {
				t.Errorf("the upstream received the client's %s: %q", name, v)
			}
		}
	}
	checkClaim(t, seen.Headers, "X-User", c.user)
	checkClaim(t, seen.Headers, "X-Role", c.role)
	wantPath := c.path
	if wantPath == "" {
		wantPath = "/api/items?page=2"
	}
	if seen.URI != wantPath {
		t.Errorf("the upstream got URI %q, want %q", seen.URI, wantPath)
	}
	if seen.BodyLen != len(c.body) {
		t.Errorf("the upstream got a body of %d bytes, want %d", seen.BodyLen, len(c.body))
	}
}

// checkClaim checks that the upstream received header name once with value want, or, when want
// is "", not at all or only empty.
func checkClaim(t *testing.T, h http.Header, name, want string) {
	t.Helper()
	var got []string
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			got = append(got, vs...)
		}
	}
	if want == "" {
		for _, v := range got {
			if v != "" {
				t.Errorf("the upstream received %s %q; it must be absent or empty (the token lacks the claim, or the route does not send it)", name, got)
				return
			}
		}
		return
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("the upstream received %s %q, want exactly [%q]", name, got, want)
	}
}
