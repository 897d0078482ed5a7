package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The path rule's two route options, from the config file to the running gateway: a route that
// allows ";" parameters takes them, the others refuse them; a route that refuses case variants
// refuses "/Admin/..." while the default route still serves case variants of its own paths.
func TestGatewayRoutePathOptions(t *testing.T) {
	bin := gatewayBinary(t)
	dir := t.TempDir()
	const secret = "path-options-secret-0123456789abcdef"
	conf := filepath.Join(dir, "gw.conf")
	writeFile600(t, conf, "[issuer corp]\nkey-env = CORP_KEY\n"+
		"[route /]\nissuer = corp\n"+
		"[route /java]\nissuer = corp\npath-parameters = allow\n"+
		"[route /admin]\nissuer = corp\naud = admin\ncase-variants = refuse\n")
	p := startGateway(t, bin, []string{"CORP_KEY=" + secret}, "--config", conf)
	tok := hs256Token(t, secret, `"sub":"u"`)
	for _, tc := range []struct {
		uri  string
		want int
	}{
		{"/java/users;v=2/x", 200},
		{"/java;v=2/x", 400}, // with the parameter dropped it is /java/x: two routes
		{"/other;v=2/x", 400},
		{"/x/Admin", 200},  // not under /admin in any case
		{"/Admin/x", 400},  // /admin refuses its case variants
		{"/admin/x", 403},  // the token has no "aud": the route's audience is not met
		{"/adminx/y", 200}, // a segment boundary: the default route
		{"/a/../admin", 400},
	} {
		if got := p.status(tok, "X-Original-URI", tc.uri); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.uri, got, tc.want)
		}
	}
}

// A bad value of either option is reported with its line.
func TestGatewayRoutePathOptionErrors(t *testing.T) {
	dir := t.TempDir()
	for key, want := range map[string]string{
		"path-parameters": `gw.conf:4: route "/": path-parameters: "yes": want allow or refuse (the default)`,
		"case-variants":   `gw.conf:4: route "/": case-variants: "on": want refuse or allow (the default)`,
	} {
		value := map[string]string{"path-parameters": "yes", "case-variants": "on"}[key]
		path := filepath.Join(dir, "gw.conf")
		if err := os.WriteFile(path, []byte("[issuer corp]\nkey-env = K\n[route /]\n"+key+" = "+value+"\nissuer = corp\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := readGatewayConfig(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", key, err, want)
		}
	}
}
