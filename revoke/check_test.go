package revoke_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// downList is a List that cannot answer.
type downList struct{ revoke.List }

var errDown = errors.New("list down")

func (downList) Revoked(context.Context, *fastjwt.Claims) (bool, error) { return false, errDown }

// Check gives the three verdicts under both policies, with the messages callers show, and
// reports failing open to OnFailOpen only.
func TestCheckerVerdicts(t *testing.T) {
	ctx := context.Background()
	l := newList(newClock(), 0)
	if err := l.RevokeToken(ctx, "gone", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fine, gone := token(t, "fine", "u", ptr(0)), token(t, "gone", "u", ptr(0))
	var heard []error
	hook := func(err error) { heard = append(heard, err) }
	for _, tc := range []struct {
		name  string
		c     revoke.Checker
		cl    *fastjwt.Claims
		want  string // the error's text, "" for nil
		is    error
		heard string
	}{
		{"no list", revoke.Checker{OnFailOpen: hook}, gone, "", nil, ""},
		{"not revoked", revoke.Checker{List: l, OnFailOpen: hook}, fine, "", nil, ""},
		{"revoked", revoke.Checker{List: l, OnFailOpen: hook}, gone, "revoke: the token was revoked", revoke.ErrRevoked, ""},
		{"revoked, failing open", revoke.Checker{List: l, FailOpen: true, OnFailOpen: hook}, gone, "revoke: the token was revoked", revoke.ErrRevoked, ""},
		{"unavailable", revoke.Checker{List: downList{}, OnFailOpen: hook}, fine,
			"revoke: the revocation list cannot answer: list down", revoke.ErrUnavailable, ""},
		{"unavailable, failing open", revoke.Checker{List: downList{}, FailOpen: true, OnFailOpen: hook}, fine,
			"", nil, "revoke: the revocation list cannot answer (failing open): list down"},
		{"unavailable, failing open without a hook", revoke.Checker{List: downList{}, FailOpen: true}, fine, "", nil, ""},
	} {
		heard = nil
		err := tc.c.Check(ctx, tc.cl)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, tc.is)):
			t.Errorf("%s: %v, want %q matching %v", tc.name, err, tc.want, tc.is)
		case tc.is == revoke.ErrUnavailable && !errors.Is(err, errDown):
			t.Errorf("%s: %v does not wrap the list's error", tc.name, err)
		}
		switch {
		case tc.heard == "" && len(heard) != 0:
			t.Errorf("%s: OnFailOpen heard %v", tc.name, heard)
		case tc.heard != "" && (len(heard) != 1 || heard[0].Error() != tc.heard ||
			!errors.Is(heard[0], revoke.ErrUnavailable) || !errors.Is(heard[0], errDown)):
			t.Errorf("%s: OnFailOpen heard %v, want one %q", tc.name, heard, tc.heard)
		}
	}
}

// The verdict on a token that is not revoked allocates nothing.
func TestCheckerAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	ctx := context.Background()
	l := newList(newClock(), 0)
	_ = l.RevokeToken(ctx, "gone", t0.Add(time.Hour))
	c := revoke.Checker{List: l, FailOpen: true, OnFailOpen: func(error) {}}
	for name, cl := range map[string]*fastjwt.Claims{
		"not revoked": token(t, "fine", "u", ptr(0)),
		"revoked":     token(t, "gone", "u", ptr(0)),
	} {
		if n := testing.AllocsPerRun(1000, func() { _ = c.Check(ctx, cl) }); n != 0 {
			t.Errorf("%s: %v allocations per Check", name, n)
		}
	}
	var none revoke.Checker
	cl := token(t, "x", "", nil)
	if n := testing.AllocsPerRun(1000, func() { _ = none.Check(ctx, cl) }); n != 0 {
		t.Errorf("no list: %v allocations per Check", n)
	}
}
