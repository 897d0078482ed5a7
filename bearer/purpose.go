package bearer

import "github.com/fastjwt/session/fastjwt"

// accepts reports whether typ is one of Config.Types: the token's purpose, checked before any
// audience rule (the verifier's own included), so that a token of another purpose is 401
// invalid_token whatever its "aud".
func (b *Bearer) accepts(typ fastjwt.Type) bool {
	return int(typ) < len(b.types) && b.types[typ]
}
