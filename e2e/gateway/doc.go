// Package gateway tests `fastjwt gateway` behind real proxies: the compiled command, a Go upstream
// that echoes what it receives, and nginx and Caddy processes configured with the snippets of
// docs/gateway.md, on loopback. The forward-auth contracts of Traefik and Envoy, which are not
// packaged for Debian, are tested with Go clients that send what those proxies send and apply
// the gateway's answer as they do. The package holds tests only.
package gateway
