package fastjwt

var errCheckTooLarge = errorf(ErrTooLarge, "a token of the payload would exceed the size cap")

// ClaimsChecker is implemented by codecs that can tell, without signing, whether they would
// accept a payload: the layers above use it to validate a write (a session's "sub", say) at the
// write. *Codec implements it. It is optional: a Signer and Verifier that does not implement it
// can still be asked the same question by signing the payload and verifying the token, which is
// what the session layer does then.
//
// CheckClaims reports whether the codec would accept a token of type typ carrying payload, with
// the contract of Codec.CheckClaims: every error matches one of the package's sentinels.
type ClaimsChecker interface {
	CheckClaims(typ Type, payload []byte) error
}

var _ ClaimsChecker = (*Codec)(nil)

// CheckClaims reports whether a token of type typ carrying payload, signed by the ring's first
// key, would verify with c: the verdict AppendSignType and then AppendVerifyClaims would give,
// without a signature. It applies exactly the rules those apply to a payload:
//
//   - typ must be one of the types the codec signs (ErrUnsupported for TypeOther);
//   - payload is scanned as verify scans it: one JSON object, strict UTF-8, no duplicate names at
//     any depth, bounded nesting (ErrMalformed);
//   - the registered claims have their types: exp, nbf and iat NumericDates within the range of a
//     time.Time, iss, sub and jti strings, aud a string or an array of strings (ErrClaimType);
//   - the token, with the first key's header for typ and a signature of its size, fits the size
//     cap (ErrTooLarge);
//   - exp and nbf against the codec's clock with its leeway (ErrExpired, ErrNotYetValid), and iat
//     with RejectFutureIssuedAt;
//   - iss with WithIssuer (ErrIssuer), and aud: with WithAudience it must contain that audience,
//     without it a present "aud" is refused unless AcceptAnyAudience (ErrAudience).
//
// A codec without a signing key (NewVerifier) checks payload all the same, as a token its first
// key signed. CheckClaims computes no signature and leaves the verified-token cache as it was:
// nothing is stored there and CacheStats does not change. It allocates nothing unless payload
// has more than 16 members in one object.
func (c *Codec) CheckClaims(typ Type, payload []byte) error {
	if typ >= TypeOther {
		return errSignType
	}
	var cl Claims
	if err := scanPayload(payload, &cl); err != nil {
		return err
	}
	k := &c.keys[0]
	if len(k.headers[typ])+1+base64Len(len(payload))+1+base64Len(k.size) > c.cfg.maxSize {
		return errCheckTooLarge
	}
	if err := c.checkTimes(&cl); err != nil {
		return err
	}
	return c.checkParties(&cl)
}
