package sessiontest

import (
	"errors"
	"strconv"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// runPurpose checks token purpose with one codec (one secret) for sessions and bearer tokens:
// a session cookie never authenticates as a bearer token, and a bearer token never loads as a
// session, unless the configuration opts in.
func runPurpose(t *testing.T, st Stack) {
	clk := NewClock()
	codec := Codec(t, clk, fastjwt.Key{ID: "shared", Secret: Secret(5)})
	h := &hooks{}
	base := sessionServer(t, st, clk, codec, session.Config{}, h)
	sessionToken := cookieToken(get(t, plainClient, base+"/?op=incr"), "session")
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	payload := []byte(`{"sub":"alice","counter":5,"exp":` + exp + `}`)
	jwtTyped, _ := codec.AppendSign(nil, payload)
	accessTyped, _ := codec.AppendSignType(nil, fastjwt.TypeAccess, payload)
	untyped, _ := codec.AppendSignType(nil, fastjwt.TypeNone, payload)

	t.Run("bearer tokens do not load as sessions", func(t *testing.T) {
		for _, tok := range [][]byte{jwtTyped, accessTyped, untyped} {
			res := get(t, plainClient, base+"/?op=read", "Cookie", "session="+string(tok))
			if res.status != 200 || res.body != "0" {
				t.Errorf("bearer token as a session: %d %q, want a fresh session", res.status, res.body)
			}
			if err := h.lastInvalid(); !errors.Is(err, session.ErrPurpose) {
				t.Errorf("OnInvalid got %v, want ErrPurpose", err)
			}
		}
	})

	t.Run("untyped cookies migrate when accepted", func(t *testing.T) {
		legacy := sessionServer(t, st, clk, codec, session.Config{AcceptUntypedCookies: true}, &hooks{})
		for _, tok := range [][]byte{jwtTyped, untyped} {
			res := get(t, plainClient, legacy+"/?op=read", "Cookie", "session="+string(tok))
			if res.body != "5" {
				t.Fatalf("untyped cookie: %q, want 5", res.body)
			}
			reissued := cookieToken(res, "session")
			var cl fastjwt.Claims
			if _, err := codec.AppendVerifyClaims(nil, []byte(reissued), &cl); err != nil || cl.Type() != fastjwt.TypeSession {
				t.Errorf("re-issued cookie: %v, type %v; want a session-typed token", err, cl.Type())
			}
		}
		if res := get(t, plainClient, legacy+"/?op=read", "Cookie", "session="+string(accessTyped)); res.body != "0" {
			t.Errorf("an at+jwt token loaded as a session with AcceptUntypedCookies: %q", res.body)
		}
	})

	b, err := bearer.New(codec, bearer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	bbase, stop := st.ServeBearer(t, b, nil, bearerHandler)
	t.Cleanup(stop)
	t.Run("session cookies do not authenticate as bearer tokens", func(t *testing.T) {
		res := get(t, plainClient, bbase+"/", "Authorization", "Bearer "+sessionToken)
		want := `Bearer realm="api", error="invalid_token", error_description="the token is not valid for this purpose"`
		if res.status != 401 || res.header.Get("Www-Authenticate") != want {
			t.Errorf("session cookie as a bearer token: %d %q", res.status, res.header.Get("Www-Authenticate"))
		}
		for _, tok := range [][]byte{jwtTyped, accessTyped, untyped} {
			if res := get(t, plainClient, bbase+"/", "Authorization", "Bearer "+string(tok)); res.status != 200 {
				t.Errorf("bearer token refused: %d %s", res.status, res.body)
			}
		}
	})

	t.Run("another purpose is 401 whatever the audience", func(t *testing.T) {
		// Checked by the verifier (WithAudience: it refuses before the Bearer sees the type) or
		// by the Bearer (Config.Audience): either way the purpose comes first, and 403
		// insufficient_scope stays for an access token of another audience.
		keys := []fastjwt.Key{{ID: "shared", Secret: Secret(5)}}
		withAud, err := fastjwt.NewHS256(keys, fastjwt.WithClock(clk.Now), fastjwt.WithAudience("api"))
		if err != nil {
			t.Fatal(err)
		}
		anyAud, err := fastjwt.NewHS256(keys, fastjwt.WithClock(clk.Now), fastjwt.AcceptAnyAudience())
		if err != nil {
			t.Fatal(err)
		}
		byVerifier, err := bearer.New(withAud, bearer.Config{})
		if err != nil {
			t.Fatal(err)
		}
		byConfig, err := bearer.New(anyAud, bearer.Config{Audience: "api"})
		if err != nil {
			t.Fatal(err)
		}
		vbase, vstop := st.ServeBearer(t, byVerifier, nil, bearerHandler)
		t.Cleanup(vstop)
		cbase, cstop := st.ServeBearer(t, byConfig, nil, bearerHandler)
		t.Cleanup(cstop)
		otherAud, _ := codec.AppendSignType(nil, fastjwt.TypeSession, []byte(`{"sub":"alice","aud":"other","exp":`+exp+`}`))
		accessOther, _ := codec.AppendSignType(nil, fastjwt.TypeAccess, []byte(`{"sub":"alice","aud":"other","exp":`+exp+`}`))
		const purpose = `Bearer realm="api", error="invalid_token", error_description="the token is not valid for this purpose"`
		const scope = `Bearer realm="api", error="insufficient_scope", error_description="the token is not valid for this audience"`
		for _, srv := range []struct{ name, base string }{{"verifier's audience", vbase}, {"Config.Audience", cbase}} {
			for _, tc := range []struct {
				name, token string
				status      int
				challenge   string
			}{
				{"session cookie without aud", sessionToken, 401, purpose},
				{"session token for another aud", string(otherAud), 401, purpose},
				{"access token for another aud", string(accessOther), 403, scope},
			} {
				res := get(t, plainClient, srv.base+"/", "Authorization", "Bearer "+tc.token)
				if res.status != tc.status || res.header.Get("Www-Authenticate") != tc.challenge {
					t.Errorf("%s, %s: %d %q, want %d %q", srv.name, tc.name, res.status, res.header.Get("Www-Authenticate"), tc.status, tc.challenge)
				}
			}
		}
	})

	t.Run("federated services opt in", func(t *testing.T) {
		fb, err := bearer.New(codec, bearer.Config{Types: []fastjwt.Type{fastjwt.TypeSession}})
		if err != nil {
			t.Fatal(err)
		}
		fbase, fstop := st.ServeBearer(t, fb, nil, bearerHandler)
		t.Cleanup(fstop)
		if res := get(t, plainClient, fbase+"/", "Authorization", "Bearer "+sessionToken); res.status != 200 {
			t.Errorf("session token refused by a Bearer accepting sessions: %d %s", res.status, res.body)
		}
		if res := get(t, plainClient, fbase+"/", "Authorization", "Bearer "+string(jwtTyped)); res.status != 401 {
			t.Errorf("JWT-typed token accepted by a sessions-only Bearer: %d", res.status)
		}
	})
}
