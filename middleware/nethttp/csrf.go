package nethttpsession

import (
	"net/http"

	"github.com/fastjwt/session/csrf"
)

// CrossOrigin returns middleware that refuses cross-origin state-changing requests by p's
// policy (package csrf), applied by the standard library's http.CrossOriginProtection itself,
// configured once from p: its trusted origins and bypass patterns. A refused request gets deny's
// answer or, when deny is nil, the standard library's: 403 Forbidden with the reason as a
// plain-text body. Per request it allocates what http.CrossOriginProtection does (nothing for a
// request that passes without a bypass lookup).
func CrossOrigin(p *csrf.Protection, deny http.Handler) func(http.Handler) http.Handler {
	co := http.NewCrossOriginProtection()
	for _, o := range p.TrustedOrigins() {
		if err := co.AddTrustedOrigin(o); err != nil {
			// csrf.New validated it by the same rules.
			panic("nethttpsession: " + err.Error())
		}
	}
	for _, s := range p.BypassPatterns() {
		co.AddInsecureBypassPattern(s) // csrf.New registered it on a ServeMux already
	}
	if deny != nil {
		co.SetDenyHandler(deny)
	}
	return co.Handler
}
