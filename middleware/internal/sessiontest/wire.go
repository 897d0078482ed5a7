package sessiontest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// raw sends one request, written exactly as given (lines joined with CRLF, the head ended for
// it), to the server at base over a fresh TCP connection, and reads the response. Header names
// keep their spelling and order, which net/http's client would canonicalize or reorder.
func raw(t testing.TB, base string, lines ...string) response {
	t.Helper()
	return rawBody(t, base, "", lines...)
}

// rawBody is raw with bytes sent after the head (a chunked body, trailers).
func rawBody(t testing.TB, base, body string, lines ...string) response {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	head := strings.Join(lines, "\r\n") + "\r\nHost: " + u.Host + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, head+body); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, string(b), res.Header}
}
