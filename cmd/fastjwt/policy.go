package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// The policy flags of verify beyond the codec's own (--iss, --aud, --leeway...): --types,
// --require-claim, --sub, --max-auth-age, and several --iss or --aud. They are checked as the
// gateway checks a route, by package bearer's Bearer: the purpose (typ) first, whatever the
// audience, then the age of the authentication, then the required claims; then the subject. Several --iss or --aud accept a token that one pair of them
// accepts: a codec is built for each pair, as the gateway builds one for each route's issuer and
// audience, and the token is verified with each in turn.

// maxPolicyValues bounds the values of --iss and of --aud: each pair is one verify of a token.
const maxPolicyValues = 8

// listFlag is a repeatable flag: every value given, in order.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	if len(*l) == maxPolicyValues {
		return fmt.Errorf("is given more than %d times", maxPolicyValues)
	}
	*l = append(*l, v)
	return nil
}

// allTypes are the types verify accepts without --types: every one, since it verifies tokens of
// any purpose unless told which.
var allTypes = []fastjwt.Type{fastjwt.TypeNone, fastjwt.TypeJWT, fastjwt.TypeAccess, fastjwt.TypeSession, fastjwt.TypeOther}

// errSubject is the refusal of a token whose "sub" is not --sub's.
var errSubject = errors.New(`the token's "sub" is absent or not the one --sub requires`)

// policy checks tokens with a Bearer for each codec.
type policy struct {
	codecs  []*fastjwt.Codec
	bearers []*bearer.Bearer // bearers[i] verifies with codecs[i]
	sub     *string          // --sub; nil when not given
	req     tokenRequest
}

// newPolicy returns the policy of the codecs (one per --iss and --aud pair) with the types,
// required claims and subject of the flags.
func newPolicy(codecs []*fastjwt.Codec, types []fastjwt.Type, required []string, sub *string,
	maxAuthAge time.Duration, now func() time.Time) (*policy, error) {
	if types == nil {
		types = allTypes
	}
	p := &policy{codecs: codecs, sub: sub}
	for _, c := range codecs {
		b, err := bearer.New(c, bearer.Config{Types: types, RequiredClaims: required, MaxAuthAge: maxAuthAge, Now: now})
		if err != nil {
			return nil, err
		}
		p.bearers = append(p.bearers, b)
	}
	return p, nil
}

// verify verifies tok and returns its payload, or the reason it is refused: the first that is not
// about the issuer or the audience, of which the pairs differ, else the first pair's.
func (p *policy) verify(dst, tok []byte) ([]byte, error) {
	if !tokenBytes(tok) {
		// Not a compact JWS at all: no Authorization header could carry it as it is, and the
		// codec says why.
		var cl fastjwt.Claims
		if _, err := p.codecs[0].AppendVerifyClaims(nil, tok, &cl); err != nil {
			return dst, err
		}
		return dst, fmt.Errorf("%w: the token holds a character that is not base64url or '.'", fastjwt.ErrMalformed)
	}
	p.req.auth = append(append(p.req.auth[:0], "Bearer "...), tok...)
	var first error
	for _, b := range p.bearers {
		t := b.Acquire()
		ae := b.Authenticate(context.Background(), t, &p.req)
		var err error
		if ae != nil {
			err = ae.Err
			if errors.Is(err, bearer.ErrPurpose) {
				err = fmt.Errorf("%w: its \"typ\" is not one of --types", err)
			}
		} else if p.sub != nil {
			if s, ok := t.Claims().AppendSubject(nil); !ok || string(s) != *p.sub {
				err = errSubject
			}
		}
		if err == nil {
			dst = append(dst, t.Payload()...)
			b.Release(t)
			return dst, nil
		}
		b.Release(t)
		if first == nil || partyError(first) && !partyError(err) {
			first = err
		}
	}
	return dst, first
}

// partyError reports whether err is about the issuer or the audience: the checks in which the
// pairs of --iss and --aud differ.
func partyError(err error) bool {
	return errors.Is(err, fastjwt.ErrIssuer) || errors.Is(err, fastjwt.ErrAudience)
}

// policyErrorName names the refusals of the policy that are not the codec's, for the output line.
func policyErrorName(err error) string {
	switch {
	case errors.Is(err, bearer.ErrPurpose):
		return "ErrPurpose"
	case errors.Is(err, bearer.ErrMissingClaim):
		return "ErrMissingClaim"
	case errors.Is(err, errSubject):
		return "ErrSubject"
	case errors.Is(err, bearer.ErrAuthAge):
		return "ErrAuthAge"
	}
	return ""
}

// tokenBytes reports whether tok is made of the bytes of a compact JWS only: base64url and '.'.
func tokenBytes(tok []byte) bool {
	if len(tok) == 0 {
		return false
	}
	for _, c := range tok {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// tokenRequest is the request a Bearer reads a token from: one Authorization header, nothing
// else. It sets no header (the policy forwards no claim).
type tokenRequest struct{ auth []byte }

func (r *tokenRequest) AppendValues(dst [][]byte, name string) [][]byte {
	if strings.EqualFold(name, "Authorization") {
		return append(dst, r.auth)
	}
	return dst
}

func (r *tokenRequest) AppendQuery(dst [][]byte, _ string) [][]byte { return dst }
func (r *tokenRequest) Del(string)                                  {}
func (r *tokenRequest) Set(string, []byte)                          {}
