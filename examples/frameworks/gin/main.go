// Command gin is a gin-gonic/gin application with a cookie session (login, a page that needs
// it, logout), cross-origin protection, token issuing and a bearer API.
//
// The session and cross-origin middleware wrap the whole *gin.Engine, which is an
// http.Handler: gin's handlers write to gin's own writer, which then wraps the session's, so
// the session's cookie goes out before the first byte of the answer. The bearer check does not
// wrap the writer and goes on a route group, through the small adapter ginMiddleware.
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fastjwt/session/examples/frameworks/internal/app"
	"github.com/fastjwt/session/issuing"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

func main() { app.Main("gin", newHandler) }

// newHandler is the application: every route under the cross-origin check and the session.
func newHandler(a *app.App) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()

	r.POST("/login", func(c *gin.Context) {
		s := nethttpsession.FromContext(c.Request.Context())
		user := c.PostForm("user")
		if !a.CheckPassword(user, c.PostForm("password")) {
			c.String(http.StatusUnauthorized, "wrong user or password\n")
			return
		}
		if err := s.Regenerate(c.Request.Context()); err != nil { // a new identity at login
			c.String(http.StatusServiceUnavailable, err.Error())
			return
		}
		if err := s.Set("user", user); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "logged in as %s\n", user)
	})
	r.GET("/", func(c *gin.Context) {
		user, ok := nethttpsession.FromContext(c.Request.Context()).String("user")
		if !ok {
			c.String(http.StatusUnauthorized, "log in first\n")
			return
		}
		c.String(http.StatusOK, "Hello, %s\n", user)
	})
	r.POST("/logout", func(c *gin.Context) {
		if err := nethttpsession.FromContext(c.Request.Context()).Logout(c.Request.Context()); err != nil {
			c.String(http.StatusServiceUnavailable, err.Error())
			return
		}
		c.String(http.StatusOK, "logged out\n")
	})

	r.POST("/token", gin.WrapH(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Obtain)))
	r.POST("/token/refresh", gin.WrapH(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Refresh)))
	r.POST("/token/verify", gin.WrapH(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Verify)))
	r.POST("/token/revoke", gin.WrapH(nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Revoke)))

	api := r.Group("/api", ginMiddleware(nethttpsession.Bearer(a.API, nil)))
	api.GET("/me", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", nethttpsession.TokenFromContext(c.Request.Context()).Payload())
	})
	return nethttpsession.CrossOrigin(a.CrossOrigin, nil)(nethttpsession.Sessions(a.Sessions)(r))
}

// ginMiddleware runs a net/http middleware that does not wrap the response writer as gin
// middleware. The rest of gin's chain runs inside it, so that what it puts in the request's
// context (the bearer Token, valid until the middleware returns) is still valid there; a
// request it answers itself goes no further.
func ginMiddleware(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}
