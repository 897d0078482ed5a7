package pathref_test

import (
	"fmt"

	"github.com/fastjwt/session/internal/pathref"
)

// One target, as each kind of server reads it: only the servlet container drops the ";x".
func Example() {
	for _, r := range pathref.Readers {
		p, ok := r.Read("/public;x/%2e%2e/admin/f")
		fmt.Println(r.Name, p, ok)
	}
	// Output:
	// rfc3986 /admin/f true
	// decode+dots /admin/f true
	// servlet /admin/f true
	// net/url /admin/f true
	// nginx /admin/f true
}

// A raw "#": most readers stop at it, as at a fragment, but Go's server keeps it in the path, and
// path.Clean then serves what follows it. One target, two resources.
func Example_fragment() {
	for _, r := range pathref.Readers {
		p, ok := r.Read("/a#/../b")
		fmt.Println(r.Name, p, ok)
	}
	// Output:
	// rfc3986 /a true
	// decode+dots /a true
	// servlet /a true
	// net/url /b true
	// nginx /a true
}
