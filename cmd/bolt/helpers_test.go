package main

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// result is what one run of the tool produced.
type result struct {
	stdout, stderr string
	code           int
}

// runBolt runs the tool with args and empty stdin.
func runBolt(t testing.TB, args ...string) result {
	t.Helper()
	return runBoltIn(t, "", args...)
}

// runBoltIn runs the tool with args and the given stdin.
func runBoltIn(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	c := newCLI(strings.NewReader(stdin), &out, &errOut)
	c.benchReadTime = 10 * time.Millisecond
	c.progressInterval = time.Hour
	c.terminal = func(io.Writer) bool { return false }
	code := c.main(args)
	r := result{out.String(), errOut.String(), code}
	if strings.Contains(r.stderr, "internal error") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("bolt %q panicked: %s", args, r.stderr)
	}
	return r
}

// mustRun runs the tool and fails the test unless it exits 0.
func mustRun(t testing.TB, args ...string) string {
	t.Helper()
	r := runBolt(t, args...)
	if r.code != 0 {
		t.Fatalf("bolt %q: exit %d, stderr %q, stdout %q", args, r.code, r.stderr, r.stdout)
	}
	return r.stdout
}

// fixture returns a private copy of testdata/bbolt.db, written by bbolt,
// in this machine's byte order (see fixtureBytes).
func fixture(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bbolt.db")
	if err := os.WriteFile(path, fixtureBytes(t), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// golden returns testdata/golden/name, bbolt's own output on the
// little-endian fixture (see nativeText for big-endian machines).
func golden(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// newDB creates a database with 4 KiB pages, fills it with fn (unless nil)
// and closes it.
func newDB(t testing.TB, fn func(tx *bolt.Tx) error) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if fn != nil {
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// view runs fn in a read-only transaction on the database at path.
func view(t testing.TB, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(fn); err != nil {
		t.Fatal(err)
	}
}

// mustCheck fails the test if the database at path does not pass Check.
func mustCheck(t testing.TB, path string) {
	t.Helper()
	view(t, path, func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("%s: %v", path, err)
		}
		return nil
	})
}

func fileSum(t testing.TB, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// readPage returns the raw logical page id of the file at path.
func readPage(t testing.TB, path string, id uint64) (rawpage.Header, []byte) {
	t.Helper()
	pf, err := openPageFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	h, buf, err := pf.readPage(id)
	if err != nil {
		t.Fatal(err)
	}
	return h, buf
}

// writeAt overwrites bytes of the file at path.
func writeAt(t testing.TB, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}

// wantUsage checks that r is a usage error mentioning msg.
func wantUsage(t testing.TB, r result, msg string) {
	t.Helper()
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
	}
	if !strings.Contains(r.stderr, msg) {
		t.Errorf("stderr %q does not mention %q", r.stderr, msg)
	}
	if n := strings.Count(r.stderr, "\n"); n != 1 {
		t.Errorf("stderr has %d lines, want one: %q", n, r.stderr)
	}
}

// wantFailure checks that r failed with exit 1 and a one-line message
// containing msg.
func wantFailure(t testing.TB, r result, msg string) {
	t.Helper()
	if r.code != exitFailure {
		t.Errorf("exit %d, want %d (stderr %q)", r.code, exitFailure, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "Error: ") || !strings.Contains(r.stderr, msg) {
		t.Errorf("stderr %q, want an error mentioning %q", r.stderr, msg)
	}
	if n := strings.Count(r.stderr, "\n"); n != 1 {
		t.Errorf("stderr has %d lines, want one: %q", n, r.stderr)
	}
}
