package tokentest

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// Answer is an endpoint's answer: status, headers, body, and the body's members.
type Answer struct {
	Status  int
	Header  http.Header
	Body    string
	Access  string `json:"access_token"`
	Type    string `json:"token_type"`
	Expires int64  `json:"expires_in"`
	Refresh string `json:"refresh_token"`
	Error   string `json:"error"`
	Sub     string `json:"sub"`
	Role    string `json:"role"`
	JTI     string `json:"jti"`
}

func readAnswer(t testing.TB, res *http.Response) Answer {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := Answer{Status: res.StatusCode, Header: res.Header, Body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("answer %d %q: %v", res.StatusCode, b, err)
		}
	}
	return a
}

// post sends body with content type ct to path.
func (f *Fixture) post(path, ct, body string) Answer {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	return readAnswer(f.t, res)
}

const formType = "application/x-www-form-urlencoded"

// form posts the pairs as a form.
func (f *Fixture) form(path string, kv ...string) Answer {
	f.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return f.post(path, formType, v.Encode())
}

// obtain logs User in and returns the pair, failing unless it is a 200.
func (f *Fixture) obtain() Answer {
	f.t.Helper()
	a := f.post("/token", "application/json", `{"username":"`+User+`","password":"`+Password+`"}`)
	if a.Status != 200 || a.Access == "" || a.Refresh == "" {
		f.t.Fatalf("obtain: %d %s", a.Status, a.Body)
	}
	return a
}

func (f *Fixture) refresh(tok string) Answer {
	f.t.Helper()
	return f.form("/token/refresh", "refresh_token", tok)
}

// me calls /api/me with "Authorization: scheme tok" and returns the answer.
func (f *Fixture) me(scheme, tok string) Answer {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.URL+"/api/me", nil)
	req.Header.Set("Authorization", scheme+" "+tok)
	res, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	return readAnswer(f.t, res)
}

// raw sends a request as raw bytes and returns the answer.
func (f *Fixture) raw(request string) Answer {
	f.t.Helper()
	u, _ := url.Parse(f.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		f.t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return readAnswer(f.t, res)
}

// want fails unless a has the status and, when code is set, the error code.
func want(t testing.TB, a Answer, status int, code, what string) {
	t.Helper()
	if a.Status != status || (code != "" && a.Error != code) {
		t.Fatalf("%s: %d %s, want %d %s", what, a.Status, a.Body, status, code)
	}
}
