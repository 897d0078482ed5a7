package gateway

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The path table: request targets spelled in every way the servers behind a gateway read
// differently (dot segments raw and encoded, ";" path parameters, encoded "/" and "\", raw "\",
// "#", NUL and control bytes, double encoding, empty segments, a trailing ".", bytes that are
// not UTF-8 once decoded, case), sent over raw connections to the gateway deployed in front of
// real servers that serve files and clean paths their own way. Three routes, each with its own
// audience and its own file in the servers' document root: whatever the spelling, a token of one
// route must never receive another route's file, judged by the body and by the server's access
// log. Each answer is a refusal (the gateway's, or a front's or a server's own 400), the file of
// the token's own route, or a server's answer that is no file of the table (a 404, a redirect).

// pathRoutesConfig has three routes with three audiences. /partners has no trailing "/": it
// covers /partners and /partners/... but not /partners-internal (segment boundaries). /admin/
// has one, so that both ways of writing a prefix are covered. extra is added to every route.
func pathRoutesConfig(extra string) string {
	return `[issuer test]
key-env = ` + keyEnv + `

[route /]
issuer = test
aud = root.example.com
claim-header = sub=X-User
` + extra + `
[route /partners]
issuer = test
aud = partners.example.com
claim-header = sub=X-User
` + extra + `
[route /admin/]
issuer = test
aud = admin.example.com
claim-header = role=X-Role
` + extra
}

// tableConfigs are the gateway configurations the table runs with: the defaults, and every
// route accepting ";" parameters (for servlet containers' matrix parameters, which must then
// still never choose another route than the one served) and refusing case variants.
var tableConfigs = []struct{ name, extra string }{
	{"defaults", ""},
	{"path-parameters=allow,case-variants=refuse", "path-parameters = allow\ncase-variants = refuse\n"},
}

// pathRoutes are the routes of pathRoutesConfig: their names (as tableFiles uses them), the
// audience of their tokens and the letter the table gives their files.
var pathRoutes = []struct{ name, aud, letter string }{
	{"root", "root.example.com", "r"},
	{"partners", "partners.example.com", "p"},
	{"admin", "admin.example.com", "a"},
}

// tableControl is a target whose outcome is fixed for each route's token (pathRoutes order):
// 200 with the token's own file, or the gateway's refusal. They show that the deployment lets
// the right token through and that the checks see what was served, so that a deployment
// refusing everything fails.
type tableControl struct {
	target string
	want   [3]int
}

var tableControls = []tableControl{
	{"/f", [3]int{200, 403, 403}},
	{"/partners/f", [3]int{403, 200, 403}},
	{"/admin/f", [3]int{403, 403, 200}},
	{"/x/f", [3]int{200, 403, 403}},
	// segment boundaries: /partners does not cover /partners-internal, nor /admin/ /adminx
	{"/partners-internal/f", [3]int{200, 403, 403}},
	{"/adminx/f", [3]int{200, 403, 403}},
}

// tableSpellings are the targets whose outcome depends on how the deployment reads them: any
// refusal, or the token's own file, is right; another route's file is a bypass. "{host}" is the
// front's address (absolute form).
var tableSpellings = []string{
	// dot segments, raw
	"/x/../partners/f",
	"/x/../../partners/f",
	"/./partners/f",
	"/partners/./f",
	"/partners/../f",
	"/x/./../admin/f",
	"/admin/../f",
	// dot segments, encoded (any case, one dot or both)
	"/%2e%2e/partners/f",
	"/x/%2e%2e/partners/f",
	"/x/%2e./partners/f",
	"/x/.%2e/partners/f",
	"/x/%2E%2E/partners/f",
	"/%2e/partners/f",
	"/partners/%2e%2e/f",
	"/partners/%2e/f",
	"/admin/%2e%2e/f",
	// ";" path parameters (servlet containers drop them from every segment)
	"/x/..;/partners/f",
	"/x/..;x=1/partners/f",
	"/x;/../partners/f",
	"/partners;x/f",
	"/partners;/f",
	"/partners/..;/f",
	"/partners;/../f",
	"/partners/f;jsessionid=1",
	"/admin;x/f",
	"/admin;/f",
	"/x/..;/admin/f",
	"/admin/..;/f",
	"/admin%3bx/f",
	// encoded "/" and "\"
	"/partners%2ff",
	"/partners%2Ff",
	"/x/..%2fpartners/f",
	"/x%2f..%2fpartners%2ff",
	"/partners/..%2ff",
	"/partners%2f..%2ff",
	"/admin%2ff",
	"/partners%5cf",
	"/x/..%5cpartners%5cf",
	"/partners/..%5cf",
	// raw "\"
	`/x\..\partners\f`,
	`/partners\f`,
	`/x\../partners/f`,
	`/partners\..\f`,
	`/admin\f`,
	// NUL and control bytes, encoded and raw
	"/partners%00/f",
	"/partners/f%00",
	"/x/%00/../partners/f",
	"/partners%09/f",
	"/partners/%0a/../f",
	"/x\x00/../partners/f",
	"/partners\x7f/f",
	"/x/\x01/../partners/f",
	// double encoding
	"/x%252e%252e/partners/f",
	"/x/%252e%252e/partners/f",
	"/partners%252ff",
	"/x/%25%32%65%25%32%65/partners/f",
	"/%2570artners/f",
	// empty segments
	"//partners/f",
	"/x//../partners/f",
	"/partners//f",
	"/partners//../f",
	"//admin/f",
	"/admin//../f",
	// a segment ending in "."
	"/partners./f",
	"/partners%2e/f",
	"/admin./f",
	// not UTF-8 once decoded, overlong forms, IIS escapes
	"/x/%ff/../partners/f",
	"/partners/%ff/../f",
	"/partners%ff/f",
	"/x/%c0%ae%c0%ae/partners/f",
	"/x/%u002e%u002e/partners/f",
	// case and encoded letters
	"/Partners/f",
	"/PARTNERS/f",
	"/Admin/f",
	"/%70artners/f",
	"/%50artners/f",
	"/%61dmin/f",
	// "#" raw and encoded, "?"
	"/x#/../partners/f",
	"/partners#/../f",
	"/partners/f#x",
	"/x%23/../partners/f",
	"/partners%23/../f",
	"/x?/../partners/f",
	"/partners?/../../f",
	// segment boundaries
	"/partners-internal/../partners/f",
	"/partners-internal%2f..%2fpartners%2ff",
	"/partnersx/../partners/f",
	// absolute form
	"http://{host}/partners/f",
	"http://{host}/x/../partners/f",
	"HTTP://{host}/partners/..;/f",
}

// tableFront is one way of deploying the gateway in front of a file server: start returns the
// address a client talks to and how one raw request goes through it.
type tableFront struct {
	name  string
	start func(t *testing.T, conf string, authGW *gatewayProc, fs *fileServer) (addr string, send sendFunc)
}

// sendFunc sends one raw request target with headers and reads the answer the client gets.
type sendFunc func(target string, headers []header) (answer, error)

// direct sends to addr itself.
func direct(addr string) sendFunc {
	return func(target string, headers []header) (answer, error) {
		return rawRequest(addr, target, headers, 10*time.Second)
	}
}

var tableFronts = []tableFront{
	{"reverse-proxy", func(t *testing.T, conf string, _ *gatewayProc, fs *fileServer) (string, sendFunc) {
		gw := runGateway(t, "--config", conf, "--upstream", "http://"+fs.addr)
		return gw.addr, direct(gw.addr)
	}},
	{"nginx auth_request", func(t *testing.T, _ string, gw *gatewayProc, fs *fileServer) (string, sendFunc) {
		addr := strings.TrimPrefix(startNginx(t, needProgram(t, "nginx", "nginx"), gw.addr, fs.addr), "http://")
		return addr, direct(addr)
	}},
	{"caddy forward_auth", func(t *testing.T, _ string, gw *gatewayProc, fs *fileServer) (string, sendFunc) {
		addr := strings.TrimPrefix(startCaddy(t, needProgram(t, "caddy", "caddy"), gw.addr, fs.addr), "http://")
		return addr, direct(addr)
	}},
	{"ext-authz", extAuthzRawFront},
}

// extAuthzRawFront is Envoy's ext_authz as documented, with Envoy's default path handling
// (normalize_path and merge_slashes off, escaped slashes kept): the check is path_prefix + the
// target's path as the client wrote it, with Authorization only; on 200 the same target goes to
// the server. It is a model (Envoy is not packaged here), sent raw so that nothing normalizes
// the path in between.
func extAuthzRawFront(t *testing.T, _ string, gw *gatewayProc, fs *fileServer) (string, sendFunc) {
	prefix := yamlValue(t, "envoy", snippet(t, "envoy"), "path_prefix")
	return fs.addr, func(target string, headers []header) (answer, error) {
		var auth []header
		for _, h := range headers {
			if strings.EqualFold(h.name, "Authorization") {
				auth = append(auth, h)
			}
		}
		path := target
		if i := strings.Index(target, "://"); i >= 0 { // absolute form: Envoy's :path is the path
			path = target[i+3:]
			if j := strings.IndexByte(path, '/'); j >= 0 {
				path = path[j:]
			} else {
				path = "/"
			}
		}
		a, err := rawRequest(gw.addr, prefix+path, auth, 10*time.Second)
		if err != nil || a.status != 200 {
			return a, err
		}
		return rawRequest(fs.addr, target, headers, 10*time.Second)
	}
}

// tableServer is one kind of file server the table runs against.
type tableServer struct {
	name  string
	start func(t *testing.T) *fileServer
}

var tableServers = []tableServer{
	{"go-fileserver", startGoFiles},
	{"nginx-root", func(t *testing.T) *fileServer { return startNginxFiles(t, needProgram(t, "nginx", "nginx")) }},
	{"caddy-file_server", func(t *testing.T) *fileServer { return startCaddyFiles(t, needProgram(t, "caddy", "caddy")) }},
	{"tomcat10", func(t *testing.T) *fileServer { return startTomcat(t, needTomcat(t)) }},
}

// TestPathTable runs the table through every front in front of every file server, with each
// of tableConfigs. Each server is started once and shared by its fronts (Tomcat's start is the
// slow part); the gateways of the forward-auth fronts (one per configuration) are shared by
// all. Each server's results are logged as a table per configuration: one row per target, per
// front the outcome for the root, partners and admin tokens.
func TestPathTable(t *testing.T) {
	var tokens []string
	for _, r := range pathRoutes {
		tokens = append(tokens, sign(secret, claims(map[string]any{"aud": r.aud})))
	}
	confs := make([]string, len(tableConfigs))
	authGWs := make([]*gatewayProc, len(tableConfigs))
	for i, c := range tableConfigs {
		confs[i] = filepath.Join(t.TempDir(), "gateway.conf")
		if err := os.WriteFile(confs[i], []byte(pathRoutesConfig(c.extra)), 0o600); err != nil {
			t.Fatal(err)
		}
		authGWs[i] = runGateway(t, "--config", confs[i])
	}
	probes := 0
	for _, srv := range tableServers {
		t.Run(srv.name, func(t *testing.T) {
			fs := srv.start(t)
			for i, c := range tableConfigs {
				results := map[string]map[string]string{} // front -> target -> cell
				for _, fr := range tableFronts {
					t.Run(c.name+"/"+strings.ReplaceAll(fr.name, " ", "-"), func(t *testing.T) {
						addr, send := fr.start(t, confs[i], authGWs[i], fs)
						results[fr.name] = runTable(t, addr, send, fs, tokens, &probes)
					})
				}
				t.Logf("path table, %s behind each front, gateway with %s (cells: root, partners, admin token; "+
					"200r/p/a: that route's file, u: answered by the server, g: the gateway's 400, "+
					"nginx's 500: the gateway's 400, !: bypass):\n%s",
					fs.name, c.name, formatTable(results))
			}
		})
	}
}

// tableResult is one request of the table and what came of it.
type tableResult struct {
	target string // as sent
	route  int    // the token's route, in pathRoutes
	probe  string
	a      answer
	err    error
}

// runTable sends the controls and the spellings with each route's token through send, checks
// every answer and the server's log, and returns a cell per target: for each token its status,
// with the letter of the route whose file it got ("200p"), "u" when the server answered without
// a file ("404u", a server's own "400u"), "g" for the gateway's own 400 ("400g"; a bare "400" is
// the front's), "!" before a bypass, "ERR" when the connection closed without an answer.
func runTable(t *testing.T, addr string, send sendFunc, fs *fileServer, tokens []string, probes *int) map[string]string {
	t.Helper()
	var results []tableResult
	do := func(target string, route int, hs []header) tableResult {
		*probes++
		r := tableResult{target: target, route: route, probe: fmt.Sprintf("p%d", *probes)}
		r.a, r.err = send(strings.ReplaceAll(target, "{host}", addr), append(hs, header{probeHeader, r.probe}))
		// A closed connection is an answer (a refusal); silence is a broken deployment, and
		// waiting out every request's deadline would only make the test slow.
		var ne net.Error
		if errors.As(r.err, &ne) && ne.Timeout() {
			t.Fatalf("%q with the %s token: no answer: %v", target, pathRouteName(route), r.err)
		}
		results = append(results, r)
		return r
	}
	for _, c := range tableControls {
		for i, tok := range tokens {
			do(c.target, i, []header{bearer(tok)})
		}
	}
	noToken := do("/partners/f", -1, nil)
	for _, s := range tableSpellings {
		for i, tok := range tokens {
			do(s, i, []header{bearer(tok)})
		}
	}
	// The last request is one the server answers: once it is in the log, so are the others.
	end := do("/f", 0, []header{bearer(tokens[0])})
	if end.err != nil || end.a.status != 200 {
		t.Fatalf("GET /f with the root token after the table: %v %d %q", end.err, end.a.status, end.a.body)
	}
	log := fs.waitServed(t, end.probe)
	byProbe := map[string][]served{}
	for _, s := range log {
		byProbe[s.probe] = append(byProbe[s.probe], s)
	}

	if noToken.err != nil || noToken.a.status != 401 || len(byProbe[noToken.probe]) != 0 {
		t.Errorf("GET /partners/f without a token: %v, status %d (want 401), the server reached %d times", noToken.err, noToken.a.status, len(byProbe[noToken.probe]))
	}
	cells := map[string][]string{}
	controls := map[string][3]int{}
	for _, c := range tableControls {
		controls[c.target] = c.want
	}
	for _, r := range results {
		if r.route < 0 || r.probe == end.probe {
			continue
		}
		own := pathRoutes[r.route]
		seen := byProbe[r.probe]
		cell := ""
		file := servedFile(r.a.body)
		switch {
		case r.err != nil:
			cell = "ERR"
			t.Logf("%q with the %s token: no answer: %v", r.target, own.name, r.err)
		case file >= 0:
			cell = fmt.Sprintf("%d%s", r.a.status, pathRouteLetter(tableFiles[file].route))
			if tableFiles[file].route != own.name {
				cell = "!" + cell
				t.Errorf("BYPASS: %q with the %s token (aud %s) got %s of route %s (status %d); the server logged %v",
					r.target, own.name, own.aud, tableFiles[file].path, tableFiles[file].route, r.a.status, seen)
			}
		default:
			cell = fmt.Sprint(r.a.status)
			switch {
			case len(seen) > 0:
				cell += "u"
			case r.a.status == 400 && r.a.header.Get("Cache-Control") == "no-store":
				cell += "g" // the gateway's refusal (its refusals are no-store; nginx makes it 500)
			}
			if r.a.status/100 == 2 {
				t.Logf("%q with the %s token: status %d, not a file of the table: %q", r.target, own.name, r.a.status, r.a.body)
			}
		}
		// The server's own account: a 200 of another route's file (known by its size) is a
		// bypass even if the front changed the answer, and a refused request must not have been
		// answered by the server with a 2xx.
		for _, s := range seen {
			if s.status/100 != 2 {
				continue
			}
			for i, f := range tableFiles {
				if f.route != own.name && s.size == int64(len(fileBody(i))) {
					t.Errorf("BYPASS (the server's log): %q with the %s token: %s answered %d with %d bytes, the size of %s of route %s (received %q, resolved %q)",
						r.target, own.name, fs.name, s.status, s.size, f.path, f.route, s.uri, s.path)
				}
			}
			if r.err == nil && (r.a.status == 401 || r.a.status == 403) {
				t.Errorf("%q with the %s token: refused with %d, but %s answered it with %d", r.target, own.name, r.a.status, fs.name, s.status)
			}
		}
		if want, ok := controls[r.target]; ok {
			w := want[r.route]
			switch {
			case r.err != nil || r.a.status != w:
				t.Errorf("control %q with the %s token: status %d (%v), want %d\nbody: %q", r.target, own.name, r.a.status, r.err, w, r.a.body)
			case w == 200 && (file < 0 || tableFiles[file].route != own.name):
				t.Errorf("control %q with the %s token: body %q, want the route's file", r.target, own.name, r.a.body)
			case w == 200 && (len(seen) != 1 || seen[0].status != 200 || seen[0].size != int64(len(r.a.body))):
				t.Errorf("control %q with the %s token: the server's log holds %v, want one 200 of %d bytes", r.target, own.name, seen, len(r.a.body))
			case w != 200 && len(seen) != 0:
				t.Errorf("control %q with the %s token: refused, but the server logged %v", r.target, own.name, seen)
			}
		}
		cells[r.target] = append(cells[r.target], cell)
	}
	out := map[string]string{}
	for k, v := range cells {
		out[k] = strings.Join(v, " ")
	}
	return out
}

// servedFile returns the index in tableFiles of the file whose content body is, or -1.
func servedFile(body []byte) int {
	for i := range tableFiles {
		if string(body) == fileBody(i) {
			return i
		}
	}
	return -1
}

// pathRouteName names the route of index i in pathRoutes, or "no" (no token) for -1.
func pathRouteName(i int) string {
	if i < 0 {
		return "no"
	}
	return pathRoutes[i].name
}

// pathRouteLetter is the table's letter for the route named name.
func pathRouteLetter(name string) string {
	for _, r := range pathRoutes {
		if r.name == name {
			return r.letter
		}
	}
	return "?"
}

// formatTable lays out results (front -> target -> cell) with a row per target, in the order
// of the controls and spellings, and a column per front, in tableFronts order.
func formatTable(results map[string]map[string]string) string {
	var fronts []string
	for _, f := range tableFronts {
		if _, ok := results[f.name]; ok {
			fronts = append(fronts, f.name)
		}
	}
	var targets []string
	for _, c := range tableControls {
		targets = append(targets, c.target)
	}
	targets = append(targets, tableSpellings...)
	quoted := func(s string) string { return strings.Trim(fmt.Sprintf("%q", s), `"`) }
	tw := len("target")
	for _, s := range targets {
		tw = max(tw, len(quoted(s)))
	}
	cw := 12
	for _, f := range fronts {
		cw = max(cw, len(f))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", tw, "target")
	for _, f := range fronts {
		fmt.Fprintf(&b, " | %-*s", cw, f)
	}
	b.WriteString("\n")
	for _, s := range targets {
		fmt.Fprintf(&b, "%-*s", tw, quoted(s))
		for _, f := range fronts {
			fmt.Fprintf(&b, " | %-*s", cw, results[f][s])
		}
		b.WriteString("\n")
	}
	return b.String()
}
