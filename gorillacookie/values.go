package gorillacookie

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Decode verifies value as the cookie named name at time now and calls add once for each of
// its values, in the order of their names, with the name and the value as JSON. A value without
// a JSON form, or under a key that is not a string, is not added: drop receives its name (the
// key formatted with %v) and an error matching ErrDropped. Nothing is added when Decode returns
// an error (ErrTooLong, ErrMalformed, ErrMAC, ErrExpired, ErrDecode): add is called only once
// the whole cookie has verified and decoded.
func (c *Codec) Decode(name string, value []byte, now time.Time, add func(name string, value []byte), drop func(name string, err error)) error {
	plain, err := c.open(name, value, now)
	if err != nil {
		return err
	}
	type member struct {
		name  string
		value []byte
	}
	var members []member
	keep := func(k string, v []byte) { members = append(members, member{k, v}) }
	if c.cfg.Format == JSON {
		err = fromJSON(plain, keep, drop)
	} else {
		err = fromGob(plain, keep, drop)
	}
	if err != nil {
		return err
	}
	slices.SortFunc(members, func(a, b member) int { return cmpString(a.name, b.name) })
	for _, m := range members {
		add(m.name, m.value)
	}
	return nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fromGob decodes a gob of map[interface{}]interface{}, as sessions.Session.Values is saved.
func fromGob(plain []byte, keep func(string, []byte), drop func(string, error)) (err error) {
	defer func() {
		// encoding/gob recovers its own panics; this one is for a value's MarshalJSON.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDecode, r)
		}
	}()
	var values map[interface{}]interface{}
	if err := gob.NewDecoder(bytes.NewReader(plain)).Decode(&values); err != nil {
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	for k, v := range values {
		name, ok := k.(string)
		if !ok {
			if drop != nil {
				drop(fmt.Sprintf("%v", k), fmt.Errorf("%w: the key is a %T, not a string", ErrDropped, k))
			}
			continue
		}
		raw, err := toJSON(v)
		if err != nil {
			if drop != nil {
				drop(name, fmt.Errorf("%w: %q: %w", ErrDropped, name, err))
			}
			continue
		}
		keep(name, raw)
	}
	return nil
}

// fromJSON decodes a JSON object, as securecookie.JSONEncoder writes it.
func fromJSON(plain []byte, keep func(string, []byte), drop func(string, error)) error {
	// As securecookie.JSONEncoder reads it: the first JSON value of the bytes, into a
	// map[string]interface{} (which refuses what it refuses, a number out of float64's range
	// for one), then the same value again for the members' exact bytes.
	var check map[string]interface{}
	if err := json.NewDecoder(bytes.NewReader(plain)).Decode(&check); err != nil {
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	var values map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(plain)).Decode(&values); err != nil {
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	for k, v := range values {
		if !utf8.ValidString(k) || !utf8.Valid(v) {
			if drop != nil {
				drop(k, fmt.Errorf("%w: not valid UTF-8", ErrDropped))
			}
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, v); err != nil {
			if drop != nil {
				drop(k, fmt.Errorf("%w: %q: %w", ErrDropped, k, err))
			}
			continue
		}
		keep(k, compact.Bytes())
	}
	return nil
}

// toJSON encodes one gob-decoded value as JSON: the scalar types directly, anything else through
// encoding/json. []byte is refused: JSON would turn it into a base64 string, which is not the
// value the application stored.
func toJSON(v interface{}) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return []byte("null"), nil
	case string:
		if !utf8.ValidString(x) {
			return nil, fmt.Errorf("string is not valid UTF-8")
		}
	case int:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, bool:
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("%v has no JSON form", x)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v has no JSON form", x)
		}
	case []byte:
		return nil, fmt.Errorf("a []byte has no JSON form")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// AppendEncode appends to dst the cookie value named name written at now holding the values
// given by each, as (name, JSON value) pairs. With Gob, a JSON string, boolean or number becomes
// a Go string, bool, int (an integer that fits) or float64; a null, array or object is not
// written: drop receives its name and an error matching ErrDropped. With JSON the values are
// written as they are. It fails with ErrTooLong past MaxLength, and ErrDecode for a value that
// is not JSON.
func (c *Codec) AppendEncode(dst []byte, name string, now time.Time, each func(yield func(name string, value []byte) bool), drop func(name string, err error)) ([]byte, error) {
	var plain []byte
	var err error
	if c.cfg.Format == JSON {
		plain, err = toJSONObject(each)
	} else {
		plain, err = toGob(each, drop)
	}
	if err != nil {
		return dst, err
	}
	return c.seal(dst, name, plain, now)
}

func toJSONObject(each func(yield func(string, []byte) bool)) ([]byte, error) {
	values := map[string]json.RawMessage{}
	var bad error
	each(func(k string, v []byte) bool {
		if !json.Valid(v) {
			bad = fmt.Errorf("%w: %q is not JSON", ErrDecode, k)
			return false
		}
		values[k] = v
		return true
	})
	if bad != nil {
		return nil, bad
	}
	b, err := json.Marshal(values)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	// securecookie.JSONEncoder uses a json.Encoder, which ends the object with a newline.
	return append(b, '\n'), nil
}

func toGob(each func(yield func(string, []byte) bool), drop func(string, error)) ([]byte, error) {
	values := map[interface{}]interface{}{}
	each(func(k string, raw []byte) bool {
		v, err := fromJSONValue(raw)
		if err != nil {
			if drop != nil {
				drop(k, fmt.Errorf("%w: %q: %w", ErrDropped, k, err))
			}
			return true
		}
		values[k] = v
		return true
	})
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return buf.Bytes(), nil
}

// fromJSONValue turns a JSON scalar into the Go value a gorilla application stores: string,
// bool, int when the number is an integer that fits, float64 otherwise.
func fromJSONValue(raw []byte) (interface{}, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("empty value")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return s, nil
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, err
		}
		return b, nil
	case 'n':
		return nil, fmt.Errorf("null has no gob form in a map")
	case '[', '{':
		return nil, fmt.Errorf("an array or object needs a gob type the old servers may not have registered")
	}
	if i, err := strconv.ParseInt(string(raw), 10, strconv.IntSize); err == nil {
		return int(i), nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return nil, err
	}
	return f, nil
}
