// Command echo is a labstack/echo (v4) application with a cookie session (login, a page that
// needs it, logout), cross-origin protection, token issuing and a bearer API.
//
// The session and cross-origin middleware wrap the whole *echo.Echo, which is an http.Handler,
// rather than going through echo.WrapMiddleware: echo's error handler writes the answer to an
// error a handler returns after the route's middleware has returned, and a session's response
// writer must not be used after its middleware returns. The bearer check does not wrap the
// writer and goes on a route group, through echo.WrapMiddleware.
package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fastjwt/session/examples/frameworks/internal/app"
	"github.com/fastjwt/session/issuing"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

func main() { app.Main("echo", newHandler) }

// newHandler is the application: every route under the cross-origin check and the session.
func newHandler(a *app.App) http.Handler {
	e := echo.New()
	e.HideBanner = true

	e.POST("/login", func(c echo.Context) error {
		r := c.Request()
		s := nethttpsession.FromContext(r.Context())
		user := c.FormValue("user")
		if !a.CheckPassword(user, c.FormValue("password")) {
			return c.String(http.StatusUnauthorized, "wrong user or password\n")
		}
		if err := s.Regenerate(r.Context()); err != nil { // a new identity at login
			return c.String(http.StatusServiceUnavailable, err.Error())
		}
		if err := s.Set("user", user); err != nil {
			return c.String(http.StatusInternalServerError, err.Error())
		}
		return c.String(http.StatusOK, "logged in as "+user+"\n")
	})
	e.GET("/", func(c echo.Context) error {
		user, ok := nethttpsession.FromContext(c.Request().Context()).String("user")
		if !ok {
			return c.String(http.StatusUnauthorized, "log in first\n")
		}
		return c.String(http.StatusOK, "Hello, "+user+"\n")
	})
	e.POST("/logout", func(c echo.Context) error {
		r := c.Request()
		if err := nethttpsession.FromContext(r.Context()).Logout(r.Context()); err != nil {
			return c.String(http.StatusServiceUnavailable, err.Error())
		}
		return c.String(http.StatusOK, "logged out\n")
	})

	e.POST("/token", echo.WrapHandler(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Obtain)))
	e.POST("/token/refresh", echo.WrapHandler(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Refresh)))
	e.POST("/token/verify", echo.WrapHandler(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Verify)))
	e.POST("/token/revoke", echo.WrapHandler(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Revoke)))

	api := e.Group("/api", echo.WrapMiddleware(nethttpsession.Bearer(a.API, nil)))
	api.GET("/me", func(c echo.Context) error {
		return c.JSONBlob(http.StatusOK, nethttpsession.TokenFromContext(c.Request().Context()).Payload())
	})
	return nethttpsession.CrossOrigin(a.CrossOrigin, nil)(nethttpsession.Sessions(a.Sessions)(e))
}
