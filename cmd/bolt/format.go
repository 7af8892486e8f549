package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// formatModes lists the output formats of keys and values.
const formatModes = "auto|ascii-encoded|hex|bytes|redacted"

// Errors with bbolt's texts.
var (
	errBucketNotFound = bolt.ErrBucketNotFound
	errKeyNotFound    = errors.New("key not found")
	errPageIDRequired = errors.New("page id required")
	// errInvalidValue is what bbolt's page-level commands call a page that
	// is not what it should be ("error: invalid value due to …").
	errInvalidValue = errors.New("invalid value")
)

// checkFormat validates an output format name.
func checkFormat(format string) error {
	switch format {
	case "auto", "ascii-encoded", "hex", "bytes", "redacted":
		return nil
	}
	return usagef("unsupported format %q (one of %s)", format, formatModes)
}

// checkParseFormat validates an input format name.
func checkParseFormat(format string) error {
	switch format {
	case "ascii-encoded", "hex":
		return nil
	}
	return usagef("unsupported parse format %q (one of ascii-encoded|hex)", format)
}

// formatBytes renders b in one of formatModes; the format has been checked.
func formatBytes(b []byte, format string) string {
	switch format {
	case "ascii-encoded":
		return fmt.Sprintf("%q", b)
	case "hex":
		return hex.EncodeToString(b)
	case "bytes":
		return string(b)
	case "redacted":
		return fmt.Sprintf("<redacted len:%d sha256:%x>", len(b), sha256.Sum256(b))
	default: // auto
		return printableOrHex(b)
	}
}

// parseBytes reads a command-line argument: as is (ascii-encoded) or as hex.
func parseBytes(s, format string) ([]byte, error) {
	if format == "hex" {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, usagef("invalid hex %q: %v", s, err)
		}
		return b, nil
	}
	return []byte(s), nil
}

// isPrintable reports whether s is valid UTF-8 made of printable runes.
func isPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func printableOrHex(b []byte) string {
	if isPrintable(string(b)) {
		return string(b)
	}
	return hex.EncodeToString(b)
}

// quotedOrHex renders a key as the page command does: quoted if printable.
func quotedOrHex(b []byte) string {
	if isPrintable(string(b)) {
		return strconv.Quote(string(b))
	}
	return hex.EncodeToString(b)
}

// kvStringer renders keys and values in check's messages.
type kvStringer struct{}

func (kvStringer) KeyToString(k []byte) string   { return printableOrHex(k) }
func (kvStringer) ValueToString(v []byte) string { return printableOrHex(v) }

// checkSourceDBPath returns the file's info, or bbolt's error for a missing
// file.
func checkSourceDBPath(path string) (os.FileInfo, error) {
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("source database file %q doesn't exist", path)
	} else if err != nil {
		return nil, fmt.Errorf("failed to open source database file %q: %v", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("source database file %q is a directory", path)
	}
	return fi, nil
}

// openReadOnly opens an existing database read-only, loading the free list
// if freelist is set.
func (c *cli) openReadOnly(path string, freelist bool) (*bolt.DB, error) {
	if fi, err := checkSourceDBPath(path); err != nil {
		return nil, err
	} else if fi.Size() == 0 {
		// The library would try to initialize it, and fail to write.
		return nil, fmt.Errorf("database file %q is empty", path)
	}
	return c.open(path, 0o600, bolt.Options{ReadOnly: true, PreLoadFreelist: freelist})
}

// openWritable opens an existing database for writing.
func (c *cli) openWritable(path string) (*bolt.DB, error) {
	if _, err := checkSourceDBPath(path); err != nil {
		return nil, err
	}
	return c.open(path, 0o600, bolt.Options{})
}

// open is bolt.Open for every command that opens a database: it waits for
// a lock held by another process (a writer, or for a writing command any
// process) at most --timeout, forever if that is 0, and if it has to wait
// it says so on stderr after lockNotice rather than hang silently.
func (c *cli) open(path string, mode os.FileMode, o bolt.Options) (*bolt.DB, error) {
	// A first attempt that fails at once tells whether the lock is held,
	// so that only a wait for it is announced, not a slow open.
	o.Timeout = -1
	db, err := bolt.Open(path, mode, &o)
	if !errors.Is(err, bolt.ErrTimeout) || c.lockTimeout < 0 {
		return db, lockError(path, c.lockTimeout, err)
	}
	// The notice is printed once: by the timer, or, when the wait gave up
	// after lockNotice before the timer's goroutine ran (a loaded machine),
	// by this goroutine, so that a wait that long is always announced.
	var mu sync.Mutex
	opened, noticed := false, false
	say := func() {
		limit := "until it is released (--timeout limits the wait)"
		if c.lockTimeout > 0 {
			limit = fmt.Sprintf("at most %v (--timeout)", c.lockTimeout)
		}
		fmt.Fprintf(c.stderr, "%s is locked by another process: waiting %s\n", path, limit)
		noticed = true
	}
	start := time.Now()
	notice := time.AfterFunc(c.lockNotice, func() {
		mu.Lock()
		defer mu.Unlock()
		if !opened && !noticed {
			say()
		}
	})
	o.Timeout = c.lockTimeout
	db, err = bolt.Open(path, mode, &o)
	notice.Stop()
	mu.Lock()
	if errors.Is(err, bolt.ErrTimeout) && !noticed && time.Since(start) >= c.lockNotice {
		say()
	}
	opened = true
	mu.Unlock()
	return db, lockError(path, c.lockTimeout, err)
}

// lockError names the file and the wait when Open gave up on the lock.
func lockError(path string, timeout time.Duration, err error) error {
	if !errors.Is(err, bolt.ErrTimeout) {
		return err
	}
	if timeout < 0 {
		return fmt.Errorf("%s is locked by another process: %w", path, err)
	}
	return fmt.Errorf("%s is locked by another process: gave up after %v: %w", path, timeout, err)
}

// checkPageSize refuses a --page-size that no database can have, before
// any file is created (the library would create the file, then fail).
// 0 means the default.
func checkPageSize(ps int) error {
	if ps != 0 && (ps < rawpage.MinPageSize || ps > rawpage.MaxPageSize) {
		return usagef("invalid page size %d: a page size is from %d to %d bytes", ps, rawpage.MinPageSize, rawpage.MaxPageSize)
	}
	return nil
}

// findBucket walks a bucket path from the top level.
func findBucket(tx *bolt.Tx, names []string) (*bolt.Bucket, error) {
	b := tx.Bucket([]byte(names[0]))
	if b == nil {
		return nil, bucketNotFound(names[:1])
	}
	for i, name := range names[1:] {
		if b = b.Bucket([]byte(name)); b == nil {
			return nil, bucketNotFound(names[:i+2])
		}
	}
	return b, nil
}

// bucketNotFound is bbolt's "bucket not found", followed by the path of the
// bucket that is missing, each name quoted: "a"/"b".
func bucketNotFound(path []string) error {
	quoted := make([]string, len(path))
	for i, name := range path {
		quoted[i] = strconv.Quote(name)
	}
	return fmt.Errorf("%w: %s", errBucketNotFound, strings.Join(quoted, "/"))
}

// keyNotFound is get's and delete's error for a missing key, as bbolt words it.
func keyNotFound(key []byte) error {
	return fmt.Errorf("Error %w for key: %q hex: \"%x\"", errKeyNotFound, key, key)
}
