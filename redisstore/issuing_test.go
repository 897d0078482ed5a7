package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// The issuer end to end on Redis: its families and its revocation list on a real redis-server,
// its endpoints and a bearer-protected API served over HTTP by two nodes, one on net/http and
// one on fasthttp (the adapters' TokenHandler), each with its own Redis client, as two
// processes would.

// issuerClock is the clock of the issuer and of every codec: real time when the test starts,
// then moved only by the test, to the nanosecond.
type issuerClock struct{ ns atomic.Int64 }

func (c *issuerClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *issuerClock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func (c *issuerClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }

var issuerSecret = []byte("the issuer's secret, 32 bytes or more!")

// issuerNode is one node, on net/http or fasthttp: an Issuer on Redis Families and the Redis
// List, its endpoints at /token, /token/refresh, /token/verify and /token/revoke, and /api/me
// behind a bearer.Bearer whose codec has the verified-token cache on, checking the same list.
type issuerNode struct {
	url string
	iss *issuing.Issuer
	r   *Redis
}

func newIssuerNode(t *testing.T, stack string, srv *server, clock *issuerClock, prefix string, mutate func(*issuing.Config)) *issuerNode {
	t.Helper()
	r := dial(t, srv, Options{Prefix: prefix, Grace: time.Second})
	opts := []fastjwt.Option{fastjwt.WithClock(clock.Now), fastjwt.WithIssuer("https://issuer.test"), fastjwt.WithAudience("api")}
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: issuerSecret}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := issuing.Config{Codec: codec, Issuer: "https://issuer.test", Audience: "api", Families: r.Families(),
		Revocations: r.List(), Authenticate: authenticateAnn, Now: clock.Now}
	if mutate != nil {
		mutate(&cfg)
	}
	iss, err := issuing.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	apiCodec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: issuerSecret}}, append(opts, fastjwt.WithVerifyCache(1024))...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bearer.New(apiCodec, bearer.Config{Revocations: r.List(), Schemes: []string{"Bearer", "JWT"}})
	if err != nil {
		t.Fatal(err)
	}
	if stack == "fasthttp" {
		return &issuerNode{url: serveFasthttp(t, iss, b), iss: iss, r: r}
	}
	mux := http.NewServeMux()
	for path, e := range endpoints {
		mux.Handle(path, nethttpsession.TokenHandler(iss, e))
	}
	mux.Handle("/api/me", nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, nethttpsession.TokenFromContext(r.Context()).Subject())
	})))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return &issuerNode{url: hs.URL, iss: iss, r: r}
}

// endpoints are the issuer's endpoints by path, as the demo serves them.
var endpoints = map[string]issuing.Endpoint{"/token": (*issuing.Issuer).Obtain, "/token/refresh": (*issuing.Issuer).Refresh,
	"/token/verify": (*issuing.Issuer).Verify, "/token/revoke": (*issuing.Issuer).Revoke}

// serveFasthttp serves the endpoints and /api/me on fasthttp, on a loopback listener, and
// returns the base URL.
func serveFasthttp(t *testing.T, iss *issuing.Issuer, b *bearer.Bearer) string {
	t.Helper()
	me := fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(fasthttpsession.TokenFrom(ctx).Subject())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]fasthttp.RequestHandler{}
	for path, e := range endpoints {
		handlers[path] = fasthttpsession.TokenHandler(iss, e)
	}
	srv := &fasthttp.Server{ReadTimeout: 10 * time.Second, Handler: func(ctx *fasthttp.RequestCtx) {
		if h, ok := handlers[string(ctx.Path())]; ok {
			h(ctx)
			return
		}
		me(ctx)
	}}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Shutdown(); <-done })
	return "http://" + ln.Addr().String()
}

// authenticateAnn accepts ann/s3cret, comparing in constant time.
func authenticateAnn(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
	ok := subtle.ConstantTimeCompare([]byte(c.Username), []byte("ann")) & subtle.ConstantTimeCompare([]byte(c.Password), []byte("s3cret"))
	if ok != 1 {
		return "", nil, issuing.ErrInvalidGrant
	}
	return "ann", nil, nil
}

// tokenAnswer is an endpoint's JSON answer.
type tokenAnswer struct {
	Status  int    `json:"-"`
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
	Error   string `json:"error"`
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// post sends a form to the node's path and returns the answer.
func (n *issuerNode) post(t *testing.T, path string, kv ...string) tokenAnswer {
	t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	res, err := httpClient.Post(n.url+path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		t.Error(err)
		return tokenAnswer{}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Errorf("%s: %d %q: %v", path, res.StatusCode, body, err)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q", path, cc)
	}
	a.Status = res.StatusCode
	return a
}

func (n *issuerNode) obtain(t *testing.T) tokenAnswer {
	t.Helper()
	a := n.post(t, "/token", "username", "ann", "password", "s3cret")
	if a.Status != 200 || a.Access == "" || a.Refresh == "" {
		t.Fatalf("obtain: %+v", a)
	}
	return a
}

func (n *issuerNode) refresh(t *testing.T, tok string) tokenAnswer {
	t.Helper()
	return n.post(t, "/token/refresh", "refresh_token", tok)
}

// me calls /api/me with the access token and returns the status.
func (n *issuerNode) me(t *testing.T, access string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", n.url+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// wantMe checks /api/me's status for each access token, twice: the second is answered from the
// verified-token cache.
func (n *issuerNode) wantMe(t *testing.T, status int, what string, access ...string) {
	t.Helper()
	for _, a := range access {
		for i := 0; i < 2; i++ {
			if got := n.me(t, a); got != status {
				t.Fatalf("%s: /api/me %d, want %d", what, got, status)
			}
		}
	}
}

// twoNodes are two nodes of one issuer on one Redis, one on each stack, with the clock they
// share.
func twoNodes(t *testing.T, mutate func(*issuing.Config)) (*issuerClock, *issuerNode, *issuerNode) {
	t.Helper()
	clock := new(issuerClock)
	clock.Set(time.Now().Round(0))
	prefix := "t:" + strings.ReplaceAll(t.Name(), "/", ":") + ":" + rand.Text() + ":" // nothing of another run
	return clock, newIssuerNode(t, "nethttp", shared, clock, prefix, mutate), newIssuerNode(t, "fasthttp", shared, clock, prefix, mutate)
}

// Rotation across nodes; a retry inside the grace window gets the same pair; a reuse outside it
// ends the family: the refresh tokens fail, and so do its access tokens on the API, which had
// them in its verified-token cache.
func TestIssuingRotationAndReuse(t *testing.T) {
	needRedis(t)
	clock, a, b := twoNodes(t, nil)
	first := a.obtain(t)
	a.wantMe(t, 200, "the first access token", first.Access)
	b.wantMe(t, 200, "the first access token on the other node", first.Access)
	clock.Add(time.Minute)
	second := b.refresh(t, first.Refresh)
	if second.Status != 200 || second.Refresh == first.Refresh || second.Access == first.Access {
		t.Fatalf("refresh: %+v", second)
	}
	clock.Add(issuing.DefaultGrace - time.Nanosecond)
	retry := a.refresh(t, first.Refresh)
	if retry.Status != 200 || retry.Refresh != second.Refresh {
		t.Fatalf("a retry at the window's last nanosecond: %+v, want the same successor", retry)
	}
	a.wantMe(t, 200, "both access tokens before the reuse", first.Access, second.Access)
	b.wantMe(t, 200, "both access tokens before the reuse, other node", first.Access, second.Access)
	clock.Add(time.Nanosecond) // the grace after the rotation: the window has closed
	if reuse := a.refresh(t, first.Refresh); reuse.Status != 400 || reuse.Error != "invalid_grant" {
		t.Fatalf("the reuse: %+v, want 400 invalid_grant", reuse)
	}
	for _, n := range []*issuerNode{a, b} {
		n.wantMe(t, 401, "an access token of the reused family", first.Access, second.Access)
		if r := n.refresh(t, second.Refresh); r.Status != 400 || r.Error != "invalid_grant" {
			t.Fatalf("the current token of the reused family: %+v", r)
		}
		if v := n.post(t, "/token/verify", "token", second.Access); v.Status != 401 {
			t.Fatalf("verify of a revoked access token: %d", v.Status)
		}
	}
	// Another family of the same user is not touched.
	other := b.obtain(t)
	a.wantMe(t, 200, "another family's access token", other.Access)
	if r := a.refresh(t, other.Refresh); r.Status != 200 {
		t.Fatalf("another family's refresh: %+v", r)
	}
}

// 50 concurrent refreshes of one token over HTTP, on two nodes: one rotation, and every answer
// is the same successor (re-signed byte for byte with HS256), which rotates once in its turn.
func TestIssuingConcurrentRefreshes(t *testing.T) {
	needRedis(t)
	clock, a, b := twoNodes(t, nil)
	first := a.obtain(t)
	clock.Add(time.Second)
	const n = 50
	answers := make([]tokenAnswer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = []*issuerNode{a, b}[i%2].refresh(t, first.Refresh)
		}()
	}
	close(start)
	wg.Wait()
	for i, ans := range answers {
		if ans.Status != 200 || ans.Refresh != answers[0].Refresh || ans.Access != answers[0].Access {
			t.Fatalf("answer %d: %+v, want 200 with the one successor %+v", i, ans, answers[0])
		}
	}
	fid := familyOf(t, answers[0].Refresh)
	past := mustCommand(t, shared, "HGET", a.r.Families().key(fid), "past")
	if len(past) != digestLen {
		t.Fatalf("the family records %d replaced tokens, want one rotation", len(past)/digestLen)
	}
	if r := b.refresh(t, answers[0].Refresh); r.Status != 200 || r.Refresh == answers[0].Refresh {
		t.Fatalf("the successor's refresh: %+v", r)
	}
}

// familyOf reads the "fid" of a refresh token (the test's own tokens: no verification needed).
func familyOf(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		Fid string `json:"fid"`
	}
	if err := json.Unmarshal(payload, &cl); err != nil || cl.Fid == "" {
		t.Fatalf("no fid in %s: %v", payload, err)
	}
	return cl.Fid
}

// A family ends at its absolute lifetime, exactly: a refresh at the obtain plus the lifetime
// less a nanosecond rotates, one at the lifetime is refused.
func TestIssuingAbsoluteLifetime(t *testing.T) {
	needRedis(t)
	const lifetime = time.Hour
	clock, a, b := twoNodes(t, func(c *issuing.Config) { c.AbsoluteLifetime = lifetime })
	obtained := clock.Now()
	first := a.obtain(t)
	clock.Set(obtained.Add(lifetime - time.Nanosecond))
	last := b.refresh(t, first.Refresh)
	if last.Status != 200 {
		t.Fatalf("a refresh at the lifetime's last nanosecond: %+v", last)
	}
	a.wantMe(t, 200, "the last access token", last.Access)
	clock.Set(obtained.Add(lifetime))
	if r := a.refresh(t, last.Refresh); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("a refresh at the lifetime: %+v, want 400 invalid_grant", r)
	}
	// The family's record, the mark of its end, outlives End by the list's grace.
	key := a.r.Families().key(familyOf(t, first.Refresh))
	if got := mustCommand(t, shared, "EXISTS", key); got != ":1" {
		t.Fatal("the family's record is gone at its End")
	}
}

// Revocation (RFC 7009) of a refresh token ends its family and its access tokens; of an access
// token, that token; "log out everywhere" ends every token of the subject, on every node.
func TestIssuingRevokeAndLogoutEverywhere(t *testing.T) {
	needRedis(t)
	clock, a, b := twoNodes(t, nil)
	one := a.obtain(t)
	clock.Add(time.Second)
	one2 := a.refresh(t, one.Refresh)
	two, three := b.obtain(t), b.obtain(t)
	a.wantMe(t, 200, "before the revocations", one.Access, one2.Access, two.Access, three.Access)
	if r := b.post(t, "/token/revoke", "token", one2.Refresh); r.Status != 200 {
		t.Fatalf("revoke of a refresh token: %+v", r)
	}
	for _, n := range []*issuerNode{a, b} {
		n.wantMe(t, 401, "the revoked family's access tokens", one.Access, one2.Access)
		if r := n.refresh(t, one2.Refresh); r.Status != 400 {
			t.Fatalf("the revoked refresh token: %+v", r)
		}
	}
	if r := a.post(t, "/token/revoke", "token", two.Access); r.Status != 200 {
		t.Fatalf("revoke of an access token: %+v", r)
	}
	b.wantMe(t, 401, "the revoked access token", two.Access)
	b.wantMe(t, 200, "the other tokens", three.Access)
	if r := b.refresh(t, two.Refresh); r.Status != 200 {
		t.Fatalf("the refresh token of a revoked access token: %+v", r)
	}
	// Log out everywhere.
	clock.Add(time.Second)
	if err := a.iss.RevokeSubject(context.Background(), "ann"); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Second)
	for _, n := range []*issuerNode{a, b} {
		n.wantMe(t, 401, "after log out everywhere", three.Access)
		if r := n.refresh(t, three.Refresh); r.Status != 400 {
			t.Fatalf("a refresh token after log out everywhere: %+v", r)
		}
	}
	// A new login works.
	fresh := b.obtain(t)
	a.wantMe(t, 200, "a login after log out everywhere", fresh.Access)
}

// A Redis that lost its data: refreshes and logins are 503 with Retry-After (never a pair,
// never "no such family" taken as fine), until List.Recover, after which the tokens issued
// before it are refused and a new login works.
func TestIssuingDataLoss(t *testing.T) {
	needRedis(t)
	srv := ownServer(t)
	clock := new(issuerClock)
	clock.Set(time.Now().Round(0))
	a, b := newIssuerNode(t, "nethttp", srv, clock, "t:loss:", nil), newIssuerNode(t, "fasthttp", srv, clock, "t:loss:", nil) // a server of its own
	first := a.obtain(t)
	a.wantMe(t, 200, "before the flush", first.Access)
	b.wantMe(t, 200, "before the flush, the other node", first.Access)
	mustCommand(t, srv, "FLUSHALL")
	eventually(t, time.Second, "503 after the flush", func() bool {
		return a.refresh(t, first.Refresh).Status == 503
	})
	for _, n := range []*issuerNode{a, b} {
		eventually(t, time.Second, "503 on every node", func() bool { return n.refresh(t, first.Refresh).Status == 503 })
		if r := n.post(t, "/token", "username", "ann", "password", "s3cret"); r.Status != 503 || r.Access != "" {
			t.Fatalf("an obtain after the flush: %+v, want 503", r)
		}
		if r := n.post(t, "/token/revoke", "token", first.Refresh); r.Status != 503 {
			t.Fatalf("a revoke after the flush: %+v, want 503", r)
		}
		if st := n.me(t, first.Access); st != 503 {
			t.Fatalf("the API after the flush: %d, want 503", st)
		}
	}
	clock.Add(time.Second)
	if err := a.r.List().Recover(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Now().Add(2 * time.Second).Round(0)) // after the recovery's epoch
	for _, n := range []*issuerNode{a, b} {
		eventually(t, 3*time.Second, "the node accepts the recovery", func() bool { return n.refresh(t, first.Refresh).Status == 400 })
		n.wantMe(t, 401, "an access token issued before the recovery", first.Access)
	}
	fresh := b.obtain(t)
	a.wantMe(t, 200, "a login after the recovery", fresh.Access)
}
