package fuzz

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/fastjwt/session/gorillacookie"
)

var (
	gorillaHash  = []byte("fuzz gorilla hash key, 32 bytes.")
	gorillaBlock = []byte("fuzz AES key 16B")
)

// sealLike writes a cookie the way securecookie does around serialized bytes of the fuzzer's
// choosing (with encryption, those bytes are the IV and the ciphertext), so that inputs reach
// the decoding behind a valid MAC.
func sealLike(name string, date int64, serialized []byte) string {
	body := strconv.FormatInt(date, 10) + "|" + base64.URLEncoding.EncodeToString(serialized)
	mac := hmac.New(sha256.New, gorillaHash)
	mac.Write([]byte(name + "|" + body))
	return base64.URLEncoding.EncodeToString(append([]byte(body+"|"), mac.Sum(nil)...))
}

// FuzzGorillaCookie compares gorillacookie's Decode with the real gorilla/securecookie on the
// same cookie: arbitrary values (almost all refused at the MAC), values sealed around arbitrary
// serialized bytes (reaching gob and JSON decoding), with and without encryption, in both
// formats. Both must accept or both refuse, and an accepted cookie must give the same values
// (gorillacookie drops, by name, what has no JSON form: those names only may be missing).
func FuzzGorillaCookie(f *testing.F) {
	now := time.Now()
	for _, enc := range []bool{false, true} {
		var block []byte
		if enc {
			block = gorillaBlock
		}
		sc := securecookie.New(gorillaHash, block)
		v, err := sc.Encode("session", map[interface{}]interface{}{"counter": 41, "user": "alice", 7: "x", "b": []byte{1}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add("session", v, []byte(nil), enc, false, false)
		sc.SetSerializer(securecookie.JSONEncoder{})
		v, err = sc.Encode("session", map[string]interface{}{"counter": 41, "roles": []string{"a"}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add("session", v, []byte(nil), enc, true, false)
	}
	f.Add("session", "", []byte(`{"a":1}`), false, true, true)
	f.Add("session", "", []byte{0x0d, 0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00}, false, false, true)
	f.Add("other", "AAAA", []byte(nil), false, false, false)

	f.Fuzz(func(t *testing.T, name, value string, serialized []byte, encrypted, jsonFormat, seal bool) {
		if seal {
			if len(serialized) > 2000 {
				return
			}
			value = sealLike(name, now.Unix(), serialized)
		}
		var block []byte
		if encrypted {
			block = gorillaBlock
		}
		ref := securecookie.New(gorillaHash, block)
		format := gorillacookie.Gob
		if jsonFormat {
			ref.SetSerializer(securecookie.JSONEncoder{})
			format = gorillacookie.JSON
		}
		mine, err := gorillacookie.New(gorillacookie.Config{HashKey: gorillaHash, BlockKey: block, Format: format})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		dropped := map[string]bool{}
		myErr := mine.Decode(name, []byte(value), now,
			func(n string, v []byte) { got[n] = string(v) },
			func(n string, err error) { dropped[n] = true })

		var refErr error
		want := map[string]any{}
		var otherKeys []string // keys that are not strings: gorillacookie drops them
		if jsonFormat {
			var m map[string]any
			refErr = ref.Decode(name, value, &m)
			want = m
		} else {
			var m map[interface{}]interface{}
			refErr = ref.Decode(name, value, &m)
			for k, v := range m {
				if s, ok := k.(string); ok {
					want[s] = v
				} else {
					otherKeys = append(otherKeys, fmt.Sprintf("%v", k))
				}
			}
		}
		for _, k := range otherKeys {
			if myErr == nil && !dropped[k] {
				t.Fatalf("key %q is not a string and was not dropped", k)
			}
		}
		if (myErr == nil) != (refErr == nil) {
			t.Fatalf("name %q value %q: gorillacookie %v, securecookie %v", name, value, myErr, refErr)
		}
		if myErr != nil {
			if len(got) != 0 {
				t.Fatalf("refused but added %v", got)
			}
			return
		}
		for k, v := range want {
			g, ok := got[k]
			if !ok {
				if !dropped[k] {
					t.Fatalf("%q = %#v neither added nor dropped", k, v)
				}
				continue
			}
			var a any
			if err := json.Unmarshal([]byte(g), &a); err != nil {
				t.Fatalf("%q: not JSON: %s", k, g)
			}
			refJSON, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%q = %#v added although it has no JSON form", k, v)
			}
			var b any
			_ = json.Unmarshal(refJSON, &b)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("%q: %s, securecookie %s", k, g, refJSON)
			}
		}
		if len(got) > len(want) {
			t.Fatalf("got %v, securecookie %v", got, want)
		}
	})
}
