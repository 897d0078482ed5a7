package redisstore

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fastjwt/session/internal/unixnano"
	"github.com/fastjwt/session/issuing"
)

// Families is an issuing.Families in Redis: each family is one hash, <prefix>{fam:<id>}:record,
// changed only by Lua scripts, one per operation, so that a Rotate is one atomic step on the
// server: two concurrent Rotates of one token, from any clients or processes, cannot both
// rotate. See the package documentation for the record and what a loss of data does.
type Families struct {
	c    *config
	list *List // whose marker tells whether Redis kept its data (durable.go)
}

var _ issuing.Families = (*Families)(nil)

// maxPast bounds the replaced refresh tokens a family remembers (for Reused): 1024, a
// rotation every ten minutes for the default seven days. A token replaced longer ago than that
// is answered Ended: refused, though without ending the family.
const maxPast = 1024

// digestLen is the length of what the record keeps of a replaced refresh token's "jti": the
// first 8 bytes (64 bits) of its SHA-1, so that the record holds no token identifier beyond
// the current and the previous one, and stays small.
const digestLen = 8

func (f *Families) key(id string) string { return f.c.prefix + "{fam:" + id + "}:record" }

// An instant is stored to the nanosecond as 20 decimal digits of its Unix nanoseconds with the
// sign bit flipped (an unsigned number in the order of the instants), so that the scripts
// compare two as strings of the same length: Lua's numbers, doubles, cannot hold nanoseconds
// since 1970 exactly.
func formatInstant(t time.Time) string { return formatOrdered(unixnano.Of(t)) }

func formatOrdered(n int64) string {
	s := strconv.FormatUint(uint64(n)^(1<<63), 10)
	return "00000000000000000000"[:20-len(s)] + s
}

// parseInstant reads a stored instant; false when v is not one.
func parseInstant(v string) (time.Time, bool) {
	if len(v) != 20 {
		return time.Time{}, false
	}
	u, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, int64(u^(1<<63))), true
}

// formatSpan is a non-negative duration in nanoseconds, 20 digits, as the scripts subtract it.
func formatSpan(d time.Duration) string {
	s := strconv.FormatInt(int64(max(d, 0)), 10)
	return "00000000000000000000"[:20-len(s)] + s
}

// instantMinus is t minus d in the stored form, exact, saturating at the smallest instant.
func instantMinus(t time.Time, d time.Duration) string {
	n := unixnano.Of(t)
	if d > 0 && n < math.MinInt64+int64(d) {
		return formatOrdered(math.MinInt64)
	}
	return formatOrdered(n - int64(d))
}

// luaHelpers are the functions every family script shares.
//
// minus(t, d) is the instant t less the span d (both 20 digits), computed on two halves that
// doubles hold exactly (11 and 9 digits), saturating at the smallest instant.
//
// read(k) is the record as a table; live(f, now, k) the access tokens that may still be live at
// now (their "exp" plus the family's grace after it), as jti, exp pairs, deleting the others
// from the record when k is given; digest(jti) what the record keeps of a replaced token;
// seen(past, d) whether the digest d is one of past's.
const luaHelpers = `
local function minus(t, d)
  local hi = tonumber(string.sub(t, 1, 11)) - tonumber(string.sub(d, 1, 11))
  local lo = tonumber(string.sub(t, 12)) - tonumber(string.sub(d, 12))
  if lo < 0 then lo = lo + 1000000000; hi = hi - 1 end
  if hi < 0 then return '00000000000000000000' end
  return string.format('%011d%09d', hi, lo)
end
local function read(k)
  local h = redis.call('HGETALL', k)
  local f = {}
  for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
  return f
end
local function live(f, now, k)
  local horizon = minus(now, f.gr)
  local out = {}
  for name, v in pairs(f) do
    if string.sub(name, 1, 2) == 'l:' then
      if v > horizon then
        out[#out + 1] = string.sub(name, 3)
        out[#out + 1] = v
      elseif k then
        redis.call('HDEL', k, name)
      end
    end
  end
  return out
end
local function seen(past, d)
  if not past then return false end
  local i = 1
  while true do
    local j = string.find(past, d, i, true)
    if not j then return false end
    if (j - 1) % DIGEST == 0 then return true end
    i = j + 1
  end
end
local function digest(jti)
  return (string.gsub(string.sub(redis.sha1hex(jti), 1, 2 * DIGEST), '..',
    function(h) return string.char(tonumber(h, 16)) end))
end
local function answer(code, f, gen, lv)
  local out = {tostring(code), f.sub, f.st, f.en, f.gr}
  for i = 1, 4 do out[#out + 1] = gen[i] end
  for i = 1, #lv do out[#out + 1] = lv[i] end
  return out
end
`

// startScript: KEYS[1] the record; ARGV: subject, start, end, grace, grace in milliseconds
// (rounded up), the first generation (refresh, access, issued, access exp), the record's
// expiry (Unix milliseconds). A record there, ended or not, is never overwritten.
var startScript = newScript(`
local k = KEYS[1]
if redis.call('EXISTS', k) == 1 then return 0 end
redis.call('HSET', k, 'sub', ARGV[1], 'st', ARGV[2], 'en', ARGV[3], 'gr', ARGV[4], 'gms', ARGV[5],
  'cr', ARGV[6], 'ca', ARGV[7], 'ci', ARGV[8], 'cx', ARGV[9], 'l:' .. ARGV[7], ARGV[9])
redis.call('PEXPIREAT', k, ARGV[10])
return 1
`)

// Start implements issuing.Families: one script that refuses a record already there
// (issuing.ErrExists, whether the family is live or ended: the record of an ended family lasts
// until its End plus its Grace) and otherwise writes it, expiring at End, or its first access
// token's expiry if later, plus Grace.
func (f *Families) Start(ctx context.Context, fam issuing.Family) error {
	if err := validFamily(fam); err != nil {
		return err
	}
	if err := f.trusted(ctx); err != nil {
		return err
	}
	g := fam.First
	until := max(ceilMillis(fam.End), ceilMillis(g.AccessExpires)) + millis(fam.Grace)
	resp := f.c.exec(ctx, startScript, []string{f.key(fam.ID)}, []string{
		fam.Subject, formatInstant(fam.Start), formatInstant(fam.End), formatSpan(fam.Grace),
		strconv.FormatInt(millis(fam.Grace), 10),
		g.Refresh, g.Access, formatInstant(g.Issued), formatInstant(g.AccessExpires),
		strconv.FormatInt(until, 10)})
	n, err := resp.AsInt64()
	if err != nil {
		return wrap("starting a family", err)
	}
	if n == 0 {
		return issuing.ErrExists
	}
	return nil
}

func validFamily(fam issuing.Family) error {
	g := fam.First
	switch {
	case fam.ID == "" || fam.Subject == "" || g.Refresh == "" || g.Access == "":
		return fmt.Errorf("%w: an empty id, subject or jti", issuing.ErrInvalid)
	case fam.Start.IsZero() || !fam.End.After(fam.Start):
		return fmt.Errorf("%w: a zero start, or an end not after it", issuing.ErrInvalid)
	case g.Issued.Before(fam.Start) || !g.Issued.Before(fam.End):
		return fmt.Errorf("%w: the first generation issued outside [start, end)", issuing.ErrInvalid)
	case fam.Grace < 0:
		return fmt.Errorf("%w: a negative grace", issuing.ErrInvalid)
	}
	return nil
}

// The codes the scripts answer, first in their reply.
const (
	codeAbsent = iota
	codeEnded
	codeRotated
	codeRetried
	codeReused
	codeThrottled
)

// rotateScript: KEYS[1] the record; ARGV: the presented "jti", now, now less the retry window
// (the presentation is a retry if the last rotation came after it), whether retries are
// accepted ("1"), MaxLive, the successor (refresh, access, issued, access exp) and its access
// token's expiry in Unix milliseconds (rounded up). The reply: a code, the family (subject,
// start, end, grace), a generation (the current one: the successor for Rotated and Retried),
// then jti, exp pairs of the access tokens to revoke. Each branch that writes begins with an
// HSET, never with the HDELs of pruning: Redis checks a script's writes against maxmemory only
// until its first write, so under noeviction a full Redis refuses the rotation (OOM) rather
// than letting it grow past the limit.
var rotateScript = newScript(familyScript(`
local k = KEYS[1]
if redis.call('EXISTS', k) == 0 then return {'0'} end
local f = read(k)
local p, now = ARGV[1], ARGV[2]
local cur = {f.cr, f.ca, f.ci, f.cx}
if f.ended then return answer(1, f, cur, live(f, now)) end
if now >= f.en then return answer(1, f, cur, {}) end
if p == f.cr then
  if #live(f, now) / 2 >= tonumber(ARGV[5]) then return answer(5, f, cur, {}) end
  local past = (f.past or '') .. digest(f.cr)
  if #past > PASTLEN then past = string.sub(past, #past - PASTLEN + 1) end
  redis.call('HSET', k, 'cr', ARGV[6], 'ca', ARGV[7], 'ci', ARGV[8], 'cx', ARGV[9],
    'pr', f.cr, 'pt', now, 'past', past, 'l:' .. ARGV[7], ARGV[9])
  live(f, now, k)
  local at = tonumber(ARGV[10]) + tonumber(f.gms)
  if redis.call('PEXPIRETIME', k) < at then redis.call('PEXPIREAT', k, at) end
  return answer(2, f, {ARGV[6], ARGV[7], ARGV[8], ARGV[9]}, {})
end
if p == f.pr and ARGV[4] == '1' and ARGV[3] < f.pt then return answer(3, f, cur, {}) end
if seen(f.past, digest(p)) then
  redis.call('HSET', k, 'ended', now)
  return answer(4, f, cur, live(f, now, k))
end
return answer(1, f, cur, {})
`))

// Rotate implements issuing.Families: one script, so the verdict and its change are one step
// on the server. A family whose record is absent is answered Ended only once the revocation
// list's marker confirms that Redis kept its data (else ErrDataLost, or ErrEvictingPolicy):
// see the package documentation.
func (f *Families) Rotate(ctx context.Context, r issuing.Rotate) (issuing.Rotation, error) {
	n := r.Next
	switch {
	case r.Family == "" || r.Presented == "":
		return issuing.Rotation{}, fmt.Errorf("%w: an empty family or jti", issuing.ErrInvalid)
	case r.Now.IsZero():
		return issuing.Rotation{}, fmt.Errorf("%w: a zero now", issuing.ErrInvalid)
	case n.Refresh == "" || n.Access == "" || n.Issued.IsZero() || n.AccessExpires.IsZero():
		return issuing.Rotation{}, fmt.Errorf("%w: an incomplete successor", issuing.ErrInvalid)
	case r.Grace < 0:
		return issuing.Rotation{}, fmt.Errorf("%w: a negative grace", issuing.ErrInvalid)
	}
	if err := f.live(ctx); err != nil {
		return issuing.Rotation{}, err
	}
	maxLive := r.MaxLive
	if maxLive <= 0 {
		maxLive = issuing.DefaultMaxLive
	}
	retry := "0"
	if r.Grace > 0 {
		retry = "1"
	}
	resp := f.c.exec(ctx, rotateScript, []string{f.key(r.Family)}, []string{
		r.Presented, formatInstant(r.Now), instantMinus(r.Now, r.Grace), retry, strconv.Itoa(maxLive),
		n.Refresh, n.Access, formatInstant(n.Issued), formatInstant(n.AccessExpires),
		strconv.FormatInt(ceilMillis(n.AccessExpires), 10)})
	reply, err := resp.AsStrSlice()
	if err != nil {
		return issuing.Rotation{}, wrap("rotating a family", err)
	}
	rot, err := parseRotation(reply)
	if err != nil {
		return issuing.Rotation{}, err
	}
	if rot.Family.Subject != "" {
		rot.Family.ID = r.Family
	}
	if reply[0] == strconv.Itoa(codeAbsent) {
		if err := f.trusted(ctx); err != nil {
			return issuing.Rotation{}, err
		}
	}
	return rot, nil
}

var outcomes = [...]issuing.Outcome{codeAbsent: issuing.Ended, codeEnded: issuing.Ended,
	codeRotated: issuing.Rotated, codeRetried: issuing.Retried, codeReused: issuing.Reused,
	codeThrottled: issuing.Throttled}

// headLen is the length of a reply up to its live tokens: the code, the family's four fields,
// the generation's four.
const headLen = 9

// parseRotation reads rotateScript's reply. A reply it cannot read (a record written by
// something else) is an error, never an outcome.
func parseRotation(reply []string) (issuing.Rotation, error) {
	bad := func(what string) (issuing.Rotation, error) {
		return issuing.Rotation{}, fmt.Errorf("redisstore: rotating a family: an unreadable record (%s)", what)
	}
	if len(reply) == 0 {
		return bad("an empty reply")
	}
	code, err := strconv.Atoi(reply[0])
	if err != nil || code < 0 || code >= len(outcomes) {
		return bad("the code " + reply[0])
	}
	rot := issuing.Rotation{Outcome: outcomes[code]}
	if code == codeAbsent {
		return rot, nil
	}
	if len(reply) < headLen || (len(reply)-headLen)%2 != 0 {
		return bad("a reply of " + strconv.Itoa(len(reply)) + " values")
	}
	fam, ok := parseFamily(reply[1:5])
	if !ok {
		return bad("the family's fields")
	}
	rot.Family = fam
	if code == codeRotated || code == codeRetried {
		g, ok := parseGeneration(reply[5:9])
		if !ok {
			return bad("the generation")
		}
		rot.Generation = g
	}
	if rot.Live, ok = parseLive(reply[headLen:]); !ok {
		return bad("the live access tokens")
	}
	return rot, nil
}

func parseFamily(v []string) (issuing.Family, bool) {
	start, ok1 := parseInstant(v[1])
	end, ok2 := parseInstant(v[2])
	grace, err := strconv.ParseInt(v[3], 10, 64)
	if v[0] == "" || !ok1 || !ok2 || err != nil || len(v[3]) != 20 {
		return issuing.Family{}, false
	}
	return issuing.Family{Subject: v[0], Start: start, End: end, Grace: time.Duration(grace)}, true
}

func parseGeneration(v []string) (issuing.Generation, bool) {
	issued, ok1 := parseInstant(v[2])
	exp, ok2 := parseInstant(v[3])
	if v[0] == "" || v[1] == "" || !ok1 || !ok2 {
		return issuing.Generation{}, false
	}
	return issuing.Generation{Refresh: v[0], Access: v[1], Issued: issued, AccessExpires: exp}, true
}

// parseLive reads jti, exp pairs, sorted by expiry then jti (the record's order is a hash's).
func parseLive(v []string) ([]issuing.Live, bool) {
	if len(v) == 0 {
		return nil, true
	}
	out := make([]issuing.Live, 0, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		exp, ok := parseInstant(v[i+1])
		if !ok {
			return nil, false
		}
		out = append(out, issuing.Live{Access: v[i], Expires: exp})
	}
	slices.SortFunc(out, func(a, b issuing.Live) int {
		return cmp.Or(a.Expires.Compare(b.Expires), cmp.Compare(a.Access, b.Access))
	})
	return out, true
}

// revokeScript: KEYS[1] the record; ARGV[1] now. The family ends at now (unless it had ended
// already); the reply is a code, then jti, exp pairs of the access tokens that may still be
// live at now.
var revokeScript = newScript(familyScript(`
local k = KEYS[1]
if redis.call('EXISTS', k) == 0 then return {'0'} end
local f = read(k)
if not f.ended then redis.call('HSET', k, 'ended', ARGV[1]) end
local lv = live(f, ARGV[1], k)
table.insert(lv, 1, '1')
return lv
`))

// Revoke implements issuing.Families: one script marks the family ended (its record stays until
// it expires) and answers the access tokens that may still be live, on this call and every
// later one. A family whose record is absent answers no tokens only once the revocation list's
// marker confirms that Redis kept its data: after a loss, the access tokens a lost record
// listed are unknown, and Revoke answers ErrDataLost rather than "none".
func (f *Families) Revoke(ctx context.Context, id string, now time.Time) ([]issuing.Live, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: an empty family id", issuing.ErrInvalid)
	}
	if now.IsZero() {
		return nil, fmt.Errorf("%w: a zero now", issuing.ErrInvalid)
	}
	if err := f.live(ctx); err != nil {
		return nil, err
	}
	reply, err := f.c.exec(ctx, revokeScript, []string{f.key(id)}, []string{formatInstant(now)}).AsStrSlice()
	if err != nil {
		return nil, wrap("revoking a family", err)
	}
	if len(reply) == 0 || (reply[0] != "0" && reply[0] != "1") || len(reply)%2 != 1 {
		return nil, fmt.Errorf("redisstore: revoking a family: an unreadable reply of %d values", len(reply))
	}
	if reply[0] == "0" {
		return nil, f.trusted(ctx)
	}
	out, ok := parseLive(reply[1:])
	if !ok {
		return nil, fmt.Errorf("redisstore: revoking a family: an unreadable record (the live access tokens)")
	}
	return out, nil
}

// live refuses before anything is sent: a call whose ctx is done, or a List that found its
// Redis lost data (until List.Recover, or another process's).
func (f *Families) live(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.list.d.lost.Load() != nil {
		return f.list.d.retry(ctx)
	}
	return nil
}

// trusted returns nil when the revocation list's marker is as the List knows it (and the
// maxmemory-policy does not evict, unless allowed): only then may an absent record mean a
// family that does not exist.
func (f *Families) trusted(ctx context.Context) error {
	if err := f.live(ctx); err != nil {
		return err
	}
	return f.list.d.confirm(ctx)
}

// familyScript is src after the shared helpers, with the digest's length and the bound of the
// replaced tokens' digests written in.
func familyScript(src string) string {
	return strings.NewReplacer("DIGEST", strconv.Itoa(digestLen), "PASTLEN", strconv.Itoa(maxPast*digestLen)).
		Replace(luaHelpers + src)
}
