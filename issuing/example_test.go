package issuing_test

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
)

// An issuer on the in-memory families and revocation list: an obtain, a refresh, a retry of the
// replaced token inside the grace window (the same successor), and a reuse of it after the
// window, which ends the family: its access tokens are revoked.
func Example() {
	now := time.Now()
	clock := func() time.Time { return now }
	codec, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("an example secret of 32 bytes...")}},
		fastjwt.WithAudience("api"), fastjwt.WithClock(clock))
	iss, err := issuing.New(issuing.Config{
		Codec: codec, Audience: "api", Now: clock,
		Families:    issuing.NewMemory(issuing.MemoryOptions{}),
		Revocations: revoke.NewMemory(revoke.MemoryOptions{Clock: clock}),
		Authenticate: func(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
			// A real application compares a password hash here, also for unknown users.
			if subtle.ConstantTimeCompare([]byte(c.Username+"\x00"+c.Password), []byte("ann\x00s3cret")) != 1 {
				return "", nil, issuing.ErrInvalidGrant
			}
			return "ann", map[string]any{"role": "admin"}, nil
		},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	post := func(e issuing.Endpoint, kv ...string) (int, map[string]any) {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		r := e(iss, ctx, issuing.Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte(v.Encode())})
		var body map[string]any
		json.Unmarshal(r.Body, &body)
		return r.Status, body
	}
	st, first := post((*issuing.Issuer).Obtain, "username", "ann", "password", "s3cret")
	fmt.Println("obtain:", st, first["token_type"], first["expires_in"])
	st, second := post((*issuing.Issuer).Refresh, "refresh_token", first["refresh_token"].(string))
	fmt.Println("refresh:", st)
	st, retry := post((*issuing.Issuer).Refresh, "refresh_token", first["refresh_token"].(string))
	fmt.Println("retry:", st, retry["refresh_token"] == second["refresh_token"])
	st, claims := post((*issuing.Issuer).Verify, "token", second["access_token"].(string))
	fmt.Println("verify:", st, claims["sub"], claims["role"])
	now = now.Add(issuing.DefaultGrace)
	st, reuse := post((*issuing.Issuer).Refresh, "refresh_token", first["refresh_token"].(string))
	fmt.Println("reuse:", st, reuse["error"])
	st, claims = post((*issuing.Issuer).Verify, "token", second["access_token"].(string))
	fmt.Println("verify after the reuse:", st, claims["error"])
	st, bad := post((*issuing.Issuer).Obtain, "username", "ann", "password", "wrong")
	fmt.Println("wrong password:", st, bad["error"])
	// Output:
	// obtain: 200 Bearer 900
	// refresh: 200
	// retry: 200 true
	// verify: 200 ann admin
	// reuse: 400 invalid_grant
	// verify after the reuse: 401 invalid_token
	// wrong password: 400 invalid_grant
}
