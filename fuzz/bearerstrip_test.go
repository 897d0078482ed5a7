package fuzz

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// forwardedNames are the headers the Bearer of FuzzBearerStrip sets for the handler.
var forwardedNames = []string{"x-user", "x-tenant", "x-claims"}

// seen lists the header lines with a forwarded name, in any spelling, as "lower-name: value".
func seen(lines [][2]string) []string {
	var out []string
	for _, l := range lines {
		if name := strings.ToLower(l[0]); slices.Contains(forwardedNames, name) {
			out = append(out, name+": "+l[1])
		}
	}
	slices.Sort(out)
	return out
}

// credentials lists the request's Authorization and Cookie lines and whether it has a query,
// as both stacks parsed them, to tell when they read the same request.
func credentials(lines [][2]string) []string {
	var out []string
	for _, l := range lines {
		if name := strings.ToLower(l[0]); name == "authorization" || name == "cookie" {
			out = append(out, name+": "+l[1])
		}
	}
	slices.Sort(out)
	return out
}

// FuzzBearerStrip sends arbitrary request header blocks ("TOKEN" in the input stands for a
// valid token) through the bearer middleware of both stacks, fasthttp with and without
// DisableHeaderNamesNormalizing and net/http, parsing the same bytes. Whatever the spellings,
// duplicates and order, the handler never sees a client value of a forwarded header: with a
// valid token exactly the token's values, otherwise none of them. When both stacks parsed the
// same credentials, they give the same status.
func FuzzBearerStrip(f *testing.F) {
	codec := newCodec(f, "")
	payload := `{"sub":"alice","exp":1800000000}` // no "tenant": X-Tenant must stay absent
	tok, err := codec.AppendSign(nil, []byte(payload))
	if err != nil {
		f.Fatal(err)
	}
	b, err := bearer.New(codec, bearer.Config{
		Schemes: []string{"Bearer", "JWT"}, Cookie: "jwt", Optional: true,
		Forward:       []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "tenant", Header: "X-Tenant"}},
		PayloadHeader: "X-Claims",
	})
	if err != nil {
		f.Fatal(err)
	}
	valid := []string{"x-claims: " + base64.RawURLEncoding.EncodeToString([]byte(payload)), "x-user: alice"}

	for _, s := range []string{
		"Authorization: Bearer TOKEN\r\nX-User: mallory",
		"authorization: bearer TOKEN\r\nx-user: mallory\r\nX-USER: m2\r\nx-User: m3",
		"AUTHORIZATION: JWT TOKEN\r\nx-tenant: t0\r\nX-Claims: e30\r\nx-claims: e30",
		"Authorization: Bearer TOKEN\r\nauthorization: Bearer TOKEN",
		"Authorization: Basic dTpw\r\nCookie: jwt=TOKEN\r\nX-User: m",
		"Cookie: a=1;\tjwt=TOKEN; jwt=TOKEN",
		"Cookie: jwt=TOKEN\r\nAuthorization: Bearer TOKEN",
		"X-User: mallory\r\nX-Tenant: t\r\nX-Claims: e30",
		"Authorization: Bearer x.y.z\r\nX-User: mallory",
		"X-User : spaced\r\nAuthorization: Bearer TOKEN",
		"Authorization:Bearer  TOKEN \r\nX-USER:\tm",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	fastHandler := fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
		var lines [][2]string
		for k, v := range ctx.Request.Header.All() {
			lines = append(lines, [2]string{string(k), string(v)})
		}
		ctx.SetUserValue("seen", seen(lines))
		ctx.SetUserValue("valid", fasthttpsession.TokenFrom(ctx).Valid())
	})
	var netSeen []string
	var netValid bool
	netHandler := nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var lines [][2]string
		for k, vs := range r.Header {
			for _, v := range vs {
				lines = append(lines, [2]string{k, v})
			}
		}
		netSeen = seen(lines)
		netValid = nethttpsession.TokenFromContext(r.Context()).Valid()
	}))

	f.Fuzz(func(t *testing.T, block []byte, disableNormalizing bool) {
		block = bytes.ReplaceAll(block, []byte("TOKEN"), tok)
		head := "GET / HTTP/1.1\r\nHost: example.test\r\n" + string(block) + "\r\n\r\n"
		check := func(stack string, status int, tokenValid bool, got []string) {
			switch {
			case status != 200:
			case tokenValid && !slices.Equal(got, valid):
				t.Fatalf("%s: with a valid token the handler saw %q, want %q", stack, got, valid)
			case !tokenValid && len(got) != 0:
				t.Fatalf("%s: without a token the handler saw %q", stack, got)
			}
		}

		var ctx fasthttp.RequestCtx
		if disableNormalizing {
			ctx.Request.Header.DisableNormalizing()
		}
		fastOK := ctx.Request.Read(bufio.NewReader(strings.NewReader(head))) == nil
		var fastCreds []string
		if fastOK {
			var lines [][2]string
			for k, v := range ctx.Request.Header.All() {
				lines = append(lines, [2]string{string(k), string(v)})
			}
			fastCreds = credentials(lines)
			fastHandler(&ctx)
			got, _ := ctx.UserValue("seen").([]string)
			tokenValid, _ := ctx.UserValue("valid").(bool)
			check("fasthttp", ctx.Response.StatusCode(), tokenValid, got)
		}

		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			return
		}
		var lines [][2]string
		for k, vs := range r.Header {
			for _, v := range vs {
				lines = append(lines, [2]string{k, v})
			}
		}
		netCreds := credentials(lines)
		netSeen, netValid = nil, false
		w := httptest.NewRecorder()
		netHandler.ServeHTTP(w, r)
		check("net/http", w.Code, netValid, netSeen)

		if fastOK && slices.Equal(fastCreds, netCreds) && !strings.Contains(strings.ToLower(head), "cookie") && ctx.Response.StatusCode() != w.Code {
			t.Fatalf("same credentials %q, fasthttp %d, net/http %d", netCreds, ctx.Response.StatusCode(), w.Code)
		}
	})
}
