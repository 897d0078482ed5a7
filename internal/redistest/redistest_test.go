package redistest

import (
	"os"
	"testing"
)

// A server answers PING once started, not after Kill, and again after Restart on its port.
func TestServerLifecycle(t *testing.T) {
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(Missing + " (CI=true: this must run)")
		}
		t.Skip(Missing)
	}
	s, err := Start(bin, 0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Kill()
	if !Ping(s.Addr()) {
		t.Fatal("no PONG after Start")
	}
	if err := s.Restart(); err == nil {
		t.Fatal("Restart of a running server succeeded")
	}
	s.Kill()
	s.Kill() // a second Kill does nothing
	if Ping(s.Addr()) {
		t.Fatal("PONG after Kill")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if !Ping(s.Addr()) {
		t.Fatal("no PONG after Restart")
	}
	StopAll()
	if Ping(s.Addr()) {
		t.Fatal("PONG after StopAll")
	}
}
