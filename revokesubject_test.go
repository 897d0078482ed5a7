package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// gatedList holds its first RevokeSubject before the write, until released: the moment in
// which a request in flight can sign a cookie after the epoch was read and check the list
// before the epoch is in it.
type gatedList struct {
	revoke.List
	once             sync.Once
	entered, release chan struct{}
}

func (g *gatedList) RevokeSubject(ctx context.Context, sub string, at, until time.Time) error {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.entered)
		<-g.release
	}
	return g.List.RevokeSubject(ctx, sub, at, until)
}

// A request of the subject that commits while "log out everywhere" is being written (after the
// epoch was read, before the list holds it) issues a cookie that the finished revocation
// refuses: the epoch is written again at a time read after the first write.
func TestRevokeSubjectRacingACommit(t *testing.T) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		t.Fatal(err)
	}
	list := &gatedList{List: revoke.NewMemory(revoke.MemoryOptions{}), entered: make(chan struct{}), release: make(chan struct{})}
	m, err := session.New(codec, session.Config{Revocations: list})
	if err != nil {
		t.Fatal(err)
	}
	s := acquire(t, m, "")
	if err := s.Set("sub", "alice"); err != nil {
		t.Fatal(err)
	}
	tok, _ := roundTrip(m, s)

	done := make(chan error, 1)
	go func() { done <- m.RevokeSubject(context.Background(), "alice") }()
	<-list.entered
	// In flight: the epoch has been read, the list does not hold it yet.
	time.Sleep(time.Millisecond) // the cookie's iat is well after the epoch read
	s = acquire(t, m, tok)
	if s.IsNew() {
		t.Fatalf("before the revocation landed: a new session (%v)", s.InvalidReason())
	}
	if err := s.Set("n", 1); err != nil {
		t.Fatal(err)
	}
	next, _ := roundTrip(m, s)
	close(list.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if next == "" {
		return // the commit saw the revocation and issued nothing: fine too
	}
	s = acquire(t, m, next)
	defer m.Release(s)
	if !s.IsNew() {
		t.Fatal("a cookie signed while the revocation was being written is valid after it")
	}
}
