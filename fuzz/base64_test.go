package fuzz

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// refBase64 is the policy's base64url decoder built from encoding/base64: RawURLEncoding in
// Strict mode (no padding, canonical last character), plus the one rule Go's decoder lacks:
// CR and LF are characters like any other outside the alphabet, not skipped.
func refBase64(text string) ([]byte, bool) {
	if strings.ContainsAny(text, "\r\n") {
		return nil, false
	}
	b, err := b64.Strict().DecodeString(text)
	return b, err == nil
}

// FuzzBase64 compares the codec's base64url decoder with refBase64, through verify (the
// decoder is unexported), on each of the three segments:
//
//   - payload: text becomes the payload segment of a token whose MAC covers it. If refBase64
//     refuses text, the codec must refuse the token as ErrMalformed with the payload-encoding
//     message; if it decodes, the codec's verdict must be the reference model's for the decoded
//     bytes, and an accepted token returns exactly those bytes.
//   - signature: text becomes the third segment. 43 characters refBase64 accepts can only fail
//     the MAC (ErrSignature); 43 it refuses are ErrMalformed; other lengths are ErrSignature.
//   - header: text becomes the header segment (with a MAC over it), judged like the payload.
func FuzzBase64(f *testing.F) {
	for _, s := range []string{
		"", "e30", "e30=", "e31", "e3=", "eyJhIjoxfQ", "eyJhIjoxfR", "eyJhIjoxfQ\r\n", "eyJh\nIjoxfQ",
		"eyJh\rIjoxfQ", "eyJh IjoxfQ", "eyJhIjoxfQ==", "eyJ+IjoxfQ", "eyJ/IjoxfQ", "eyJhIjoxfQ\x00",
		"e", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ8", "AB", "AA", "AAA", "AAB", "_-_-",
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
		"dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX=",
	} {
		f.Add(s)
	}
	c := newCodec(f, "")
	plain := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	goodPayload := b64.EncodeToString([]byte(`{"a":1}`))

	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, ".") {
			return // a dot is a segment separator, not base64url: FuzzVerify covers it
		}
		decoded, refOK := refBase64(text)

		// Payload segment.
		token := signRaw(plain, text)
		out, err := c.AppendVerify(nil, token)
		payloadMsg := err != nil && strings.Contains(err.Error(), "payload is not canonical base64url")
		switch {
		case !refOK && !payloadMsg:
			t.Fatalf("payload segment %q: encoding/base64 refuses it, codec gives %v", text, err)
		case refOK && payloadMsg:
			t.Fatalf("payload segment %q: codec refuses canonical base64url (decodes to %q)", text, decoded)
		case refOK:
			want, _ := refPayload(decoded)
			if want.accept != (err == nil) {
				t.Fatalf("payload segment %q (%q): codec %v, policy accept=%v %v", text, decoded, err, want.accept, want.why)
			}
			if err == nil && !bytes.Equal(out, decoded) {
				t.Fatalf("payload segment %q: codec decoded %q, encoding/base64 %q", text, out, decoded)
			}
		}
		if !refOK && !errors.Is(err, fastjwt.ErrMalformed) {
			t.Fatalf("payload segment %q: %v is not ErrMalformed", text, err)
		}

		// Signature segment.
		_, err = c.AppendVerify(nil, []byte(plain+"."+goodPayload+"."+text))
		switch {
		case err == nil:
			if text != macB64([]byte(plain+"."+goodPayload)) {
				t.Fatalf("signature segment %q accepted but is not the MAC", text)
			}
		case len(text) != 43:
			if !errors.Is(err, fastjwt.ErrSignature) {
				t.Fatalf("%d-character signature %q: %v, want ErrSignature", len(text), text, err)
			}
		case refOK && !errors.Is(err, fastjwt.ErrSignature), !refOK && !errors.Is(err, fastjwt.ErrMalformed):
			t.Fatalf("signature segment %q (canonical %v): %v", text, refOK, err)
		}

		// Header segment.
		if text == plain {
			return
		}
		_, err = c.AppendVerify(nil, signRaw(text, goodPayload))
		switch {
		case !refOK && !errors.Is(err, fastjwt.ErrMalformed):
			t.Fatalf("header segment %q: encoding/base64 refuses it, codec gives %v", text, err)
		case refOK:
			want := refHeader(decoded, len(text), "")
			if want.accept != (err == nil) {
				t.Fatalf("header segment %q (%q): codec %v, policy accept=%v %v", text, decoded, err, want.accept, want.why)
			}
		}
	})
}
