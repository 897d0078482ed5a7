package sessiontest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// bearerHandler answers the token's subject and the forwarded headers it sees.
func bearerHandler(t *bearer.Token, r Request) string {
	if !t.Valid() {
		return fmt.Sprintf("anonymous user=%q payload=%q", r.Header("X-User"), r.Header("X-Claims"))
	}
	return fmt.Sprintf("sub=%s user=%q roles=%q tenant=%q payload=%q",
		t.Subject(), r.Header("X-User"), r.Header("X-Roles"), r.Header("X-Tenant"), r.Header("X-Claims"))
}

func sign(t testing.TB, c *fastjwt.Codec, payload string) string {
	t.Helper()
	tok, err := c.AppendSign(nil, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func runBearer(t *testing.T, st Stack) {
	clk := NewClock()
	// One codec for several APIs: it accepts any audience, and each Bearer checks its own.
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: Secret(3)}}, fastjwt.WithClock(clk.Now), fastjwt.AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	other := Codec(t, clk, fastjwt.Key{Secret: Secret(4)})
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	good := sign(t, codec, `{"sub":"alice","aud":"api","roles":["a","b"],"tenant":"t1","exp":`+exp+`}`)
	expired := sign(t, codec, `{"sub":"alice","aud":"api","exp":`+strconv.FormatInt(clk.Now().Unix()-1, 10)+`}`)
	wrongAud := sign(t, codec, `{"sub":"alice","aud":"other","exp":`+exp+`}`)
	noTenant := sign(t, codec, `{"sub":"alice","aud":"api","exp":`+exp+`}`)
	injected := sign(t, codec, `{"sub":"alice","aud":"api","tenant":"t1\r\nX-Evil: 1","roles":[`+"\n"+`"a"],"exp":`+exp+`}`)
	forged := sign(t, other, `{"sub":"alice","aud":"api","exp":`+exp+`}`)

	var mu sync.Mutex
	var causes []error
	cfg := bearer.Config{
		Realm:          `my "api"`,
		Schemes:        []string{"Bearer", "JWT"},
		Audience:       "api",
		RequiredClaims: []string{"tenant"},
		Forward: []bearer.Forward{
			{Claim: "sub", Header: "X-User"}, {Claim: "roles", Header: "x-roles"}, {Claim: "tenant", Header: "X-Tenant"},
		},
		PayloadHeader: "X-Claims",
		OnInvalid:     func(err error) { mu.Lock(); causes = append(causes, err); mu.Unlock() },
	}
	b, err := bearer.New(codec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.ServeBearer(t, b, nil, bearerHandler)
	t.Cleanup(stop)

	const realm = `Bearer realm="my \"api\""`
	cases := []struct {
		name      string
		hdr       []string
		status    int
		challenge string
		cause     error
	}{
		{"missing", nil, 401, realm, bearer.ErrNoToken},
		{"other scheme", []string{"Authorization", "Basic " + good}, 401, realm, bearer.ErrNoToken},
		{"garbage", []string{"Authorization", "Bearer x.y.z"}, 401,
			realm + `, error="invalid_token", error_description="the token is malformed"`, fastjwt.ErrMalformed},
		{"forged", []string{"Authorization", "Bearer " + forged}, 401,
			realm + `, error="invalid_token", error_description="the token signature is invalid"`, fastjwt.ErrSignature},
		{"expired", []string{"Authorization", "Bearer " + expired}, 401,
			realm + `, error="invalid_token", error_description="the token has expired"`, fastjwt.ErrExpired},
		{"wrong audience", []string{"Authorization", "Bearer " + wrongAud}, 403,
			realm + `, error="insufficient_scope", error_description="the token is not valid for this audience"`, fastjwt.ErrAudience},
		{"missing required claim", []string{"Authorization", "Bearer " + noTenant}, 403,
			realm + `, error="insufficient_scope", error_description="the token lacks a required claim"`, bearer.ErrMissingClaim},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, plainClient, base+"/", tc.hdr...)
			if res.status != tc.status {
				t.Errorf("status %d, want %d", res.status, tc.status)
			}
			if got := res.header.Values("Www-Authenticate"); len(got) != 1 || got[0] != tc.challenge {
				t.Errorf("WWW-Authenticate\n got %q\nwant %q", got, tc.challenge)
			}
			mu.Lock()
			last := causes[len(causes)-1]
			mu.Unlock()
			if !errors.Is(last, tc.cause) {
				t.Errorf("OnInvalid got %v, want %v", last, tc.cause)
			}
		})
	}

	wantPayload, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: Secret(3)}}, fastjwt.WithClock(clk.Now), fastjwt.AcceptAnyAudience())
	payload, _ := wantPayload.AppendVerify(nil, []byte(good))
	b64 := base64.RawURLEncoding.EncodeToString(payload)

	t.Run("valid token forwards claims", func(t *testing.T) {
		for _, auth := range []string{"Bearer " + good, "bearer " + good, "JWT " + good, "BEARER   " + good} {
			res := get(t, plainClient, base+"/", "Authorization", auth,
				"X-User", "mallory", "X-Roles", "admin", "X-Tenant", "t0", "X-Claims", "e30")
			want := `sub=alice user="alice" roles="[\"a\",\"b\"]" tenant="t1" payload="` + b64 + `"`
			if res.status != 200 || res.body != want {
				t.Errorf("%.10s...: %d\n got %s\nwant %s", auth, res.status, res.body, want)
			}
		}
	})

	t.Run("control characters are dropped", func(t *testing.T) {
		res := get(t, plainClient, base+"/", "Authorization", "Bearer "+injected, "X-Tenant", "spoofed", "X-Roles", "spoofed")
		if res.status != 200 || !strings.Contains(res.body, `tenant="" `) || !strings.Contains(res.body, `roles="" `) {
			t.Errorf("%d %s", res.status, res.body)
		}
		if res.header.Get("X-Evil") != "" {
			t.Error("header injection")
		}
	})

	// Optional mode, cookie and query sources, and a custom error answer.
	opt := cfg
	opt.Optional, opt.Cookie, opt.Query = true, "jwt", "access_token"
	opt.RequiredClaims, opt.Realm = nil, "api"
	ob, err := bearer.New(codec, opt)
	if err != nil {
		t.Fatal(err)
	}
	obase, ostop := st.ServeBearer(t, ob, func(e *bearer.AuthError) (int, string) {
		return 418, "custom " + e.Code + " " + string(e.Challenge())
	}, bearerHandler)
	t.Cleanup(ostop)

	t.Run("optional mode", func(t *testing.T) {
		res := get(t, plainClient, obase+"/", "X-User", "mallory", "X-Claims", "e30")
		if res.status != 200 || res.body != `anonymous user="" payload=""` {
			t.Errorf("no token: %d %s", res.status, res.body)
		}
		res = get(t, plainClient, obase+"/", "Authorization", "Bearer "+expired, "X-User", "mallory")
		if res.status != 418 || res.body != `custom invalid_token Bearer realm="api", error="invalid_token", error_description="the token has expired"` {
			t.Errorf("bad token in optional mode: %d %s", res.status, res.body)
		}
	})

	t.Run("cookie and query sources", func(t *testing.T) {
		res := get(t, plainClient, obase+"/", "Cookie", "a=1; jwt="+good)
		if res.status != 200 || !strings.HasPrefix(res.body, "sub=alice") {
			t.Errorf("cookie: %d %s", res.status, res.body)
		}
		res = get(t, plainClient, obase+"/?x=1&access_token="+good)
		if res.status != 200 || !strings.HasPrefix(res.body, "sub=alice") {
			t.Errorf("query: %d %s", res.status, res.body)
		}
		// Without the opt-in, the query is ignored.
		res = get(t, plainClient, base+"/?access_token="+good)
		if res.status != 401 {
			t.Errorf("query without opt-in: %d %s", res.status, res.body)
		}
	})
}
