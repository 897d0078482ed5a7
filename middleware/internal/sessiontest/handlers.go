package sessiontest

import (
	"context"
	"strconv"
	"strings"

	session "github.com/fastjwt/session"
)

// CounterHandler is the handler of the session cases, driven by the query parameter "op":
// incr (counter+1, answers the new value), read (answers the counter), clear, big (stores a
// value of "n" bytes), id (stores the header X-Client under "client" on first use and answers
// the stored value and the counter after incrementing it), vary (adds one Vary response line per
// "|"-separated item of "v", then increments), login (sets "sub" to "user" and increments),
// get (answers the raw value of "name"), set (stores "value" under "name"), regenerate
// (Session.Regenerate), signin (a login: Session.Regenerate, then "sub" set to "user" and the
// counter incremented), logout (Session.Logout), badwrites (tries writes the codec would refuse
// and answers each error, "nil" for one that was accepted), save (stores a struct holding
// "<&>" with session.Encode), profile (stores "n" fields of user profile data, ProfileName(i):
// ProfileValue(i)).
func CounterHandler(s *session.Session, r Request) string {
	switch r.Query("op") {
	case "incr":
		n, _ := s.Int("counter")
		if err := s.Set("counter", n+1); err != nil {
			return "error: " + err.Error()
		}
		return strconv.Itoa(n + 1)
	case "read":
		n, _ := s.Int("counter")
		return strconv.Itoa(n)
	case "clear":
		s.Clear()
		return "cleared"
	case "profile":
		n, _ := strconv.Atoi(r.Query("n"))
		for i := range n {
			if err := s.Set(ProfileName(i), ProfileValue(i)); err != nil {
				return "error: " + err.Error()
			}
		}
		return "profile"
	case "big":
		n, _ := strconv.Atoi(r.Query("n"))
		if err := s.Set("big", strings.Repeat("x", n)); err != nil {
			return "error: " + err.Error()
		}
		return "big"
	case "id":
		id, ok := s.String("client")
		if !ok {
			id = r.Header("X-Client")
			_ = s.Set("client", id)
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return id + " " + strconv.Itoa(n+1)
	case "vary":
		for _, v := range strings.Split(r.Query("v"), "|") {
			if v != "" {
				r.AddResponseHeader("Vary", v)
			}
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strconv.Itoa(n + 1)
	case "badwrites":
		future := s.Set("nbf", 4102444800)
		var out []string
		for _, err := range []error{
			s.Set("sub", 42), s.Set("nbf", "soon"), future, s.Set("aud", []int{1}),
			s.SetRaw("o", []byte(`{"a":1,"a":2}`)), s.SetRaw("u", []byte("\"\xff\"")),
			s.SetRaw("two", []byte(`1,"exp":5`)), s.Set("exp", 1), s.Set("iat", 1),
		} {
			if err == nil {
				out = append(out, "nil")
			} else {
				out = append(out, err.Error())
			}
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strings.Join(out, "\n")
	case "login":
		if err := s.Set("sub", r.Query("user")); err != nil {
			return "error: " + err.Error()
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strconv.Itoa(n + 1)
	case "get":
		raw, _ := s.Raw(r.Query("name"))
		return string(raw)
	case "set":
		if err := s.Set(r.Query("name"), r.Query("value")); err != nil {
			return "error: " + err.Error()
		}
		return "set"
	case "regenerate":
		if err := s.Regenerate(context.Background()); err != nil {
			return "error: " + err.Error()
		}
		return "regenerated"
	case "signin":
		if err := s.Regenerate(context.Background()); err != nil {
			return "error: " + err.Error()
		}
		if err := s.Set("sub", r.Query("user")); err != nil {
			return "error: " + err.Error()
		}
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		return strconv.Itoa(n + 1)
	case "logout":
		if err := s.Logout(context.Background()); err != nil {
			return "error: " + err.Error()
		}
		return "logged out"
	case "save":
		type data struct {
			Counter int    `json:"counter"`
			Note    string `json:"note"`
		}
		var d data
		if err := session.Decode(s, &d); err != nil {
			return "error: " + err.Error()
		}
		d.Note = "<&>"
		if r.Query("incr") != "" {
			d.Counter++
		}
		if err := session.Encode(s, d); err != nil {
			return "error: " + err.Error()
		}
		return strconv.Itoa(d.Counter)
	}
	return "unknown op"
}

// profileKeys are the names of realistic user profile fields.
var profileKeys = []string{"email", "display_name", "given_name", "family_name", "locale", "timezone",
	"theme", "plan", "team", "role", "avatar_url", "country", "city", "company", "department",
	"title", "phone", "newsletter", "last_login", "login_count"}

// ProfileName is the name of the i-th profile field ("email", ..., then "email_1"...).
func ProfileName(i int) string {
	k := profileKeys[i%len(profileKeys)]
	if i >= len(profileKeys) {
		k += "_" + strconv.Itoa(i/len(profileKeys))
	}
	return k
}

// ProfileValue is the value of the i-th profile field: addresses, names, numbers and flags.
func ProfileValue(i int) any {
	switch i % 4 {
	case 0:
		return "alice.example+" + strconv.Itoa(i) + "@example.com"
	case 1:
		return "Alice Example " + strconv.Itoa(i)
	case 2:
		return i * 37
	}
	return i%3 == 0
}
