package issuing

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Obtain answers an obtain (RFC 6749 sec. 4.3, the password grant; djangorestframework-jwt's
// obtain_jwt_token): the parameters username and password (and grant_type "password", if
// present; client_id, client_secret and scope are handed to the Authenticator), as a form or a
// JSON object. On success it starts a family and answers 200 with access_token, token_type
// "Bearer", expires_in and refresh_token (RFC 6749 sec. 5.1).
//
// Refusals: 405 for another method; 413 for a body over MaxBody; 400 invalid_request for an
// unknown content type, a malformed body, a repeated or missing parameter; 400
// unsupported_grant_type for another grant_type; 429 when Limit says so; 400 invalid_grant for
// wrong credentials; 401 invalid_client (with WWW-Authenticate) for a refused client; 503 with
// Retry-After when the Authenticator or the families cannot answer.
func (i *Issuer) Obtain(ctx context.Context, r Request) Response {
	p, refused := i.read(r, "password")
	if refused != nil {
		return *refused
	}
	user, ok1 := p["username"]
	pass, ok2 := p["password"]
	switch {
	case !ok1:
		return missing("username")
	case !ok2:
		return missing("password")
	}
	if i.cfg.Limit != nil {
		if d := i.cfg.Limit(ctx, r.Remote, user); d > 0 {
			return tooMany(d)
		}
	}
	sub, extra, err := i.cfg.Authenticate(ctx, Credentials{Username: user, Password: pass,
		ClientID: p["client_id"], ClientSecret: p["client_secret"], Scope: p["scope"], Remote: r.Remote})
	if err == nil && sub == "" {
		err = errors.New("issuing: the Authenticator returned an empty subject")
	}
	if err != nil {
		i.sign(&i.dummy) // the codec's work of a success, thrown away
		switch {
		case errors.Is(err, ErrInvalidGrant):
			return fail(http.StatusBadRequest, codeInvalidGrant, "the credentials are not valid")
		case errors.Is(err, ErrInvalidClient):
			a := fail(http.StatusUnauthorized, codeInvalidClient, "the client authentication failed")
			a.Challenge = `Basic realm="token"`
			return a
		}
		return i.unavailable()
	}
	ext, err := extraJSON(extra)
	if err != nil {
		return fail(http.StatusInternalServerError, codeServerError, "")
	}
	now := i.now()
	pr := pair{subject: sub, family: newID(), end: now.Add(i.cfg.AbsoluteLifetime), extra: ext, gen: i.generation(now)}
	access, refresh, err := i.sign(&pr)
	if err != nil {
		return fail(http.StatusInternalServerError, codeServerError, "")
	}
	if err := i.cfg.Families.Start(ctx, Family{ID: pr.family, Subject: sub, Start: now, End: pr.end,
		Grace: i.grace, First: pr.gen}); err != nil {
		return i.unavailable()
	}
	return i.tokens(access, refresh, pr.gen, now)
}

// tokens is the answer of a successful obtain or refresh.
func (i *Issuer) tokens(access, refresh string, g Generation, now time.Time) Response {
	return okJSON(tokenBody{AccessToken: access, TokenType: "Bearer",
		ExpiresIn: int64(g.AccessExpires.Sub(now) / time.Second), RefreshToken: refresh})
}
