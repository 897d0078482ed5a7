package fastjwt

import (
	"errors"
	"strings"
	"testing"
)

func TestEachMember(t *testing.T) {
	var got []string
	err := EachMember([]byte(` {"a":1, "b\u0063" : [1,{"x":null}] ,"d":"s"} `), func(name, value []byte) bool {
		got = append(got, string(name)+"="+string(value))
		return true
	})
	want := `"a"=1|"b\u0063"=[1,{"x":null}]|"d"="s"`
	if err != nil || strings.Join(got, "|") != want {
		t.Errorf("EachMember = %q, %v; want %s", got, err, want)
	}

	n := 0
	if err := EachMember([]byte(`{"a":1,"b":2}`), func(_, _ []byte) bool { n++; return false }); err != nil || n != 1 {
		t.Errorf("early stop: %d calls, %v", n, err)
	}

	for _, bad := range []string{`[]`, `{"a":1,"a":2}`, `{"a":}`, `{"a":1} x`, `{"a":"\xff"}`, ``} {
		if err := EachMember([]byte(bad), func(_, _ []byte) bool { return true }); !errors.Is(err, ErrMalformed) {
			t.Errorf("EachMember(%q) = %v, want ErrMalformed", bad, err)
		}
	}

	// A subslice of a larger buffer: names still point at the right bytes.
	buf := []byte(`xx{"k":true}yy`)
	_ = EachMember(buf[2:12], func(name, value []byte) bool {
		if string(name) != `"k"` || string(value) != "true" {
			t.Errorf("subslice: %s=%s", name, value)
		}
		return true
	})

	obj := []byte(`{"a":1,"b":"x"}`)
	if allocs := testing.AllocsPerRun(100, func() {
		_ = EachMember(obj, func(_, _ []byte) bool { return true })
	}); allocs != 0 {
		t.Errorf("EachMember allocates %v times", allocs)
	}
}
