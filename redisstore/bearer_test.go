package redisstore

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// apiSecret signs the access tokens of the API nodes below.
var apiSecret = []byte("the API's one secret, 32 bytes or more")

// apiNode is one server of a bearer-protected API, on the named stack, with its own Redis client
// over the shared redis-server. It answers the token's subject.
func apiNode(t *testing.T, stack, prefix string) (string, *Redis) {
	t.Helper()
	r := dial(t, shared, Options{Prefix: prefix})
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "api", Secret: apiSecret}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bearer.New(codec, bearer.Config{Revocations: r.List()})
	if err != nil {
		t.Fatal(err)
	}
	if stack == "nethttp" {
		srv := httptest.NewServer(nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, nethttpsession.TokenFromContext(r.Context()).Subject())
		})))
		t.Cleanup(srv.Close)
		return srv.URL, r
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{ReadTimeout: 10 * time.Second, Handler: fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(fasthttpsession.TokenFrom(ctx).Subject())
	})}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Shutdown(); <-done })
	return "http://" + ln.Addr().String(), r
}

// accessToken signs an access token of sub with the given jti, issued a second ago.
func accessToken(t *testing.T, sub, jti string) string {
	t.Helper()
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{ID: "api", Secret: apiSecret}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	payload := `{"sub":"` + sub + `","jti":"` + jti + `","iat":` + strconv.FormatInt(now-1, 10) +
		`,"exp":` + strconv.FormatInt(now+3600, 10) + `}`
	tok, err := codec.AppendSign(nil, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// call sends one request with the token and returns the status, body and Retry-After.
func call(t *testing.T, base, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Close = true // no connection outlives its request: the servers stop with none open
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Header.Get("Retry-After")
}

// Two nodes of one API, one per stack, each with its own Redis client, check bearer tokens
// against one revocation list: a token revoked on one node is refused by both, so is every token
// of a subject logged out everywhere; while Redis cannot answer for a token it has not seen, both
// answer 503 with Retry-After (the token may be fine), then recover by themselves.
func TestBearerRevocationAcrossNodes(t *testing.T) {
	needRedis(t)
	prefix := "api:" + t.Name() + ":"
	a, ra := apiNode(t, "fasthttp", prefix)
	b, _ := apiNode(t, "nethttp", prefix)

	one := accessToken(t, "alice", "jti-one")
	other := accessToken(t, "alice", "jti-other")
	for _, base := range []string{a, b} {
		for _, tok := range []string{one, other} {
			if status, body, _ := call(t, base, tok); status != 200 || body != "alice" {
				t.Fatalf("%s: a fresh token: %d %q, want 200 alice", base, status, body)
			}
		}
	}

	// One token revoked through node a's client: both nodes refuse it, the other token still works.
	if err := ra.List().RevokeToken(context.Background(), "jti-one", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{a, b} {
		eventually(t, time.Second, base+" refuses the revoked token", func() bool {
			status, _, _ := call(t, base, one)
			return status == 401
		})
		if status, _, _ := call(t, base, other); status != 200 {
			t.Errorf("%s: the token that was not revoked: %d, want 200", base, status)
		}
	}

	// Log out everywhere: every token of the subject issued before now, on both nodes.
	if err := ra.List().RevokeSubject(context.Background(), "alice", time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{a, b} {
		eventually(t, time.Second, base+" refuses the subject's tokens", func() bool {
			status, _, _ := call(t, base, other)
			return status == 401
		})
	}
	if status, body, _ := call(t, b, accessToken(t, "bob", "jti-bob")); status != 200 || body != "bob" {
		t.Errorf("another subject: %d %q, want 200 bob", status, body)
	}

	// Redis paused past the clients' timeout: a token whose answer is not cached gets 503.
	unseen := accessToken(t, "carol", "jti-carol")
	if _, err := command(shared.Addr(), "CLIENT", "PAUSE", "1500", "ALL"); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{a, b} {
		if status, body, retry := call(t, base, unseen); status != 503 || retry == "" {
			t.Errorf("%s with Redis paused: %d %q, Retry-After %q; want 503 with Retry-After", base, status, body, retry)
		}
	}
	for _, base := range []string{a, b} {
		var status int
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if status, _, _ = call(t, base, unseen); status == 200 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if status != 200 {
			t.Errorf("%s after the pause: %d, want 200 without a restart", base, status)
		}
	}
}
