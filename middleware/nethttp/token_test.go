package nethttpsession_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/middleware/internal/tokentest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

type tokenStack struct{}

func (tokenStack) ServeTokens(t testing.TB, iss *issuing.Issuer, b *bearer.Bearer) (string, func()) {
	mux := http.NewServeMux()
	mux.Handle("/token", nethttpsession.TokenHandler(iss, (*issuing.Issuer).Obtain))
	mux.Handle("/token/refresh", nethttpsession.TokenHandler(iss, (*issuing.Issuer).Refresh))
	mux.Handle("/token/verify", nethttpsession.TokenHandler(iss, (*issuing.Issuer).Verify))
	mux.Handle("/token/revoke", nethttpsession.TokenHandler(iss, (*issuing.Issuer).Revoke))
	mux.Handle("/api/me", nethttpsession.Bearer(b, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, nethttpsession.TokenFromContext(r.Context()).Claims().Subject())
	})))
	s := httptest.NewServer(mux)
	return s.URL, s.Close
}

func TestTokens(t *testing.T) { tokentest.Run(t, tokenStack{}) }
