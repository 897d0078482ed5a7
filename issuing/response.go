package issuing

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Response is an endpoint's answer, which the adapters write as it is: the status, the headers
// Header lists, and the body.
type Response struct {
	Status int
	// Body is the JSON body (RFC 6749 sec. 5.1 and 5.2). It is the Response's own.
	Body []byte
	// RetryAfter, if positive, is the Retry-After header (503, 429), in whole seconds.
	RetryAfter int
	// Challenge, if set, is the WWW-Authenticate header (401 invalid_client).
	Challenge string
	// Allow, if set, is the Allow header (405).
	Allow string
}

// Header calls set for each header of r, in order: Content-Type, Cache-Control: no-store and
// Pragma: no-cache on every answer (RFC 6749 sec. 5.1: tokens and their refusals are not
// cached), then those of RetryAfter, Challenge and Allow that are set.
func (r *Response) Header(set func(name, value string)) {
	set("Content-Type", "application/json;charset=UTF-8")
	set("Cache-Control", "no-store")
	set("Pragma", "no-cache")
	if r.RetryAfter > 0 {
		set("Retry-After", strconv.Itoa(r.RetryAfter))
	}
	if r.Challenge != "" {
		set("WWW-Authenticate", r.Challenge)
	}
	if r.Allow != "" {
		set("Allow", r.Allow)
	}
}

// The error codes of RFC 6749 sec. 5.2.
const (
	codeInvalidRequest = "invalid_request"
	codeInvalidGrant   = "invalid_grant"
	codeInvalidClient  = "invalid_client"
	codeUnsupported    = "unsupported_grant_type"
	codeInvalidToken   = "invalid_token" // verify's 401 (RFC 6750 sec. 3.1)
	codeUnavailable    = "temporarily_unavailable"
	codeServerError    = "server_error"
)

type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func fail(status int, code, description string) Response {
	b, _ := json.Marshal(errorBody{code, description})
	return Response{Status: status, Body: b}
}

func (i *Issuer) unavailable() Response {
	r := fail(http.StatusServiceUnavailable, codeUnavailable, "the token state cannot be reached; retry")
	r.RetryAfter = i.retryAfter
	return r
}

func tooMany(d time.Duration) Response {
	r := fail(http.StatusTooManyRequests, codeInvalidRequest, "too many requests; retry later")
	r.RetryAfter = int((d + time.Second - 1) / time.Second)
	return r
}

// tokenBody is the answer of an obtain or a refresh (RFC 6749 sec. 5.1).
type tokenBody struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

func okJSON(v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return fail(http.StatusInternalServerError, codeServerError, "")
	}
	return Response{Status: http.StatusOK, Body: b}
}
