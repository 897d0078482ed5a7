package gateway

import (
	"errors"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
)

// TestConfigRefused: New refuses what cannot work, with ErrConfig.
func TestConfigRefused(t *testing.T) {
	base := func() Config { return testConfig(t, nil) }
	for name, mod := range map[string]func(*Config){
		"no route":           func(c *Config) { c.Routes = nil },
		"nil verifier":       func(c *Config) { c.Routes[0].Verifier = nil },
		"negative max age":   func(c *Config) { c.MaxCacheAge = -time.Second },
		"same prefix":        func(c *Config) { c.Routes[1].PathPrefix = "/" },
		"relative prefix":    func(c *Config) { c.Routes[1].PathPrefix = "admin" },
		"dot prefix":         func(c *Config) { c.Routes[1].PathPrefix = "/a/../b" },
		"escaped prefix":     func(c *Config) { c.Routes[1].PathPrefix = "/a%2f" },
		"bad header":         func(c *Config) { c.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "X User"}} },
		"reserved header":    func(c *Config) { c.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "cache-control"}} },
		"envoy header":       func(c *Config) { c.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: envoyRemove}} },
		"credentials header": func(c *Config) { c.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "Authorization"}} },
		"header twice": func(c *Config) {
			c.Routes[0].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "name", Header: "x_user"}}
		},
		"two routes, one header": func(c *Config) {
			c.Routes[1].ClaimHeaders = []bearer.Forward{{Claim: "sub", Header: "X_User"}}
		},
		"bad cookie":       func(c *Config) { c.Routes[0].Cookie = "a b" },
		"upstream scheme":  func(c *Config) { c.Upstream = mustURL("ftp://x") },
		"upstream no host": func(c *Config) { c.Upstream = mustURL("http:///x") },
		"check no name":    func(c *Config) { c.Checks = []Check{{Check: nil}} },
	} {
		cfg := base()
		mod(&cfg)
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	if _, err := New(base()); err != nil {
		t.Fatal(err)
	}
}
