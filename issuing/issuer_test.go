package issuing_test

import (
	"testing"
	"time"
)

func TestObtainRefresh(t *testing.T) {
	f := newFixture(t)
	a := f.obtain()
	if a.Type != "Bearer" || a.Expires != int64(15*time.Minute/time.Second) || a.Access == "" || a.Refresh == "" {
		t.Fatalf("obtain: %+v", a)
	}
	f.clock.Add(time.Minute)
	st, b := f.refresh(a.Refresh)
	if st != 200 || b.Refresh == a.Refresh || b.Access == a.Access {
		t.Fatalf("refresh: %d %+v", st, b)
	}
	f.clock.Add(time.Second)
	st, c := f.refresh(a.Refresh)
	if st != 200 || c.Access != b.Access || c.Refresh != b.Refresh || c.Expires != b.Expires-1 {
		t.Fatalf("retry inside the grace: %d %+v, want %+v", st, c, b)
	}
	f.clock.Add(10 * time.Second)
	st, d := f.refresh(a.Refresh)
	if st != 400 || d.Error != "invalid_grant" {
		t.Fatalf("reuse: %d %+v", st, d)
	}
	st, d = f.refresh(b.Refresh)
	if st != 400 || d.Error != "invalid_grant" {
		t.Fatalf("successor after reuse: %d %+v", st, d)
	}
	for _, tok := range []string{a.Access, b.Access} {
		r := f.iss.Verify(bg, form("token", tok))
		if r.Status != 401 {
			t.Fatalf("access token of a reused family: %d %s", r.Status, r.Body)
		}
	}
}
