package keyfile

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// write creates a file holding b in a fresh directory and returns its path.
func write(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRead(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		want     string // Read's secret
		wantRaw  string // ReadRaw's secret
		emptyErr bool   // Read fails with ErrEmpty
	}{
		{"no line ending", "secret", "secret", "secret", false},
		{"LF", "secret\n", "secret", "secret\n", false},
		{"CRLF", "secret\r\n", "secret", "secret\r\n", false},
		{"only one line ending is removed", "secret\n\n", "secret\n", "secret\n\n", false},
		{"a lone CR is kept", "secret\r", "secret\r", "secret\r", false},
		{"other whitespace is kept", " secret \t\n", " secret \t", " secret \t\n", false},
		{"a leading line ending is kept", "\nsecret", "\nsecret", "\nsecret", false},
		{"inner line endings are kept", "sec\nret\n", "sec\nret", "sec\nret\n", false},
		{"binary", "\x00\xff\x0d\x0a", "\x00\xff", "\x00\xff\x0d\x0a", false},
		{"binary, LF CR", "\x00\xff\x0a\x0d", "\x00\xff\x0a\x0d", "\x00\xff\x0a\x0d", false},
		{"only LF", "\n", "", "\n", true},
		{"only CRLF", "\r\n", "", "\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, []byte(tt.file))
			got, err := Read(path)
			switch {
			case tt.emptyErr:
				if !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), path) {
					t.Errorf("Read = %q, %v; want ErrEmpty naming the file", got, err)
				}
			case err != nil || string(got) != tt.want:
				t.Errorf("Read = %q, %v; want %q", got, err, tt.want)
			}
			raw, err := ReadRaw(path)
			if err != nil || string(raw) != tt.wantRaw {
				t.Errorf("ReadRaw = %q, %v; want %q", raw, err, tt.wantRaw)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	for _, read := range []func(string) ([]byte, error){Read, ReadRaw} {
		if _, err := read(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
			t.Errorf("missing file: %v; want fs.ErrNotExist naming the file", err)
		}
		empty := write(t, nil)
		if _, err := read(empty); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), empty) {
			t.Errorf("empty file: %v; want ErrEmpty naming the file", err)
		}
		big := write(t, bytes.Repeat([]byte("k"), MaxSize+1))
		if _, err := read(big); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), big) {
			t.Errorf("file over MaxSize: %v; want ErrTooLarge naming the file", err)
		}
		if b, err := read(write(t, bytes.Repeat([]byte("k"), MaxSize))); err != nil || len(b) != MaxSize {
			t.Errorf("file of MaxSize: %d bytes, %v", len(b), err)
		}
		if _, err := read(dir); err == nil {
			t.Error("a directory read as a key")
		}
	}
}

// TestReadUnbounded checks that an endless file is not read to its end.
func TestReadUnbounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, err := Read("/dev/zero"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read(/dev/zero) = %v, want ErrTooLarge", err)
	}
}

func TestFromEnv(t *testing.T) {
	const name = "KEYFILE_TEST_SECRET"
	tests := []struct {
		value string
		want  string
	}{
		{"secret", "secret"},
		{"secret\n", "secret"},
		{"secret\r\n", "secret"},
		{" secret \n\n", " secret \n"},
	}
	for _, tt := range tests {
		t.Setenv(name, tt.value)
		if got, err := FromEnv(name); err != nil || string(got) != tt.want {
			t.Errorf("%s=%q: FromEnv = %q, %v; want %q", name, tt.value, got, err, tt.want)
		}
	}
	for _, value := range []string{"", "\n", "\r\n"} {
		t.Setenv(name, value)
		if _, err := FromEnv(name); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), name+" is empty") {
			t.Errorf("%s=%q: %v; want ErrEmpty saying the variable is empty", name, value, err)
		}
	}
	os.Unsetenv(name) // t.Setenv restores the original state at the end
	if _, err := FromEnv(name); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), name+" is not set") {
		t.Errorf("unset: %v; want ErrEmpty saying the variable is not set", err)
	}
}

// TestRecipe makes a key with the shell recipe the documentation gives and checks that the
// secret is its base64 text, the same from the file and from an environment variable.
func TestRecipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	cmd := exec.Command("sh", "-c", "head -c 32 /dev/urandom | base64 > "+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		// No POSIX shell or coreutils: write what the recipe writes.
		t.Logf("running the recipe: %v %s; writing its output directly", err, out)
		raw := make([]byte, 32)
		rand.Read(raw)
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(raw)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(file) != 45 || file[44] != '\n' {
		t.Fatalf("the recipe wrote %q, want 44 characters of base64 and a newline", file)
	}
	got, err := Read(path)
	if err != nil || !bytes.Equal(got, file[:44]) {
		t.Fatalf("Read = %q, %v; want %q", got, err, file[:44])
	}
	t.Setenv("KEYFILE_TEST_SECRET", string(file))
	if env, err := FromEnv("KEYFILE_TEST_SECRET"); err != nil || !bytes.Equal(env, got) {
		t.Errorf("FromEnv = %q, %v; want the file's secret %q", env, err, got)
	}
}
