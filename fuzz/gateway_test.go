package fuzz

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/gateway"
	"github.com/fastjwt/session/internal/pathref"
)

// FuzzGatewayAuth sends arbitrary request header blocks ("TOKEN" in the input stands for a valid
// token of subject alice, without a "role") to the gateway's /auth and /ext-authz endpoints, on
// fasthttp with and without DisableHeaderNamesNormalizing. Whatever the spellings, duplicates,
// original URIs and order, the answer holds each claim header at most once, and a client's value
// never comes back in one: a 200 says X-User "alice" and X-Role empty (for Envoy: named in
// x-envoy-auth-headers-to-remove), a refusal carries no claim header at all, and no input makes
// the gateway answer anything but the statuses it documents.
//
// The original request target is fuzzed too (in X-Original-URI, or after /ext-authz): the token
// is valid on the route "/" only (the route /admin/ wants the audience "admin"), so a 200 for a
// target that any common upstream reads as a path under /admin/ (package pathref) would be the
// path-semantics bypass the gateway refuses with 400.
func FuzzGatewayAuth(f *testing.F) {
	codec := newCodec(f, "", fastjwt.AcceptAnyAudience())
	tok, err := codec.AppendSign(nil, []byte(`{"sub":"alice","aud":"api","exp":1800000000}`))
	if err != nil {
		f.Fatal(err)
	}
	g, err := gateway.New(gateway.Config{Routes: []gateway.Route{
		{Name: "api", PathPrefix: "/", Verifier: codec, Cookie: "jwt",
			ClaimHeaders: []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "role", Header: "X-Role"}}},
		{Name: "admin", PathPrefix: "/admin/", Verifier: codec, Audience: "admin",
			ClaimHeaders: []bearer.Forward{{Claim: "sub", Header: "X-User"}}},
	}})
	if err != nil {
		f.Fatal(err)
	}
	srv := gateway.NewServer(g)

	for _, s := range []string{
		"Authorization: Bearer TOKEN\r\nX-User: mallory\r\nX-Role: admin",
		"authorization: bearer TOKEN\r\nx-user: mallory\r\nX-USER: m2\r\nx-Role: root",
		"AUTHORIZATION: JWT TOKEN\r\nX-Original-URI: /admin/x",
		"Authorization: Bearer TOKEN\r\nX-Forwarded-Uri: /admin/\r\nX-Original-URI: /",
		"Authorization: Bearer TOKEN\r\nX-Forwarded-Uri: /%61dmin/../x",
		"Authorization: Bearer TOKEN\r\nauthorization: Bearer TOKEN",
		"Cookie: jwt=TOKEN\r\nX-Role: admin",
		"Cookie: jwt=TOKEN\r\nAuthorization: Bearer TOKEN",
		"X-User: mallory\r\nX-Role: admin",
		"Authorization: Bearer x.y.z\r\nX-User: mallory",
		"X-User : spaced\r\nAuthorization: Bearer TOKEN",
		"Authorization:Bearer  TOKEN \r\nX-ROLE:\tm",
	} {
		for _, ext := range []bool{false, true} {
			f.Add([]byte(s), "", ext, false)
			f.Add([]byte(s), "", ext, true)
		}
	}
	for _, uri := range []string{
		"/", "/admin/x", "/x/../admin/y", "/x#/../admin/y", "/x%23/../admin/y", "/admin;x/y", "/x;y/../admin/z",
		"/%2e%2e/admin/", "/x/..%2fadmin/y", "/x%2f..%2fadmin/y", "/x\\..\\admin\\y", "/admin%00/x", "//admin/x",
		"/x/%252e%252e/admin/y", "/admin./x", "/x/%ff/../admin", "/Admin/x", "/adminx/y", "http://h/x/../admin/y",
	} {
		f.Add([]byte("Authorization: Bearer TOKEN"), uri, false, false)
		f.Add([]byte("Authorization: Bearer TOKEN"), uri, true, true)
	}

	documented := []int{200, 400, 401, 403, 404, 405, 431, 503}
	f.Fuzz(func(t *testing.T, block []byte, uri string, ext, disableNormalizing bool) {
		block = bytes.ReplaceAll(block, []byte("TOKEN"), tok)
		if strings.ContainsAny(uri, "\r\n") || ext && uri != "" && uri[0] != '/' {
			return // not a header value, or not an ext_authz request
		}
		target := "/auth"
		switch {
		case ext && uri == "":
			target = "/ext-authz/admin/page"
		case ext:
			target = "/ext-authz" + uri
		case uri != "":
			block = append(block, "\r\nX-Original-URI: "+uri...)
		}
		head := "GET " + target + " HTTP/1.1\r\nHost: gateway.test\r\n" + string(block) + "\r\n\r\n"
		var ctx fasthttp.RequestCtx
		if disableNormalizing {
			ctx.Request.Header.DisableNormalizing()
		}
		if ctx.Request.Read(bufio.NewReader(strings.NewReader(head))) != nil {
			return
		}
		srv.HandleFastHTTP(&ctx)

		status := ctx.Response.StatusCode()
		if !slices.Contains(documented, status) {
			t.Fatalf("status %d", status)
		}
		if status == 200 && uri != "" {
			for _, r := range pathref.Readers {
				if p, ok := r.Read(uri); ok && strings.HasPrefix(p, "/admin/") {
					t.Fatalf("200 for %q, which %s reads as %q: a path of the route /admin/", uri, r.Name, p)
				}
			}
		}
		answer := map[string][]string{}
		for k, v := range ctx.Response.Header.All() {
			name := strings.ToLower(string(k))
			answer[name] = append(answer[name], string(v))
		}
		for _, name := range []string{"x-user", "x-role"} {
			if len(answer[name]) > 1 {
				t.Fatalf("status %d: %d %s lines: %q", status, len(answer[name]), name, answer[name])
			}
		}
		if status != 200 {
			if len(answer["x-user"])+len(answer["x-role"]) > 0 {
				t.Fatalf("a refusal (%d) carries claim headers: %q %q", status, answer["x-user"], answer["x-role"])
			}
			return
		}
		if got := answer["x-user"]; !slices.Equal(got, []string{"alice"}) {
			t.Fatalf("200 with X-User %q, want alice", got)
		}
		if got := answer["x-role"]; len(got) == 1 && got[0] != "" {
			t.Fatalf("200 with X-Role %q: the token has no role", got)
		}
		if ext && !strings.Contains(strings.ToLower(strings.Join(answer["x-envoy-auth-headers-to-remove"], ",")), "x-role") {
			t.Fatalf("Envoy's 200 does not remove X-Role: %q", answer["x-envoy-auth-headers-to-remove"])
		}
	})
}
