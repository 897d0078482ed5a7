package issuing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/issuing/issuingtest"
)

func TestMemoryContract(t *testing.T) {
	issuingtest.Run(t, func(t *testing.T) issuing.Families { return issuing.NewMemory(issuing.MemoryOptions{}) })
}

// A full Memory refuses a new family with ErrFull, and finds room again once a family expires
// by its clock; an ended family keeps its place until then.
func TestMemoryFull(t *testing.T) {
	var now time.Time = time.Unix(1700000000, 0)
	m := issuing.NewMemory(issuing.MemoryOptions{MaxFamilies: 2, Clock: func() time.Time { return now }})
	fam := func(id string, end time.Duration) issuing.Family {
		return issuing.Family{ID: id, Subject: "ann", Start: now, End: now.Add(end), Grace: time.Second,
			First: issuing.Generation{Refresh: id + "r", Access: id + "a", Issued: now, AccessExpires: now.Add(time.Second)}}
	}
	if err := m.Start(ctx, fam("a", time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx, fam("b", time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Revoke(ctx, "b", now); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx, fam("c", time.Hour)); !errors.Is(err, issuing.ErrFull) {
		t.Fatalf("Start at MaxFamilies: %v, want ErrFull", err)
	}
	if m.Len() != 2 {
		t.Fatalf("Len after a refused Start: %d, want 2", m.Len())
	}
	now = now.Add(time.Minute + time.Second - 1) // a: End + Grace - 1ns
	if err := m.Start(ctx, fam("c", time.Hour)); !errors.Is(err, issuing.ErrFull) {
		t.Fatalf("Start 1ns before a family expires: %v, want ErrFull", err)
	}
	now = now.Add(1)
	if err := m.Start(ctx, fam("c", time.Hour)); err != nil {
		t.Fatalf("Start once a family has expired: %v", err)
	}
	if m.Len() != 2 {
		t.Fatalf("Len: %d, want 2", m.Len())
	}
	// The expired family is forgotten: its id is free, its token unknown.
	r, err := m.Rotate(ctx, issuing.Rotate{Family: "a", Presented: "ar", Now: now,
		Next: issuing.Generation{Refresh: "x", Access: "y", Issued: now, AccessExpires: now.Add(time.Second)}})
	if err != nil || r.Outcome != issuing.Ended || r.Family.Subject != "" {
		t.Fatalf("Rotate of the expired family: %+v, %v", r, err)
	}
}
