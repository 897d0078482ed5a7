package keyfile_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/keyfile"
)

// A key file written by a text tool ends in a newline; the secret is the text before it, the same
// for every program that reads the file.
func Example() {
	dir, err := os.MkdirTemp("", "keyfile-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "key")
	// What `head -c 32 /dev/urandom | base64 > key` writes: 44 characters and a newline.
	if err := os.WriteFile(path, []byte("NI0QJlUHt2NJ5D/4WKO3HV3R8bus5LD6Ee2tKt/OEbM=\n"), 0o600); err != nil {
		log.Fatal(err)
	}

	secret, err := keyfile.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	raw, err := keyfile.ReadRaw(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Read: %d bytes %q\n", len(secret), secret)
	fmt.Printf("ReadRaw: %d bytes, the line ending included\n", len(raw))

	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	if err != nil {
		log.Fatal(err)
	}
	token, err := codec.AppendSign(nil, []byte(`{"sub":"alice"}`))
	if err != nil {
		log.Fatal(err)
	}
	payload, err := codec.AppendVerify(nil, token)
	fmt.Println(string(payload), err)
	// Output:
	// Read: 44 bytes "NI0QJlUHt2NJ5D/4WKO3HV3R8bus5LD6Ee2tKt/OEbM="
	// ReadRaw: 45 bytes, the line ending included
	// {"sub":"alice"} <nil>
}
