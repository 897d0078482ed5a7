// Package gorillacookie reads and writes the cookies of gorilla/sessions' CookieStore, the format
// of gorilla/securecookie, so that a fleet moving to this library's JWT sessions can take over
// the sessions users already hold (session.Config.Legacy) without importing gorilla.
//
// The format (gorilla/securecookie v1.1, securecookie.go): the cookie's value is
//
//	base64url(date "|" value "|" mac)
//
// with base64url the padded URL alphabet, date the Unix seconds of the write in decimal, value
// the base64url of the serialized values (gob of a map[interface{}]interface{} by default, or
// JSON), encrypted first with AES in CTR mode under a random IV that prefixes the ciphertext when
// a block key is set, and mac the HMAC-SHA256 under the hash key of
//
//	name "|" date "|" value
//
// so that a value moved to a cookie of another name does not verify. The MAC is checked before
// anything else of the value is read; a cookie older than MaxAge (30 days by default, as
// CookieStore's) is refused.
//
// Values come out as JSON, one member per string key: a key that is not a string, and a value
// that has no JSON form (a []byte, NaN, a channel...), are dropped by name and reported, and the
// rest is kept. Writing goes the other way: JSON strings, booleans and numbers become Go
// strings, bools, ints (integers that fit) and float64s, which every gorilla application can
// decode without registering types; nulls, arrays and objects are dropped and reported, since a
// gob of an unregistered type would make the old servers refuse the whole cookie.
package gorillacookie
