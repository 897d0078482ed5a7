package fuzz

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/url"
	"slices"
	"testing"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
)

// FuzzTokenRequest sends hostile bodies and content types to the issuer's obtain endpoint.
// Whatever the input: no panic; the answer is JSON, with a status of the documented set; and an
// obtain succeeds only for a body that a reference reading (net/url, encoding/json) takes as
// exactly one username "ann" and one password "s3cret", with no parameter given twice.
func FuzzTokenRequest(f *testing.F) {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("fuzz secret of thirty-two bytes.")}})
	if err != nil {
		f.Fatal(err)
	}
	iss, err := issuing.New(issuing.Config{Codec: codec, Families: issuing.NewMemory(issuing.MemoryOptions{}),
		Revocations: revoke.NewMemory(revoke.MemoryOptions{}), MaxBody: 4096,
		Authenticate: func(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
			if subtle.ConstantTimeCompare([]byte(c.Username+"\x00"+c.Password), []byte("ann\x00s3cret")) != 1 {
				return "", nil, issuing.ErrInvalidGrant
			}
			return "ann", nil, nil
		}})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][2]string{
		{"application/x-www-form-urlencoded", "username=ann&password=s3cret"},
		{"application/x-www-form-urlencoded", "username=ann&password=s3cret&username=ann"},
		{"application/x-www-form-urlencoded", "username=ann;password=s3cret"},
		{"application/x-www-form-urlencoded", "user%6eame=ann&password=s3%63ret"},
		{"application/json", `{"username":"ann","password":"s3cret"}`},
		{"application/json", `{"username":"ann","password":"s3cret","username":"x"}`},
		{"application/json; charset=utf-8", `{"username":"ann","password":"s3\u0063ret"}`},
		{"application/json", `{"username":"ann","password":"s3cret"} x`},
		{"text/plain", "username=ann&password=s3cret"},
		{"", ""},
	} {
		f.Add(s[0], s[1])
	}
	allowed := []int{200, 400, 401, 405, 413, 429, 503}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := iss.Obtain(context.Background(), issuing.Request{Method: "POST", ContentType: contentType, Body: []byte(body)})
		if !slices.Contains(allowed, r.Status) || !json.Valid(r.Body) {
			t.Fatalf("answer %d %q", r.Status, r.Body)
		}
		if r.Status == 200 && !referenceCredentials(contentType, body) {
			t.Fatalf("obtain accepted %q %q", contentType, body)
		}
	})
}

// referenceCredentials reports whether body reads, by the standard library, as exactly one
// username "ann" and one password "s3cret", every parameter given once.
func referenceCredentials(contentType, body string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(body)
		if err != nil {
			return false
		}
		for _, vs := range v {
			if len(vs) != 1 {
				return false
			}
		}
		return v.Get("username") == "ann" && v.Get("password") == "s3cret"
	case "application/json":
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil {
			return false
		}
		return m["username"] == "ann" && m["password"] == "s3cret"
	}
	return false
}
