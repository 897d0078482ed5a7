package issuing

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Request is what an endpoint reads of an HTTP request; the adapters fill it in.
type Request struct {
	// Method is the request method: the endpoints answer POST only (RFC 6749 sec. 3.2).
	Method string
	// ContentType is the Content-Type header's value.
	ContentType string
	// Body is the request body, at most Issuer.MaxBody()+1 bytes of it: an adapter reads no
	// further, and a longer Body is answered 413. It is valid during the call only.
	Body []byte
	// Remote is the client's address, for the Authenticator and the Limit hook.
	Remote string
	// Incomplete reports that the adapter could not read the body whole (the client went
	// away, a malformed chunked body): answered 400 invalid_request.
	Incomplete bool
}

// params are the parameters of a request body, each at most once.
type params map[string]string

var (
	errContentType = errors.New("the body must be application/x-www-form-urlencoded or application/json")
	errDuplicate   = errors.New("a parameter is repeated (RFC 6749 sec. 3.2)")
	errEncoding    = errors.New("the body is not well-formed")
)

// parseParams reads the parameters of a body, strictly: a form (RFC 6749 sec. 3.2, every
// parameter at most once, UTF-8) or a JSON object whose members are strings (each at most
// once; null is omitted, as an empty form value is). Any other content type is refused.
func parseParams(contentType string, body []byte) (params, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, errContentType
	}
	if !utf8.Valid(body) {
		return nil, errEncoding
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		return parseForm(body)
	case "application/json":
		return parseJSON(body)
	}
	return nil, errContentType
}

func parseForm(body []byte) (params, error) {
	p := params{}
	for pair := range strings.SplitSeq(string(body), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || strings.Contains(pair, ";") || !utf8.ValidString(name) || !utf8.ValidString(value) {
			return nil, errEncoding
		}
		if _, dup := p[name]; dup {
			return nil, errDuplicate
		}
		p[name] = value
	}
	return dropEmpty(p), nil
}

func parseJSON(body []byte) (params, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, errEncoding
	}
	p := params{}
	for d.More() {
		t, err := d.Token()
		name, ok := t.(string)
		if err != nil || !ok {
			return nil, errEncoding
		}
		if _, dup := p[name]; dup {
			return nil, errDuplicate
		}
		t, err = d.Token()
		if err != nil {
			return nil, errEncoding
		}
		switch v := t.(type) {
		case string:
			p[name] = v
		case nil:
			p[name] = ""
		default:
			return nil, errEncoding // numbers, booleans, objects, arrays: not a parameter
		}
	}
	if t, err := d.Token(); err != nil || t != json.Delim('}') {
		return nil, errEncoding
	}
	if _, err := d.Token(); err == nil {
		return nil, errEncoding // something after the object
	}
	return dropEmpty(p), nil
}

// dropEmpty removes the parameters sent without a value: RFC 6749 sec. 3.1 treats them as
// omitted.
func dropEmpty(p params) params {
	for k, v := range p {
		if v == "" {
			delete(p, k)
		}
	}
	return p
}
