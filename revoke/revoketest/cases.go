package revoketest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The contract's cases, each on a fresh list. "iat"s and epochs count from the case's base (a
// whole second); entries last an hour (h.long) unless a case waits for them to expire.

type testCase struct {
	name string
	run  func(h *harness)
}

var cases = []testCase{
	{"Empty", empty},
	{"Token", byToken},
	{"Subject", bySubject},
	{"All", all},
	{"Kinds", kinds},
	{"IssuedAtExact", issuedAtExact},
	{"Expiry", expiry},
	{"Grace", grace},
	{"Leeway", leeway},
	{"AlreadyExpired", alreadyExpired},
	{"Merge", merge},
	{"ReplacedAfterExpiry", replacedAfterExpiry},
	{"Idempotent", idempotent},
	{"Invalid", invalid},
	{"Concurrent", concurrent},
}

// Empty: an empty list revokes nothing.
func empty(h *harness) {
	h.want(h.token("a", "u", h.iat(0)), false, "a token")
	h.want(h.token("", "", noIat), false, "a token without jti, sub or iat")
	h.want(h.claims(`{}`), false, "a token without claims")
}

// Token: RevokeToken revokes the token of that "jti", whatever else it holds, and no other;
// a "jti" is compared decoded, byte for byte, whatever its length or its bytes.
func byToken(h *harness) {
	h.ok(h.l.RevokeToken(ctx, "a", h.long()), "RevokeToken")
	h.want(h.token("a", "u1", h.iat(0)), true, "the revoked jti")
	h.want(h.token("a", "", noIat), true, "the revoked jti, without sub or iat")
	h.want(h.token("a", "u2", h.iat(3600)), true, "the revoked jti, issued later, of another subject")
	h.want(h.token("b", "u1", h.iat(0)), false, "another jti of the same subject")
	h.want(h.token("", "u1", h.iat(0)), false, "a token without jti")
	h.want(h.token("A", "", noIat), false, "the jti in another case")
	h.want(h.token("a ", "", noIat), false, "a jti the revoked one starts")
	h.want(h.token("", "a", noIat), false, "a subject named like the jti")
	h.want(h.claims(`{"jti":"\u0061"}`), true, "the revoked jti, escaped in the JSON")
	for _, jti := range []string{
		strings.Repeat("7", 300),         // longer than a key buffer on the stack
		`été:{x}/\"q" *?[a]`,             // bytes that are special somewhere: UTF-8, JSON, Redis
		"revoked:all", "sub:u1", "jti:a", // names of other entries in some key layout
	} {
		h.ok(h.l.RevokeToken(ctx, jti, h.long()), "RevokeToken "+jti)
		h.want(h.token(jti, "", noIat), true, fmt.Sprintf("the revoked jti %.40q", jti))
	}
	h.want(h.token("b", "u1", noIat), false, "another jti, after more revocations")
	h.want(h.token("", "u1", h.iat(0)), false, "a token of a subject named in a jti revoked")
	h.want(h.token("", "", noIat), false, "a token without claims, after jtis named like the global epoch")
}

// Subject: RevokeSubject revokes the tokens of that "sub" issued before the epoch (and those
// without "iat"), not those issued at or after it, nor other subjects' tokens.
func bySubject(h *harness) {
	at := h.base.Add(10 * time.Second)
	h.ok(h.l.RevokeSubject(ctx, "u1", at, h.long()), "RevokeSubject")
	h.want(h.token("x", "u1", h.iat(9)), true, "issued before the epoch")
	h.want(h.token("x", "u1", h.iat(-86400)), true, "issued a day before the epoch")
	h.want(h.token("", "u1", h.iat(9)), true, "issued before the epoch, without jti")
	h.want(h.token("x", "u1", noIat), true, "without iat: issued before any epoch")
	h.want(h.token("x", "u1", h.iat(10)), false, "issued at the epoch")
	h.want(h.token("x", "u1", h.iat(11)), false, "issued after the epoch")
	h.want(h.token("x", "u2", h.iat(9)), false, "another subject")
	h.want(h.token("x", "U1", h.iat(9)), false, "the subject in another case")
	h.want(h.token("x", "", h.iat(9)), false, "a token without sub")
	h.want(h.token("u1", "", h.iat(9)), false, "a jti named like the subject")
	h.want(h.claims(`{"sub":"\u0075\u0031","iat":`+h.iat(9)+`}`), true, "the subject escaped in the JSON")
	h.want(h.token("x", "u1", h.iat(9)+".999999999"), true, "a fractional iat a nanosecond before the epoch")
	h.want(h.token("x", "u1", h.iat(10)+".000000001"), false, "a fractional iat a nanosecond after the epoch")
	for _, sub := range []string{strings.Repeat("s", 300), `été:{x}/\"q" *?[a]`, "all"} {
		h.ok(h.l.RevokeSubject(ctx, sub, at, h.long()), "RevokeSubject "+sub)
		h.want(h.token("", sub, h.iat(9)), true, fmt.Sprintf("a token of the revoked subject %.40q", sub))
		h.want(h.token("", sub, h.iat(10)), false, fmt.Sprintf("a later token of the revoked subject %.40q", sub))
	}
	h.want(h.token("", "", h.iat(9)), false, "a token without sub, after a subject named like the global epoch")
}

// All: RevokeAll revokes every token issued before the epoch, with or without "jti" and "sub";
// a subject's epoch and the global one each apply, whichever is later.
func all(h *harness) {
	at := h.base.Add(10 * time.Second)
	h.ok(h.l.RevokeAll(ctx, at, h.long()), "RevokeAll")
	h.want(h.token("x", "u1", h.iat(9)), true, "issued before the epoch")
	h.want(h.token("", "", h.iat(9)), true, "issued before the epoch, without jti or sub")
	h.want(h.token("", "", noIat), true, "without iat")
	h.want(h.claims(`{}`), true, "without claims")
	h.want(h.token("x", "u1", h.iat(10)), false, "issued at the epoch")
	h.want(h.token("x", "u1", h.iat(11)), false, "issued after the epoch")
	h.ok(h.l.RevokeSubject(ctx, "early", h.base, h.long()), "RevokeSubject before the global epoch")
	h.want(h.token("", "early", h.iat(5)), true, "a subject's earlier epoch does not undo the global one")
	h.ok(h.l.RevokeSubject(ctx, "late", h.base.Add(20*time.Second), h.long()), "RevokeSubject after the global epoch")
	h.want(h.token("", "late", h.iat(15)), true, "a subject's later epoch")
	h.want(h.token("", "other", h.iat(15)), false, "another subject, between the two epochs")
}

// Kinds: a "jti" names no subject and a subject no "jti".
func kinds(h *harness) {
	h.ok(h.l.RevokeToken(ctx, "alice", h.long()), "RevokeToken alice")
	h.ok(h.l.RevokeSubject(ctx, "bob", h.base.Add(10*time.Second), h.long()), "RevokeSubject bob")
	h.want(h.token("x", "alice", h.iat(0)), false, "a token of the subject named like the revoked jti")
	h.want(h.token("bob", "carol", h.iat(0)), false, "a token whose jti is named like the revoked subject")
	h.want(h.token("alice", "carol", h.iat(0)), true, "the revoked jti")
	h.want(h.token("x", "bob", h.iat(0)), true, "a token of the revoked subject")
}

// IssuedAtExact: epochs compare with "iat" exactly, to the nanosecond: a token issued before
// the epoch is revoked, one issued at it or after it is not, however close. Session tokens carry
// "iat" to the nanosecond, so a login a millisecond after "log out everywhere" is accepted and a
// token issued a millisecond before it refused. A whole-second "iat" (an issuer that truncates)
// is compared as the start of its second: an epoch within that second revokes it, never the
// next second's.
func issuedAtExact(h *harness) {
	at := h.base.Add(10*time.Second + 500*time.Millisecond + 250*time.Microsecond + 125)
	h.ok(h.l.RevokeSubject(ctx, "u", at, h.long()), "RevokeSubject within a second")
	h.want(h.token("", "u", date(at.Add(time.Millisecond))), false, "a login a millisecond after the epoch")
	h.want(h.token("", "u", date(at.Add(-time.Millisecond))), true, "a token issued a millisecond before the epoch")
	h.want(h.token("", "u", date(at)), false, "a token issued at the epoch")
	h.want(h.token("", "u", date(at.Add(-time.Nanosecond))), true, "a token issued a nanosecond before the epoch")
	h.want(h.token("", "u", date(at.Add(time.Nanosecond))), false, "a token issued a nanosecond after the epoch")
	h.want(h.token("", "u", h.iat(10)), true, "a whole-second iat of the epoch's second")
	h.want(h.token("", "u", h.iat(11)), false, "a whole-second iat of the next second")
	h.ok(h.l.RevokeSubject(ctx, "whole", h.base.Add(10*time.Second), h.long()), "RevokeSubject on a whole second")
	h.want(h.token("", "whole", h.iat(10)), false, "whole: a token of the epoch's second")
	h.want(h.token("", "whole", h.iat(9)), true, "whole: a token of the second before")
	global := at.Add(-time.Hour)
	h.ok(h.l.RevokeAll(ctx, global, h.long()), "RevokeAll within a second")
	h.want(h.token("", "", date(global.Add(time.Millisecond))), false, "global: a login a millisecond after the epoch")
	h.want(h.token("", "", date(global.Add(-time.Millisecond))), true, "global: a token issued a millisecond before the epoch")
	h.want(h.token("", "", h.iat(-3590)), true, "global: a whole-second iat of the epoch's second")
	h.want(h.token("", "", h.iat(-3589)), false, "global: a whole-second iat of the next second")
}

// Expiry: an entry of each kind applies until its expiry plus the grace (plus the list's
// Margin) and not after; entries that have not expired stay.
func expiry(h *harness) {
	exp := h.now().Add(h.o.ttl)
	jti, sub, global := h.token("short", "", h.iat(0)), h.token("", "sam", h.iat(0)), h.token("", "", h.iat(-7200))
	stays := h.token("stays", "", h.iat(0))
	h.ok(h.l.RevokeToken(ctx, "short", exp), "RevokeToken")
	h.ok(h.l.RevokeSubject(ctx, "sam", h.base.Add(time.Second), exp), "RevokeSubject")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-time.Hour), exp), "RevokeAll")
	h.ok(h.l.RevokeToken(ctx, "stays", h.long()), "RevokeToken for longer")
	h.want(jti, true, "the jti, before its expiry")
	h.want(jti, true, "the jti, asked again") // an answer a list may keep
	h.want(sub, true, "the subject, before its expiry")
	h.want(global, true, "the global epoch, before its expiry")
	h.expires(exp, "the entries of each kind", jti, sub, global)
	h.want(stays, true, "an entry that has not expired")
}

// Grace: a revocation whose expiry has passed but not its expiry plus the list's grace is
// recorded, of each kind, and applies until then: a verifier with a leeway still accepts the
// token it names.
func grace(h *harness) {
	if h.grace == 0 {
		// Nothing to check: with no grace a past expiry records nothing, as AlreadyExpired
		// checks. (Not a skip: the case holds, vacuously.)
		return
	}
	exp := h.now().Add(-h.grace / 2)
	jti, sub, global := h.token("g", "", h.iat(0)), h.token("", "gs", h.iat(9)), h.token("", "", h.iat(-7200))
	h.ok(h.l.RevokeToken(ctx, "g", exp), "RevokeToken of a token expired within the grace")
	h.ok(h.l.RevokeSubject(ctx, "gs", h.base.Add(10*time.Second), exp), "RevokeSubject expired within the grace")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-time.Hour), exp), "RevokeAll expired within the grace")
	h.want(jti, true, "the jti, past its expiry, within the grace")
	h.want(sub, true, "the subject, past its expiry, within the grace")
	h.want(global, true, "the global epoch, past its expiry, within the grace")
	h.expires(exp, "the entries expired within the grace", jti, sub, global)
}

// Leeway: through a codec whose leeway is the list's grace (the longest a verifier of it may
// have), a revoked token that the codec still accepts past its "exp" is revoked until the codec
// refuses it: at exp + leeway - 1ns the codec accepts it and the list names it, at exp + leeway
// the codec refuses it as expired.
func leeway(h *harness) {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("revoketest: the contract's own secret")}},
		fastjwt.WithLeeway(h.grace), fastjwt.WithClock(h.now))
	if err != nil {
		h.t.Fatal(err)
	}
	exp := h.now().Add(h.o.ttl)
	var toks [][]byte
	for _, p := range []string{
		`{"jti":"lw","sub":"other","iat":` + h.iat(0),
		`{"jti":"other","sub":"lws","iat":` + h.iat(9),
		`{"iat":` + h.iat(-7200),
	} {
		tok, err := c.AppendSign(nil, []byte(p+`,"exp":`+date(exp)+`}`))
		if err != nil {
			h.t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	h.ok(h.l.RevokeToken(ctx, "lw", exp), "RevokeToken")
	h.ok(h.l.RevokeSubject(ctx, "lws", h.base.Add(10*time.Second), exp), "RevokeSubject")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-time.Hour), exp), "RevokeAll")
	// check verifies every token with the codec and asks the list about each one it accepts.
	check := func(when string) (accepted int) {
		h.t.Helper()
		for i, tok := range toks {
			var cl fastjwt.Claims
			if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
				if !errors.Is(err, fastjwt.ErrExpired) {
					h.t.Fatalf("token %d %s: %v", i, when, err)
				}
				continue
			}
			accepted++
			h.want(&cl, true, fmt.Sprintf("token %d %s, which the codec accepts", i, when))
		}
		return accepted
	}
	end := h.end(exp)
	if h.clock != nil {
		h.passTo(end.Add(-time.Nanosecond))
		if n := check("at exp + leeway - 1ns"); n != len(toks) {
			h.t.Fatalf("at exp + leeway - 1ns the codec accepts %d tokens of %d", n, len(toks))
		}
	} else {
		if h.grace > 0 {
			h.passTo(exp.Add(h.grace / 2)) // past exp, well before exp + leeway
		} // else: now, well before exp
		if n := check("within the leeway"); n != len(toks) {
			h.t.Fatalf("within the leeway the codec accepts %d tokens of %d", n, len(toks))
		}
	}
	h.passTo(end.Add(h.o.margin))
	if n := check("at exp + leeway"); n != 0 {
		h.t.Fatalf("at exp + leeway the codec accepts %d tokens", n)
	}
}

// AlreadyExpired: a revocation whose expiry plus the list's grace has passed records nothing
// and succeeds.
func alreadyExpired(h *harness) {
	past := h.now().Add(-h.grace - time.Second)
	h.ok(h.l.RevokeToken(ctx, "old", past), "RevokeToken of an expired token")
	h.ok(h.l.RevokeSubject(ctx, "olds", h.base.Add(time.Hour), past), "RevokeSubject that has expired")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(time.Hour), past), "RevokeAll that has expired")
	h.want(h.token("old", "", noIat), false, "the jti")
	h.want(h.token("", "olds", h.iat(0)), false, "the subject")
	h.want(h.token("", "", h.iat(0)), false, "the global epoch")
	if h.clock != nil { // expiry is exclusive: an entry whose expiry plus the grace is now has expired
		h.ok(h.l.RevokeToken(ctx, "now", h.now().Add(-h.grace)), "RevokeToken expiring now")
		h.want(h.token("now", "", noIat), false, "a jti expiring now")
	}
}

// Merge: an entry merged with the one already there keeps the later epoch and the later
// expiry: revoking again never revokes less.
func merge(h *harness) {
	start := h.now()
	first, second := start.Add(h.o.ttl), start.Add(3*h.o.ttl)
	jti, sub, global := h.token("m", "", h.iat(0)), h.token("", "ms", h.iat(9)), h.token("", "", h.iat(-3601))
	h.ok(h.l.RevokeToken(ctx, "m", second), "RevokeToken")
	h.ok(h.l.RevokeToken(ctx, "m", first), "RevokeToken again, expiring earlier")
	h.ok(h.l.RevokeSubject(ctx, "ms", h.base.Add(10*time.Second), first), "RevokeSubject")
	h.ok(h.l.RevokeSubject(ctx, "ms", h.base, second), "RevokeSubject again, an earlier epoch expiring later")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-time.Hour), first), "RevokeAll")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-2*time.Hour), second), "RevokeAll again, an earlier epoch expiring later")
	h.want(jti, true, "the jti")
	h.want(sub, true, "the subject: an earlier epoch does not undo a later one")
	h.want(global, true, "the global epoch: an earlier epoch does not undo a later one")
	h.want(h.token("", "ms", h.iat(10)), false, "the subject: the later epoch, not a later one still")
	h.passTo(h.end(first).Add(h.o.margin + time.Millisecond))
	h.want(jti, true, "the jti, past the earlier expiry: the later one is kept")
	h.want(sub, true, "the subject, past the earlier expiry: the later epoch and the later expiry are kept")
	h.want(global, true, "the global epoch, past the earlier expiry: the later epoch and the later expiry are kept")
	h.expires(second, "the merged entries", jti, sub, global)
}

// ReplacedAfterExpiry: an epoch that has expired is replaced by a new one, not merged with it.
func replacedAfterExpiry(h *harness) {
	exp := h.now().Add(h.o.ttl)
	sub, global := h.token("", "r", h.iat(9)), h.token("", "", h.iat(-3601))
	h.ok(h.l.RevokeSubject(ctx, "r", h.base.Add(10*time.Second), exp), "RevokeSubject")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-time.Hour), exp), "RevokeAll")
	h.want(sub, true, "the subject")
	h.want(global, true, "the global epoch")
	h.expires(exp, "the epochs", sub, global)
	h.ok(h.l.RevokeSubject(ctx, "r", h.base, h.long()), "RevokeSubject with an earlier epoch")
	h.ok(h.l.RevokeAll(ctx, h.base.Add(-2*time.Hour), h.long()), "RevokeAll with an earlier epoch")
	h.want(sub, false, "the subject: the expired epoch is gone")
	h.want(h.token("", "r", h.iat(-1)), true, "the subject: the new epoch")
	h.want(global, false, "the global epoch: the expired epoch is gone")
	h.want(h.token("", "", h.iat(-7201)), true, "the global epoch: the new epoch")
}

// Idempotent: the same revocation made again succeeds and changes nothing.
func idempotent(h *harness) {
	until := h.long()
	for i := range 3 {
		h.ok(h.l.RevokeToken(ctx, "i", until), fmt.Sprint("RevokeToken #", i+1))
		h.ok(h.l.RevokeSubject(ctx, "is", h.base.Add(10*time.Second), until), fmt.Sprint("RevokeSubject #", i+1))
		h.ok(h.l.RevokeAll(ctx, h.base.Add(-time.Hour), until), fmt.Sprint("RevokeAll #", i+1))
		h.want(h.token("i", "", h.iat(0)), true, "the jti")
		h.want(h.token("j", "", h.iat(0)), false, "another jti")
		h.want(h.token("", "is", h.iat(9)), true, "the subject, before its epoch")
		h.want(h.token("", "is", h.iat(10)), false, "the subject, at its epoch")
		h.want(h.token("", "", h.iat(-3601)), true, "before the global epoch")
		h.want(h.token("", "", h.iat(-3600)), false, "at the global epoch")
	}
}

// Invalid: a revocation that names nothing, or gives a zero time, fails with an error matching
// revoke.ErrInvalid that says what is wrong, and records nothing.
func invalid(h *harness) {
	at, until := h.base.Add(10*time.Second), h.long()
	var zero time.Time
	for _, c := range []struct {
		what, says string
		err        error
	}{
		{"RevokeToken with an empty jti", "jti", h.l.RevokeToken(ctx, "", until)},
		{"RevokeToken with a zero exp", "zero", h.l.RevokeToken(ctx, "z", zero)},
		{"RevokeSubject with an empty sub", "sub", h.l.RevokeSubject(ctx, "", at, until)},
		{"RevokeSubject with a zero epoch", "zero", h.l.RevokeSubject(ctx, "zs", zero, until)},
		{"RevokeSubject with a zero until", "zero", h.l.RevokeSubject(ctx, "zs", at, zero)},
		{"RevokeAll with a zero epoch", "zero", h.l.RevokeAll(ctx, zero, until)},
		{"RevokeAll with a zero until", "zero", h.l.RevokeAll(ctx, at, zero)},
	} {
		h.invalid(c.err, c.what)
		if !strings.Contains(c.err.Error(), c.says) {
			h.t.Errorf("%s: %q does not say %q", c.what, c.err, c.says)
		}
	}
	h.want(h.token("z", "", noIat), false, "the jti of a refused revocation")
	h.want(h.token("", "zs", h.iat(0)), false, "the subject of a refused revocation")
	h.want(h.token("", "", h.iat(0)), false, "a token before a refused global epoch")
	h.want(h.token("", "", noIat), false, "a token without iat, after refused epochs")
}

// Concurrent: checks and revocations from many goroutines (run it with -race). A revocation
// that returned is seen by every check after it, also when the same token was checked before it
// (an answer the list may keep); tokens nobody revokes stay valid throughout.
func concurrent(h *harness) {
	const writers, perWriter, readers = 4, 100, 2
	at := h.base.Add(10 * time.Second)
	toks := make([][]string, writers) // payloads: revoked by jti (even i) or by subject (odd i)
	for w := range writers {
		for i := range perWriter {
			toks[w] = append(toks[w], fmt.Sprintf(`{"jti":"w%d-%d","sub":"s%d-%d","iat":%s}`, w, i, w, i, h.iat(0)))
		}
	}
	written := make([][]*fastjwt.Claims, writers)
	for w := range writers {
		for _, p := range toks[w] {
			written[w] = append(written[w], h.claims(p))
		}
	}
	var control []*fastjwt.Claims
	for i := range 20 {
		control = append(control, h.token(fmt.Sprint("c-", i), "control", h.iat(0)))
	}
	until := h.long()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := r; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if got, err := h.l.Revoked(ctx, control[i%len(control)]); err != nil || got {
					h.t.Errorf("reader %d: a token nobody revoked: %v, %v", r, got, err)
					return
				}
				if _, err := h.l.Revoked(ctx, written[i%writers][i%perWriter]); err != nil {
					h.t.Errorf("reader %d: %v", r, err)
					return
				}
			}
		}()
	}
	var writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Add(1)
		go func() {
			defer writersWG.Done()
			for i, cl := range written[w] {
				for range 2 { // the second may be answered from what the list keeps
					if got, err := h.l.Revoked(ctx, cl); err != nil || got {
						h.t.Errorf("writer %d token %d: %v, %v before its revocation", w, i, got, err)
						return
					}
				}
				var err error
				if i%2 == 0 {
					err = h.l.RevokeToken(ctx, fmt.Sprintf("w%d-%d", w, i), until)
				} else {
					err = h.l.RevokeSubject(ctx, fmt.Sprintf("s%d-%d", w, i), at, until)
				}
				if err != nil {
					h.t.Errorf("writer %d token %d: %v", w, i, err)
					return
				}
				if got, err := h.l.Revoked(ctx, cl); err != nil || !got {
					h.t.Errorf("writer %d token %d: %v, %v right after its revocation returned", w, i, got, err)
					return
				}
				if i%25 == 0 { // global epochs that revoke none of these tokens, merged concurrently
					if err := h.l.RevokeAll(ctx, h.base.Add(-time.Duration(w+1)*time.Hour), until); err != nil {
						h.t.Errorf("writer %d: RevokeAll: %v", w, err)
						return
					}
				}
			}
		}()
	}
	writersWG.Wait()
	close(stop)
	wg.Wait()
	if h.t.Failed() {
		return
	}
	for w := range writers {
		for i, cl := range written[w] {
			h.want(cl, true, fmt.Sprintf("writer %d token %d, after the run", w, i))
		}
	}
	for _, cl := range control {
		h.want(cl, false, "a token nobody revoked, after the run")
	}
	h.want(h.token("", "", h.iat(-3601)), true, "the merged global epoch")
	h.want(h.token("", "", h.iat(-3599)), false, "after the merged global epoch")
}
