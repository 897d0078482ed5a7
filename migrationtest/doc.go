// Package migrationtest tests the migration from gorilla/sessions against gorilla itself: cookies
// written by the real github.com/gorilla/sessions CookieStore and github.com/gorilla/securecookie
// are read by this library's session.Config.Legacy with gorillacookie, on both stacks over real
// servers, in every phase, and the legacy cookies this library writes are read by gorilla. It is
// a module of its own so that gorilla never enters the library's go.mod.
package migrationtest
