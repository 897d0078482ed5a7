package tokentest

import (
	"strconv"
	"strings"
	"testing"
)

func runGrammar(t *testing.T, st Stack) {
	f := newFixture(t, st)
	p := f.obtain()
	creds := "username=" + User + "&password=" + strings.ReplaceAll(Password, " ", "+")
	for _, c := range []struct {
		name, path, ct, body string
		status               int
		code                 string
	}{
		{"form", "/token", formType, creds, 200, ""},
		{"form with a charset", "/token", formType + "; charset=utf-8", creds, 200, ""},
		{"json with a charset", "/token", "application/json; charset=utf-8", `{"username":"ann","password":"correct horse"}`, 200, ""},
		{"json null is omitted", "/token", "application/json", `{"username":"ann","password":null}`, 400, "invalid_request"},
		{"no content type", "/token", "", creds, 400, "invalid_request"},
		{"text/plain", "/token", "text/plain", creds, 400, "invalid_request"},
		{"multipart", "/token", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nann\r\n--x--\r\n", 400, "invalid_request"},
		{"malformed content type", "/token", "application/json; =", creds, 400, "invalid_request"},
		{"duplicate form parameter", "/token", formType, creds + "&username=bob", 400, "invalid_request"},
		{"duplicate form parameter, same value", "/token", formType, creds + "&password=" + strings.ReplaceAll(Password, " ", "+"), 400, "invalid_request"},
		{"duplicate json member", "/token", "application/json", `{"username":"bob","username":"ann","password":"correct horse"}`, 400, "invalid_request"},
		{"json number", "/token", "application/json", `{"username":"ann","password":1}`, 400, "invalid_request"},
		{"json nested", "/token", "application/json", `{"username":{"a":"b"},"password":"x"}`, 400, "invalid_request"},
		{"json array", "/token", "application/json", `["ann"]`, 400, "invalid_request"},
		{"json trailing data", "/token", "application/json", `{"username":"ann","password":"correct horse"}{}`, 400, "invalid_request"},
		{"json truncated", "/token", "application/json", `{"username":"ann"`, 400, "invalid_request"},
		{"invalid utf-8", "/token", "application/json", "{\"username\":\"ann\xff\",\"password\":\"x\"}", 400, "invalid_request"},
		{"bad percent escape", "/token", formType, "username=%zz&password=x", 400, "invalid_request"},
		{"semicolon separator", "/token", formType, "username=ann;password=x", 400, "invalid_request"},
		{"missing password", "/token", formType, "username=ann", 400, "invalid_request"},
		{"empty password is missing", "/token", formType, "username=ann&password=", 400, "invalid_request"},
		{"obtain grant_type password", "/token", formType, "grant_type=password&" + creds, 200, ""},
		{"obtain grant_type refresh_token", "/token", formType, "grant_type=refresh_token&" + creds, 400, "unsupported_grant_type"},
		{"obtain unknown grant_type", "/token", formType, "grant_type=client_credentials&" + creds, 400, "unsupported_grant_type"},
		{"refresh grant_type password", "/token/refresh", formType, "grant_type=password&refresh_token=" + p.Refresh, 400, "unsupported_grant_type"},
		{"refresh without a token", "/token/refresh", formType, "grant_type=refresh_token", 400, "invalid_request"},
		{"refresh of garbage", "/token/refresh", formType, "refresh_token=garbage", 400, "invalid_grant"},
		{"unknown parameters are ignored", "/token", formType, creds + "&foo=bar", 200, ""},
		{"body at the cap", "/token", formType, creds + "&pad=" + strings.Repeat("x", 2048-len(creds)-5), 200, ""},
		{"body over the cap", "/token", formType, creds + "&pad=" + strings.Repeat("x", 2048-len(creds)-4), 413, "invalid_request"},
		{"huge body", "/token", formType, creds + "&pad=" + strings.Repeat("x", 100<<10), 413, "invalid_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := f.post(c.path, c.ct, c.body)
			want(t, a, c.status, c.code, c.name)
			if a.Header.Get("Cache-Control") != "no-store" || a.Header.Get("Pragma") != "no-cache" {
				t.Fatalf("%s: headers %v", c.name, a.Header)
			}
		})
	}
	// The grant_type of refresh, when present, is refresh_token (a second rotation of p).
	want(t, f.form("/token/refresh", "grant_type", "refresh_token", "refresh_token", p.Refresh), 200, "", "refresh with its grant_type")
	t.Run("GET", func(t *testing.T) {
		for _, path := range []string{"/token", "/token/refresh", "/token/verify", "/token/revoke"} {
			req := "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
			a := f.raw(req)
			want(t, a, 405, "invalid_request", "GET "+path)
			if a.Header.Get("Allow") != "POST" {
				t.Fatalf("405 without Allow: POST: %v", a.Header)
			}
		}
	})
	t.Run("two Content-Type lines", func(t *testing.T) {
		body := creds
		a := f.raw("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: " + formType + "\r\nContent-Type: " + formType +
			"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body)
		want(t, a, 400, "invalid_request", "two Content-Type lines")
	})
}
