package gateway

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Reverse-proxy mode sends upstream the path it chose the route from: unreserved escapes
// decoded, every other escape kept (in upper case), ";" parameters only where the route allows
// them, the query as the client sent it; and a target with another reading never leaves.
func TestProxyForwardsTheRoutedPath(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	c := newCodec(t)
	g := newGateway(t, Config{Routes: []Route{
		{Name: "api", PathPrefix: "/", Verifier: c, Audience: "api"},
		{Name: "admin", PathPrefix: "/admin", Verifier: c, Audience: "admin"},
		{Name: "java", PathPrefix: "/java", Verifier: c, Audience: "api", PathParameters: true},
	}, Upstream: up, MaxCacheAge: time.Minute})
	addr := serve(t, NewServer(g))
	api := mint(t, `"sub":"alice"`)
	for _, tc := range []struct {
		target string
		status int
		path   string // what the upstream saw
	}{
		{"/x/y?q=%2e%2e/admin&r=1", 200, "/x/y?q=%2e%2e/admin&r=1"},
		{"/%61pi/%7Ex", 200, "/api/~x"},
		{"/a%2cb/%c3%a9", 200, "/a%2Cb/%C3%A9"},
		{"/a,b;", 400, ""},
		{"/java/users;v=2/x", 200, "/java/users;v=2/x"},
		{"/adminx/y", 200, "/adminx/y"}, // a segment boundary: the default route
		{"/%61dmin/x", 403, ""},         // the admin route, whatever the spelling
		{"/admin/x", 403, ""},
		{"/x#/../admin/x", 400, ""},
		{"/x%23/../admin/x", 400, ""},
		{"/admin;x/y", 400, ""},
		{"/x;y/../admin/z", 400, ""},
		{"/x/..;/admin/y", 400, ""},
		{"/x/%2e%2e/admin", 400, ""},
		{"/x%2fadmin", 400, ""},
		{"/x%5cadmin", 400, ""},
		{"/x%252e%252e/admin", 400, ""},
		{"//admin/x", 400, ""},
		{"/admin./x", 400, ""},
		{"/x/%ff", 400, ""},
		{"/x%00", 400, ""},
	} {
		before := hits.Load()
		a := roundTrip(t, addr, "GET", tc.target, "Authorization: Bearer "+api)
		if a.status != tc.status {
			t.Errorf("%q: %d, want %d (%s)", tc.target, a.status, tc.status, a.body)
			continue
		}
		reached := hits.Load() != before
		switch {
		case tc.status != 200 && reached:
			t.Errorf("%q: refused with %d, yet the upstream was asked", tc.target, a.status)
		case tc.status == 200 && !strings.Contains(a.body, "path "+tc.path+"\n"):
			t.Errorf("%q: upstream saw %q, want path %q", tc.target, firstLine(a.body), tc.path)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
