package bearer_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// TestMaxAuthAge: a token is accepted while now < auth_time + MaxAuthAge (iat without
// auth_time), refused from then on with 401 "the token has expired" and ErrAuthAge, as is a
// token with neither claim or with an auth_time that is not a NumericDate.
func TestMaxAuthAge(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	clock := func() time.Time { return now }
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bearer.New(codec, bearer.Config{MaxAuthAge: time.Hour, Now: clock, RequiredClaims: []string{"sub"}})
	if err != nil {
		t.Fatal(err)
	}
	start := t0.Add(-30 * time.Minute)
	exp := strconv.FormatInt(t0.Add(10*time.Hour).Unix(), 10)
	s := strconv.FormatInt(start.Unix(), 10)
	for _, c := range []struct {
		name, payload string
		end           time.Time // zero: always refused
	}{
		{"auth_time", `{"sub":"a","auth_time":` + s + `,"iat":` + strconv.FormatInt(t0.Unix(), 10) + `,"exp":` + exp + `}`, start.Add(time.Hour)},
		{"fractional auth_time", `{"sub":"a","auth_time":` + s + `.75,"exp":` + exp + `}`, start.Add(time.Hour)},
		{"iat", `{"sub":"a","iat":` + s + `,"exp":` + exp + `}`, start.Add(time.Hour)},
		{"neither", `{"sub":"a","exp":` + exp + `}`, time.Time{}},
		{"auth_time a string", `{"sub":"a","auth_time":"` + s + `","iat":` + s + `,"exp":` + exp + `}`, time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, err := codec.AppendSign(nil, []byte(c.payload))
			if err != nil {
				t.Fatal(err)
			}
			check := func(at time.Time, ok bool) {
				t.Helper()
				now = at
				tk := b.Acquire()
				defer b.Release(tk)
				aerr := b.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {"Bearer " + string(tok)}}))
				switch {
				case ok && aerr != nil:
					t.Fatalf("at %v: %v, want accepted", at.Sub(t0), aerr.Err)
				case !ok && (aerr == nil || aerr.Status != 401 || aerr.Description != "the token has expired" ||
					!errors.Is(aerr.Err, bearer.ErrAuthAge) || !errors.Is(aerr.Err, fastjwt.ErrExpired)):
					t.Fatalf("at %v: %v, want 401 ErrAuthAge", at.Sub(t0), aerr)
				}
			}
			if c.end.IsZero() {
				check(t0, false)
				return
			}
			check(c.end.Add(-time.Nanosecond), true)
			check(c.end, false)
		})
	}
}
