package bolt_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// testDB is an open database owned by one test. Its cleanup checks the file
// for consistency and closes it, unless the test closed it already.
type testDB struct {
	*bolt.DB
	tb   testing.TB
	path string
	opts *bolt.Options
}

// mustOpenDB opens a new database in a fresh temporary directory.
func mustOpenDB(tb testing.TB, opts *bolt.Options) *testDB {
	tb.Helper()
	return mustOpenDBAt(tb, filepath.Join(tb.TempDir(), "db"), opts)
}

// mustOpenDBAt opens (creating if needed) the database at path.
func mustOpenDBAt(tb testing.TB, path string, opts *bolt.Options) *testDB {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, opts)
	require.NoError(tb, err, "open %s", path)
	tdb := &testDB{DB: db, tb: tb, path: path, opts: opts}
	tb.Cleanup(tdb.cleanup)
	return tdb
}

func (db *testDB) cleanup() {
	db.tb.Helper()
	err := db.View(func(tx *bolt.Tx) error {
		return checkTx(tx)
	})
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return // the test closed it
	}
	if err != nil {
		db.tb.Errorf("consistency check of %s: %v", db.path, err)
	}
	if err := db.Close(); err != nil {
		db.tb.Errorf("close %s: %v", db.path, err)
	}
}

// MustClose closes the database and fails the test on error.
func (db *testDB) MustClose() {
	db.tb.Helper()
	require.NoError(db.tb, db.Close())
}

// MustReopen closes the database (if open) and opens it again with the
// options it was first opened with.
func (db *testDB) MustReopen() {
	db.tb.Helper()
	db.MustReopenWith(db.opts)
}

// MustReopenWith closes the database (if open) and opens it again with opts,
// which become the options for later reopens.
func (db *testDB) MustReopenWith(opts *bolt.Options) {
	db.tb.Helper()
	require.NoError(db.tb, db.Close())
	ndb, err := bolt.Open(db.path, 0o600, opts)
	require.NoError(db.tb, err, "reopen %s", db.path)
	db.DB = ndb
	db.opts = opts
}

// closedFileSize returns the size the database's file has once it is
// closed. Everywhere but on Windows that is its size now. On Windows the
// mapping stretches the file to the mapping size while the database is open
// (as bbolt's does) and Close truncates it back to the size it would have
// elsewhere; there the database is closed, measured and reopened with its
// options.
func (db *testDB) closedFileSize() int64 {
	db.tb.Helper()
	if runtime.GOOS != "windows" {
		return fileSize(db.tb, db.path)
	}
	db.MustClose()
	size := fileSize(db.tb, db.path)
	db.MustReopen()
	return size
}

// openHighInitialMmap opens a new database at path with opts, whose
// InitialMmapSize is larger than its MaxSize. On Windows a writable mapping
// stretches the file to the mapping size, so Open refuses such a mapping
// with ErrMaxSizeReached, as bbolt's does: there it checks the refusal and
// the file it leaves (a valid database no larger than MaxSize, not held
// open) and returns nil.
func openHighInitialMmap(tb testing.TB, path string, opts *bolt.Options) *testDB {
	tb.Helper()
	require.Greater(tb, opts.InitialMmapSize, opts.MaxSize)
	if runtime.GOOS != "windows" {
		return mustOpenDBAt(tb, path, opts)
	}
	db, err := bolt.Open(path, 0o600, opts)
	if err == nil {
		_ = db.Close()
	}
	requireErrIs(tb, berrors.ErrMaxSizeReached, err)
	require.LessOrEqual(tb, fileSize(tb, path), int64(opts.MaxSize), "the refused Open stretched the file")
	// Windows renames no file that has a handle open.
	moved := path + ".moved"
	require.NoError(tb, os.Rename(path, moved), "the refused Open left the file open")
	o := *opts
	o.InitialMmapSize = 0
	mustCheck(tb, mustOpenDBAt(tb, moved, &o).DB)
	return nil
}

// checkTx runs the consistency check in tx and joins every error it reports.
func checkTx(tx *bolt.Tx) error {
	var errs []error
	for err := range tx.Check() {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// mustCheck fails the test if the consistency check reports anything.
func mustCheck(tb testing.TB, db *bolt.DB) {
	tb.Helper()
	require.NoError(tb, db.View(checkTx))
}

// fileSize returns the size of the file at path.
func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	fi, err := os.Stat(path)
	require.NoError(tb, err)
	return fi.Size()
}

// u64key encodes i big-endian, so numeric order is key order.
func u64key(i uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, i)
	return k
}

// patterned returns n bytes that depend on seed and position, so that a
// misplaced or truncated chunk of a large value is noticed.
func patterned(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ byte(i>>8) ^ seed
	}
	return b
}

// requirePanicContains runs fn and fails unless it panics with a value whose
// text contains want.
func requirePanicContains(tb testing.TB, want string, fn func()) {
	tb.Helper()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		fn()
	}()
	require.NotNil(tb, recovered, "expected a panic containing %q", want)
	require.Contains(tb, fmt.Sprint(recovered), want)
}
