package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	cristal "github.com/cristalhq/jwt/v5"
	"github.com/fastjwt/session/fastjwt"
	gbrl "github.com/gbrlsnchs/jwt/v3"
	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	gjwt "github.com/golang-jwt/jwt/v5"
	kataras "github.com/kataras/jwt"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
	pascal "github.com/pascaldekloe/jwt"
)

// A contender is one library set up as its documentation suggests for a server: keys and parsers
// built once, the token verified (signature, exp and nbf) and its claims decoded into the
// library's natural type on every call.
type contender struct {
	name string
	// verifier returns verify, which checks tok and decodes its claims, and check, which compares
	// the claims decoded by the last successful verify with the workload.
	verifier func(tok []byte) (verify, check func() error)
	// signer returns sign, which signs the workload's claims (prepared once in the library's
	// natural type) into a new token. nil for a variant whose signing is another's.
	signer func() (sign func() ([]byte, error))
}

// contenders lists the libraries in the order the report shows them. The first three are this
// codec: the raw path (AppendVerify into a reused buffer), the same with the codec's cache of
// verified tokens turned off, and the typed path (fastjwt.Decode).
//
// Every contender verifies the same token again and again, so "fastjwt" and "fastjwt-typed" get
// the codec's verified-token cache (fastjwt.WithVerifyCache): a client sends the same token with
// every request, and the cache skips the JSON scan of a payload already verified (the MAC, the
// payload decode and the claim checks are still done). "fastjwt-nocache" is the cost of a token
// seen for the first time, which is what the other libraries pay on every call.
var contenders = []contender{
	{"fastjwt", fastjwtRaw, fastjwtRawSign},
	{"fastjwt-nocache", fastjwtNoCache, nil}, // signing has no cache: see "fastjwt"
	{"fastjwt-typed", fastjwtTyped, fastjwtTypedSign},
	{"golang-jwt", golangJWT, golangJWTSign},
	{"cristalhq", cristalHQ, cristalHQSign},
	{"kataras", katarasJWT, katarasSign},
	{"pascaldekloe", pascalDeKloe, pascalDeKloeSign},
	{"lestrrat-jwx", lestrratJWX, lestrratJWXSign},
	{"go-jose", goJose, goJoseSign},
	{"gbrlsnchs", gbrlsnchsJWT, gbrlsnchsSign},
}

// checkClaims compares decoded values with the workload.
func checkClaims(sub, name string, roles []string, counter int) error {
	if sub != wantSub || name != wantName || !slices.Equal(roles, wantRoles) || counter != wantCounter {
		return fmt.Errorf("decoded sub=%q name=%q roles=%q counter=%d", sub, name, roles, counter)
	}
	return nil
}

// --- this codec ---

func fastjwtRaw(tok []byte) (verify, check func() error) {
	return fastjwtAppendVerify(newCodec(), tok)
}

func fastjwtNoCache(tok []byte) (verify, check func() error) {
	return fastjwtAppendVerify(newCodec(fastjwt.WithVerifyCache(0)), tok)
}

func fastjwtAppendVerify(c *fastjwt.Codec, tok []byte) (verify, check func() error) {
	buf := make([]byte, 0, 512)
	var out []byte
	verify = func() error {
		var err error
		out, err = c.AppendVerify(buf[:0], tok)
		return err
	}
	check = func() error {
		var v appClaims
		if err := json.Unmarshal(out, &v); err != nil {
			return err
		}
		return checkClaims(v.Sub, v.Name, v.Roles, v.Counter)
	}
	return verify, check
}

func fastjwtRawSign() func() ([]byte, error) {
	c := newCodec()
	buf := make([]byte, 0, 512)
	return func() ([]byte, error) { return c.AppendSign(buf[:0], payloadJSON) }
}

func fastjwtTyped(tok []byte) (verify, check func() error) {
	c := newCodec()
	var v appClaims
	verify = func() error { return fastjwt.Decode(c, tok, &v) }
	check = func() error { return checkClaims(v.Sub, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func fastjwtTypedSign() func() ([]byte, error) {
	c := newCodec()
	buf := make([]byte, 0, 512)
	return func() ([]byte, error) { return fastjwt.Encode(c, buf[:0], typedClaims) }
}

// --- github.com/golang-jwt/jwt/v5 ---

type golangJWTClaims struct {
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
	gjwt.RegisteredClaims
}

func golangJWT(tok []byte) (verify, check func() error) {
	p := gjwt.NewParser(gjwt.WithValidMethods([]string{"HS256"}))
	keyFunc := func(*gjwt.Token) (any, error) { return secret, nil }
	s := string(tok)
	var v golangJWTClaims
	verify = func() error {
		v = golangJWTClaims{}
		_, err := p.ParseWithClaims(s, &v, keyFunc)
		return err
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func golangJWTSign() func() ([]byte, error) {
	cl := &golangJWTClaims{Name: wantName, Admin: true, Roles: wantRoles, Counter: wantCounter,
		RegisteredClaims: gjwt.RegisteredClaims{Subject: wantSub, Issuer: issuer,
			Audience: gjwt.ClaimStrings{audience}, ID: wantJTI,
			IssuedAt: gjwt.NewNumericDate(iatTime), ExpiresAt: gjwt.NewNumericDate(expTime)}}
	return func() ([]byte, error) {
		s, err := gjwt.NewWithClaims(gjwt.SigningMethodHS256, cl).SignedString(secret)
		return []byte(s), err
	}
}

// --- github.com/cristalhq/jwt/v5 ---

type cristalClaims struct {
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
	cristal.RegisteredClaims
}

func cristalHQ(tok []byte) (verify, check func() error) {
	ver, err := cristal.NewVerifierHS(cristal.HS256, secret)
	if err != nil {
		panic(err)
	}
	var v cristalClaims
	verify = func() error {
		v = cristalClaims{}
		if err := cristal.ParseClaims(tok, ver, &v); err != nil {
			return err
		}
		if !v.IsValidAt(time.Now()) {
			return errors.New("cristalhq: claims not valid now")
		}
		return nil
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func cristalHQSign() func() ([]byte, error) {
	signer, err := cristal.NewSignerHS(cristal.HS256, secret)
	if err != nil {
		panic(err)
	}
	b := cristal.NewBuilder(signer)
	cl := &cristalClaims{Name: wantName, Admin: true, Roles: wantRoles, Counter: wantCounter,
		RegisteredClaims: cristal.RegisteredClaims{Subject: wantSub, Issuer: issuer,
			Audience: cristal.Audience{audience}, ID: wantJTI,
			IssuedAt: cristal.NewNumericDate(iatTime), ExpiresAt: cristal.NewNumericDate(expTime)}}
	return func() ([]byte, error) {
		t, err := b.Build(cl)
		if err != nil {
			return nil, err
		}
		return t.Bytes(), nil
	}
}

// --- github.com/kataras/jwt ---

type katarasClaims struct {
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
	kataras.Claims
}

func katarasJWT(tok []byte) (verify, check func() error) {
	var v katarasClaims
	verify = func() error {
		// Verify checks the signature and the standard claims' times; Claims decodes the rest.
		vt, err := kataras.Verify(kataras.HS256, secret, tok)
		if err != nil {
			return err
		}
		v = katarasClaims{}
		return vt.Claims(&v)
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func katarasSign() func() ([]byte, error) {
	cl := katarasClaims{Name: wantName, Admin: true, Roles: wantRoles, Counter: wantCounter,
		Claims: kataras.Claims{Subject: wantSub, Issuer: issuer, Audience: kataras.Audience{audience},
			ID: wantJTI, IssuedAt: iatUnix, Expiry: expUnix}}
	return func() ([]byte, error) { return kataras.Sign(kataras.HS256, secret, cl) }
}

// --- github.com/pascaldekloe/jwt ---

func pascalDeKloe(tok []byte) (verify, check func() error) {
	h, err := pascal.NewHMAC(pascal.HS256, secret)
	if err != nil {
		panic(err)
	}
	var v *pascal.Claims
	verify = func() error {
		cl, err := h.Check(tok)
		if err != nil {
			return err
		}
		if !cl.Valid(time.Now()) {
			return errors.New("pascaldekloe: claims not valid now")
		}
		v = cl
		return nil
	}
	check = func() error {
		name, _ := v.String("name")
		counter, _ := v.Number("counter")
		var roles []string
		if rs, ok := v.Set["roles"].([]any); ok {
			for _, r := range rs {
				s, _ := r.(string)
				roles = append(roles, s)
			}
		}
		return checkClaims(v.Subject, name, roles, int(counter))
	}
	return verify, check
}

func pascalDeKloeSign() func() ([]byte, error) {
	h, err := pascal.NewHMAC(pascal.HS256, secret)
	if err != nil {
		panic(err)
	}
	cl := &pascal.Claims{
		Registered: pascal.Registered{Subject: wantSub, Issuer: issuer, Audiences: []string{audience},
			ID: wantJTI, Issued: pascal.NewNumericTime(iatTime), Expires: pascal.NewNumericTime(expTime)},
		Set: map[string]any{"name": wantName, "admin": true, "roles": wantRoles, "counter": wantCounter},
	}
	return func() ([]byte, error) { return h.Sign(cl) }
}

// --- github.com/lestrrat-go/jwx/v3 ---

func jwxKey() jwk.Key {
	k, err := jwk.Import(secret)
	if err != nil {
		panic(err)
	}
	return k
}

func lestrratJWX(tok []byte) (verify, check func() error) {
	opt := jwxjwt.WithKey(jwa.HS256(), jwxKey())
	var v jwxjwt.Token
	verify = func() error {
		t, err := jwxjwt.Parse(tok, opt) // validates exp, nbf and iat by default
		v = t
		return err
	}
	check = func() error {
		sub, _ := v.Subject()
		var name string
		var roles []any
		var counter float64
		if err := v.Get("name", &name); err != nil {
			return err
		}
		if err := v.Get("roles", &roles); err != nil {
			return err
		}
		if err := v.Get("counter", &counter); err != nil {
			return err
		}
		var rs []string
		for _, r := range roles {
			s, _ := r.(string)
			rs = append(rs, s)
		}
		return checkClaims(sub, name, rs, int(counter))
	}
	return verify, check
}

func lestrratJWXSign() func() ([]byte, error) {
	t, err := jwxjwt.NewBuilder().Subject(wantSub).Issuer(issuer).Audience([]string{audience}).
		JwtID(wantJTI).IssuedAt(iatTime).Expiration(expTime).
		Claim("name", wantName).Claim("admin", true).Claim("roles", wantRoles).
		Claim("counter", wantCounter).Build()
	if err != nil {
		panic(err)
	}
	opt := jwxjwt.WithKey(jwa.HS256(), jwxKey())
	return func() ([]byte, error) { return jwxjwt.Sign(t, opt) }
}

// --- github.com/go-jose/go-jose/v4 ---

type joseClaims struct {
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
	josejwt.Claims
}

func goJose(tok []byte) (verify, check func() error) {
	s := string(tok)
	algs := []jose.SignatureAlgorithm{jose.HS256}
	var v joseClaims
	verify = func() error {
		t, err := josejwt.ParseSigned(s, algs)
		if err != nil {
			return err
		}
		v = joseClaims{}
		if err := t.Claims(secret, &v); err != nil {
			return err
		}
		return v.Claims.ValidateWithLeeway(josejwt.Expected{Time: time.Now()}, 0)
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func goJoseSign() func() ([]byte, error) {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	cl := joseClaims{Name: wantName, Admin: true, Roles: wantRoles, Counter: wantCounter,
		Claims: josejwt.Claims{Subject: wantSub, Issuer: issuer, Audience: josejwt.Audience{audience},
			ID: wantJTI, IssuedAt: josejwt.NewNumericDate(iatTime), Expiry: josejwt.NewNumericDate(expTime)}}
	return func() ([]byte, error) {
		s, err := josejwt.Signed(sig).Claims(cl).Serialize()
		return []byte(s), err
	}
}

// --- github.com/gbrlsnchs/jwt/v3 ---

type gbrlClaims struct {
	gbrl.Payload
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
}

func gbrlsnchsJWT(tok []byte) (verify, check func() error) {
	hs := gbrl.NewHS256(secret)
	var v gbrlClaims
	verify = func() error {
		v = gbrlClaims{}
		now := time.Now()
		_, err := gbrl.Verify(tok, hs, &v, gbrl.ValidatePayload(&v.Payload,
			gbrl.ExpirationTimeValidator(now), gbrl.NotBeforeValidator(now)))
		return err
	}
	check = func() error { return checkClaims(v.Subject, v.Name, v.Roles, v.Counter) }
	return verify, check
}

func gbrlsnchsSign() func() ([]byte, error) {
	hs := gbrl.NewHS256(secret)
	cl := gbrlClaims{Name: wantName, Admin: true, Roles: wantRoles, Counter: wantCounter,
		Payload: gbrl.Payload{Subject: wantSub, Issuer: issuer, Audience: gbrl.Audience{audience},
			JWTID: wantJTI, IssuedAt: gbrl.NumericDate(iatTime), ExpirationTime: gbrl.NumericDate(expTime)}}
	return func() ([]byte, error) { return gbrl.Sign(cl, hs) }
}
