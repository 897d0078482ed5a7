package fastjwt

// EachMember validates object as one strict JSON object, under the same rules as a verified
// payload (strict UTF-8, no duplicate names, bounded depth), and calls fn for each of its
// top-level members in order: name is the member's name as a JSON string with its quotes (decode
// it with AppendString), value its raw JSON value. Both point into object. Returning false from
// fn stops the walk early, with a nil error.
//
// It lets a caller that needs every member (a session layer loading its data) walk the payload
// once without building a map. It allocates nothing for objects of up to 16 members.
func EachMember(object []byte, fn func(name, value []byte) bool) error {
	s := scanner{data: object}
	var it objectIter
	for _, ok := it.next(&s); ok; _, ok = it.next(&s) {
		name := object[it.namePos:s.pos]
		for name[len(name)-1] != '"' { // drop the whitespace and colon after the name
			name = name[:len(name)-1]
		}
		vstart := s.pos
		if err := s.value(1); err != nil {
			return err
		}
		if !fn(name, object[vstart:s.pos]) {
			return nil
		}
	}
	if it.err != nil {
		return it.err
	}
	if !s.atEnd() {
		return errJSONNotObject
	}
	return nil
}
