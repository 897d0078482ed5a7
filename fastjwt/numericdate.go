package fastjwt

import (
	"math"
	"time"
)

// A NumericDate (RFC 7519 sec. 2) is a JSON number of seconds since the epoch, possibly with a
// fraction or an exponent. float64 cannot hold today's times to the nanosecond (it has 53 bits;
// seconds-with-nanoseconds need 61), so exp and nbf are kept as exact decimals: whole seconds,
// the first nine fractional digits, and whether any nonzero digit follows. Comparisons with the
// clock are then exact: a token with exp 1700000000.0000000001 is still valid at 1700000000.

// maxDateSeconds bounds the magnitude of a NumericDate's whole seconds: a date is a time.Time, so
// one that no time.Time can hold is not a date but a wrong-typed claim (ErrClaimType): 1e30,
// -1e30, 1e400. The bound is the largest s for which time.Unix(s, ns) does not overflow: a
// time.Time counts int64 seconds from year 1, and time.Unix adds the 62135596800 seconds from
// year 1 to 1970, so s may be at most math.MaxInt64 - 62135596800 = 9223371974719179007 (about
// 2.9e11 years). Within it Claims.Expires, NotBefore and IssuedAt are exact (their Unix() gives
// the claim's seconds back), and the same bound applies to negative dates. Any bound below it
// (year 9999, say) would be a policy about far-future dates, not a property of the number; the
// codec does not impose one.
const maxDateSeconds = math.MaxInt64 - unixToInternal

// unixToInternal is the number of seconds from January 1, year 1 to the Unix epoch, the offset
// the time package adds to Unix seconds.
const unixToInternal = (1969*365 + 1969/4 - 1969/100 + 1969/400) * 24 * 60 * 60

type numericDate struct {
	ok   bool
	neg  bool
	sec  int64 // magnitude, whole seconds, at most maxDateSeconds
	nsec int64 // magnitude, first nine fractional digits
	more bool  // a nonzero digit follows the ninth fractional digit
}

// parseNumericDate converts the text of a JSON number, already validated by scanner.number, and
// reports whether its magnitude is within maxDateSeconds. (Whole seconds of up to 18 digits, the
// usual form, are converted by scanDate as they are scanned: they are always in range.)
func parseNumericDate(num []byte) (numericDate, bool) {
	d := numericDate{ok: true}
	i := 0
	if num[0] == '-' {
		d.neg = true
		i++
	}
	// The significant digits, and the exponent of ten that places the decimal point after them.
	mant := i
	for i < len(num) && num[i] >= '0' && num[i] <= '9' {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(num) && num[i] == '.' {
		fracStart = i + 1
		i++
		for i < len(num) && num[i] >= '0' && num[i] <= '9' {
			i++
		}
		fracEnd = i
	}
	exp := 0
	if i < len(num) { // 'e' or 'E'
		i++
		sign := 1
		if num[i] == '+' || num[i] == '-' {
			if num[i] == '-' {
				sign = -1
			}
			i++
		}
		for ; i < len(num); i++ {
			if exp < 1_000_000 { // saturate: beyond this every digit lands far outside the range
				exp = exp*10 + int(num[i]-'0')
			}
		}
		exp *= sign
	}
	// digit(k) is the k-th significant digit, counting the integer and fraction digits together.
	nInt, nFrac := intEnd-mant, fracEnd-fracStart
	digit := func(k int) int64 {
		if k < nInt {
			return int64(num[mant+k] - '0')
		}
		return int64(num[fracStart+k-nInt] - '0')
	}
	total := nInt + nFrac
	point := nInt + exp // digits before the decimal point
	for k := 0; k < total; k++ {
		dg := digit(k)
		pos := point - 1 - k // the power of ten this digit stands for
		switch {
		case pos >= 0:
			// 10^19 alone exceeds maxDateSeconds, so a nonzero digit there is out of range;
			// below it dg*10^pos fits in an int64, and the sum is checked before it is made.
			if dg == 0 {
				continue
			}
			if pos >= len(pow10) {
				return numericDate{}, false
			}
			v := dg * pow10[pos]
			if v > maxDateSeconds-d.sec {
				return numericDate{}, false
			}
			d.sec += v
		case pos >= -9:
			d.nsec += dg * pow10[9+pos] // pos -1 is tenths: 10^8 ns
		default:
			if dg != 0 {
				d.more = true
			}
		}
	}
	if d.sec == 0 && d.nsec == 0 && !d.more {
		d.neg = false // -0 is 0
	}
	return d, true
}

// pow10[i] is 10^i, for the place values of seconds and nanoseconds; 10^18 is the largest power
// of ten below maxDateSeconds.
var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// unixDate returns the date s seconds and n nanoseconds after the Unix epoch, for n within a
// second either way of [0, 1e9).
func unixDate(s, n int64) numericDate {
	if n < 0 {
		s, n = s-1, n+1e9
	} else if n >= 1e9 {
		s, n = s+1, n-1e9
	}
	if s >= 0 {
		return numericDate{ok: true, sec: s, nsec: n}
	}
	if n == 0 {
		return numericDate{ok: true, neg: true, sec: -s}
	}
	return numericDate{ok: true, neg: true, sec: -s - 1, nsec: 1e9 - n}
}

// compare returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a numericDate) compare(b numericDate) int {
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := a.compareMagnitude(b)
	if a.neg {
		return -c
	}
	return c
}

func (a numericDate) compareMagnitude(b numericDate) int {
	switch {
	case a.sec != b.sec:
		return cmp64(a.sec, b.sec)
	case a.nsec != b.nsec:
		return cmp64(a.nsec, b.nsec)
	case a.more == b.more:
		return 0
	case a.more:
		return 1
	}
	return -1
}

func cmp64(a, b int64) int {
	if a < b {
		return -1
	}
	return 1
}

// time returns the date truncated toward zero to the nanosecond, and whether it is present.
func (a numericDate) time() (time.Time, bool) {
	if !a.ok {
		return time.Time{}, false
	}
	if a.neg {
		return time.Unix(-a.sec, -a.nsec), true
	}
	return time.Unix(a.sec, a.nsec), true
}
