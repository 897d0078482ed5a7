package issuing

import (
	"context"
	"net/http"
)

// Endpoint is one of the Issuer's endpoints, as a method expression: (*Issuer).Obtain,
// (*Issuer).Refresh, (*Issuer).Verify, (*Issuer).Revoke. The adapters take one to make a
// handler.
type Endpoint func(i *Issuer, ctx context.Context, r Request) Response

// read checks what every endpoint checks, in order (POST, the body's size, its parameters,
// grant_type if present), and returns the parameters, or the answer that refuses the request.
func (i *Issuer) read(r Request, grant string) (params, *Response) {
	if r.Method != http.MethodPost {
		a := fail(http.StatusMethodNotAllowed, codeInvalidRequest, "the method must be POST")
		a.Allow = http.MethodPost
		return nil, &a
	}
	if len(r.Body) > i.cfg.MaxBody {
		a := fail(http.StatusRequestEntityTooLarge, codeInvalidRequest, "the body is too large")
		return nil, &a
	}
	if r.Incomplete {
		a := fail(http.StatusBadRequest, codeInvalidRequest, "the body could not be read")
		return nil, &a
	}
	p, err := parseParams(r.ContentType, r.Body)
	if err != nil {
		a := fail(http.StatusBadRequest, codeInvalidRequest, err.Error())
		return nil, &a
	}
	if g, ok := p["grant_type"]; ok && grant != "" && g != grant {
		a := fail(http.StatusBadRequest, codeUnsupported, "this endpoint's grant_type is "+grant)
		return nil, &a
	}
	return p, nil
}

func missing(name string) Response {
	return fail(http.StatusBadRequest, codeInvalidRequest, "the "+name+" parameter is missing")
}
