package fastjwt

import "time"

// A NumericDate (RFC 7519 sec. 2) is a JSON number of seconds since the epoch, possibly with a
// fraction or an exponent. float64 cannot hold today's times to the nanosecond (it has 53 bits;
// seconds-with-nanoseconds need 61), so exp and nbf are kept as exact decimals: whole seconds,
// the first nine fractional digits, and whether any nonzero digit follows. Comparisons with the
// clock are then exact: a token with exp 1700000000.0000000001 is still valid at 1700000000.

// maxSeconds saturates magnitudes far outside any time.Time a clock returns (about 2.9e11 years).
const maxSeconds = 1 << 62 / 10

type numericDate struct {
	ok   bool
	neg  bool
	sec  int64 // magnitude, whole seconds (saturated at maxSeconds)
	nsec int64 // magnitude, first nine fractional digits
	more bool  // a nonzero digit follows the ninth fractional digit
}

// parseNumericDate converts the text of a JSON number, already validated by scanner.number.
// (Whole seconds, the usual form, are converted by scanDate as they are scanned.)
func parseNumericDate(num []byte) numericDate {
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
			if exp < 1_000_000 { // saturate: beyond this every digit lands far outside any range
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
			// 10^18 alone exceeds maxSeconds, so a nonzero digit there saturates; below it
			// dg*10^pos fits, and the sum is clamped before it could overflow.
			if dg == 0 || d.sec > maxSeconds {
				continue
			}
			if pos >= 18 {
				d.sec = maxSeconds + 1
				continue
			}
			d.sec += dg * pow10[pos]
			if d.sec > maxSeconds {
				d.sec = maxSeconds + 1
			}
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
	return d
}

// pow10[i] is 10^i, for the place values of seconds and nanoseconds.
var pow10 = func() (p [18]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// dateOf returns t as an exact numericDate.
func dateOf(t time.Time) numericDate {
	s, n := t.Unix(), int64(t.Nanosecond())
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
