// Command bboltprog is a program written for go.etcd.io/bbolt, and only
// for it: it imports bbolt's two public packages by their own paths, the
// root one without an import name (so it writes bbolt.Open), and checks
// what a bbolt user relies on: the Options fields, the error values
// compared with == and errors.Is through both packages, transactions,
// buckets, cursors, Batch, Stats, Check, Compact, MoveBucket, copies and
// read-only opens.
//
// bench/compat builds and runs it twice, unchanged: against the real bbolt
// and against bolt after the migration step of bolt's README. Each run must
// print "ok" and exit 0, and the two transcripts (its other output) must be
// equal.
//
// Usage: bboltprog DIR (an empty directory for its files).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var failures int

// check records a failed expectation; the program exits 1 at the end if
// there was any.
func check(ok bool, format string, args ...any) {
	if !ok {
		failures++
		fmt.Printf("FAIL: "+format+"\n", args...)
	}
}

// same checks that err is want by every comparison a bbolt user writes:
// == and errors.Is, against the root package's value and the errors
// package's.
func same(what string, err, rootErr, pkgErr error) {
	check(err != nil, "%s: no error, want %v", what, pkgErr)
	check(err == rootErr, "%s: err == bbolt value failed (%v)", what, err)
	check(err == pkgErr, "%s: err == errors package value failed (%v)", what, err)
	check(errors.Is(err, rootErr), "%s: errors.Is(err, bbolt value) failed", what)
	check(errors.Is(err, pkgErr), "%s: errors.Is(err, errors package value) failed", what)
	wrapped := fmt.Errorf("wrapped: %w", err)
	check(errors.Is(wrapped, pkgErr), "%s: errors.Is through a wrap failed", what)
	transcript("%s: %v", what, err)
}

// transcript prints a line that must be the same against bbolt and bolt.
func transcript(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// quietLogger implements bbolt.Logger with every method, as a client's own
// logger would; it counts the calls.
type quietLogger struct {
	mu    sync.Mutex
	calls int
}

func (l *quietLogger) count()                            { l.mu.Lock(); l.calls++; l.mu.Unlock() }
func (l *quietLogger) Debug(v ...interface{})            { l.count() }
func (l *quietLogger) Debugf(f string, v ...interface{}) { l.count() }
func (l *quietLogger) Error(v ...interface{})            { l.count() }
func (l *quietLogger) Errorf(f string, v ...interface{}) { l.count() }
func (l *quietLogger) Info(v ...interface{})             { l.count() }
func (l *quietLogger) Infof(f string, v ...interface{})  { l.count() }
func (l *quietLogger) Warning(v ...interface{})          { l.count() }
func (l *quietLogger) Warningf(f string, v ...interface{}) {
	l.count()
}
func (l *quietLogger) Fatal(v ...interface{})            { l.count(); os.Exit(3) }
func (l *quietLogger) Fatalf(f string, v ...interface{}) { l.count(); os.Exit(3) }
func (l *quietLogger) Panic(v ...interface{})            { l.count(); panic(fmt.Sprint(v...)) }
func (l *quietLogger) Panicf(f string, v ...interface{}) { l.count(); panic(fmt.Sprintf(f, v...)) }

// Values of bbolt's function and interface types, spelled with bbolt's
// names: they compile only if the types are bbolt's.
var (
	_ func(string, os.FileMode, *bbolt.Options) (*bbolt.DB, error) = bbolt.Open
	_ func(*bbolt.DB, *bbolt.DB, int64) error                      = bbolt.Compact
	_ func(bbolt.KVStringer) bbolt.CheckOption                     = bbolt.WithKVStringer
	_ bbolt.Logger                                                 = (*quietLogger)(nil)
	_ bbolt.Logger                                                 = &bbolt.DefaultLogger{}
	_ io.WriterTo                                                  = (*bbolt.Tx)(nil)
	_ fmt.Stringer                                                 = (*bbolt.DB)(nil)
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: bboltprog DIR")
	}
	dir := os.Args[1]
	run(dir)
	if failures > 0 {
		fmt.Printf("%d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("ok")
}

func must(err error) {
	if err != nil {
		log.Fatalf("unexpected error: %v", err)
	}
}

func run(dir string) {
	path := filepath.Join(dir, "my.db")
	logger := &quietLogger{}
	opts := &bbolt.Options{
		Timeout:         time.Second,
		NoGrowSync:      false,
		NoFreelistSync:  true,
		PreLoadFreelist: true,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: 1 << 20,
		PageSize:        4096,
		MaxSize:         0,
		NoSync:          false,
		Mlock:           false,
		Logger:          logger,
		NoStatistics:    false,
		OpenFile:        os.OpenFile,
	}
	db, err := bbolt.Open(path, 0o600, opts)
	must(err)
	check(db.Path() == path, "Path() = %q", db.Path())
	check(!db.IsReadOnly(), "IsReadOnly on a writable DB")
	check(db.Info().PageSize == 4096, "Info().PageSize = %d", db.Info().PageSize)
	check(db.FreelistType == bbolt.FreelistMapType, "FreelistType = %q", db.FreelistType)
	check(db.NoFreelistSync, "NoFreelistSync not copied to the DB")
	check(db.String() != "" && db.GoString() != "", "String/GoString empty")
	check(db.Logger() != nil, "Logger() is nil")
	check(bbolt.DefaultFillPercent == 0.5, "DefaultFillPercent = %v", bbolt.DefaultFillPercent)
	transcript("MaxKeySize=%d MaxValueSize=%d FreelistArrayType=%s", bbolt.MaxKeySize, bbolt.MaxValueSize, bbolt.FreelistArrayType)

	// A second Open of the locked file times out.
	_, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 50 * time.Millisecond})
	same("open locked", err, bbolt.ErrTimeout, berrors.ErrTimeout)

	// Writes, nested buckets, sequences, OnCommit.
	committed := false
	must(db.Update(func(tx *bbolt.Tx) error {
		check(tx.Writable(), "Update tx not writable")
		check(tx.DB() == db, "tx.DB() is another DB")
		tx.OnCommit(func() { committed = true })
		widgets, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		widgets.FillPercent = 0.9
		for i := 0; i < 500; i++ {
			if err := widgets.Put([]byte(fmt.Sprintf("key-%04d", i)), []byte(fmt.Sprintf("value-%d", i))); err != nil {
				return err
			}
		}
		_, err = tx.CreateBucket([]byte("widgets"))
		same("CreateBucket twice", err, bbolt.ErrBucketExists, berrors.ErrBucketExists)
		_, err = tx.CreateBucket(nil)
		same("CreateBucket nil", err, bbolt.ErrBucketNameRequired, berrors.ErrBucketNameRequired)
		same("Put empty key", widgets.Put(nil, []byte("x")), bbolt.ErrKeyRequired, berrors.ErrKeyRequired)
		same("Put huge key", widgets.Put(make([]byte, bbolt.MaxKeySize+1), nil), bbolt.ErrKeyTooLarge, berrors.ErrKeyTooLarge)
		_, err = widgets.CreateBucket([]byte("key-0001"))
		same("CreateBucket over a key", err, bbolt.ErrIncompatibleValue, berrors.ErrIncompatibleValue)
		same("DeleteBucket missing", tx.DeleteBucket([]byte("nope")), bbolt.ErrBucketNotFound, berrors.ErrBucketNotFound)

		users, err := tx.CreateBucketIfNotExists([]byte("users"))
		if err != nil {
			return err
		}
		for _, name := range []string{"alice", "bob"} {
			u, err := users.CreateBucketIfNotExists([]byte(name))
			if err != nil {
				return err
			}
			for i := 0; i < 3; i++ {
				id, err := u.NextSequence()
				if err != nil {
					return err
				}
				if err := u.Put([]byte(fmt.Sprintf("event-%08d", id)), []byte("login")); err != nil {
					return err
				}
			}
		}
		same("Delete of a bucket key", users.Delete([]byte("alice")), bbolt.ErrIncompatibleValue, berrors.ErrIncompatibleValue)
		return users.Bucket([]byte("bob")).SetSequence(100)
	}))
	check(committed, "OnCommit callback not run")

	// Reads: Get, cursors both ways, Seek, ForEach, ForEachBucket.
	must(db.View(func(tx *bbolt.Tx) error {
		check(!tx.Writable(), "View tx writable")
		w := tx.Bucket([]byte("widgets"))
		transcript("get key-0042 = %s", w.Get([]byte("key-0042")))
		check(w.Get([]byte("missing")) == nil, "Get of a missing key is not nil")
		same("Put in View", w.Put([]byte("a"), []byte("b")), bbolt.ErrTxNotWritable, berrors.ErrTxNotWritable)
		_, err := tx.CreateBucket([]byte("x"))
		same("CreateBucket in View", err, bbolt.ErrTxNotWritable, berrors.ErrTxNotWritable)

		c := w.Cursor()
		check(c.Bucket() == w, "Cursor.Bucket is another bucket")
		k, v := c.First()
		transcript("first %s=%s", k, v)
		k, v = c.Last()
		transcript("last %s=%s", k, v)
		k, _ = c.Prev()
		transcript("prev %s", k)
		n := 0
		prefix := []byte("key-01")
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		transcript("seek %s: %d keys", prefix, n)
		count := 0
		must(w.ForEach(func(k, v []byte) error { count++; return nil }))
		transcript("ForEach widgets: %d", count)

		users := tx.Bucket([]byte("users"))
		must(users.ForEachBucket(func(k []byte) error {
			b := users.Bucket(k)
			transcript("user %s: sequence %d, %d keys", k, b.Sequence(), b.Stats().KeyN)
			return nil
		}))
		must(tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			transcript("bucket %s writable=%v", name, b.Writable())
			return nil
		}))
		st := w.Stats()
		transcript("widgets stats: KeyN=%d Depth=%d BranchPageN=%d LeafPageN=%d InlineBucketN=%d",
			st.KeyN, st.Depth, st.BranchPageN, st.LeafPageN, st.InlineBucketN)
		var s bbolt.BucketStructure = tx.Inspect()
		transcript("inspect: %d children", len(s.Children))
		check(tx.Size() > 0 && tx.ID() > 0, "Size %d, ID %d", tx.Size(), tx.ID())
		return nil
	}))

	// Cursor.Delete, DeleteBucket, rollback by error.
	errStop := errors.New("stop")
	err = db.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte("widgets")).Put([]byte("rolled-back"), []byte("x")); err != nil {
			return err
		}
		return errStop
	})
	check(err == errStop, "Update returned %v, want the function's error", err)
	must(db.Update(func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte("widgets")).Cursor()
		for k, _ := c.Seek([]byte("key-04")); k != nil; k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("users")).DeleteBucket([]byte("alice"))
	}))
	must(db.View(func(tx *bbolt.Tx) error {
		w := tx.Bucket([]byte("widgets"))
		check(w.Get([]byte("rolled-back")) == nil, "a rolled-back Put is visible")
		transcript("after deletes: %d keys, alice=%v", w.Stats().KeyN, tx.Bucket([]byte("users")).Bucket([]byte("alice")) != nil)
		return nil
	}))

	// Manual transactions and closed ones.
	tx, err := db.Begin(true)
	must(err)
	_, err = tx.CreateBucket([]byte("manual"))
	must(err)
	must(tx.Commit())
	same("Commit twice", tx.Commit(), bbolt.ErrTxClosed, berrors.ErrTxClosed)
	same("Rollback after Commit", tx.Rollback(), bbolt.ErrTxClosed, berrors.ErrTxClosed)

	// MoveBucket: ok, then the two errors only package errors names.
	must(db.Update(func(tx *bbolt.Tx) error {
		users := tx.Bucket([]byte("users"))
		if err := tx.MoveBucket([]byte("bob"), users, nil); err != nil {
			return err
		}
		check(tx.Bucket([]byte("bob")) != nil && users.Bucket([]byte("bob")) == nil, "MoveBucket did not move bob")
		if _, err := users.CreateBucket([]byte("carol")); err != nil {
			return err
		}
		err := users.MoveBucket([]byte("carol"), users)
		check(err == berrors.ErrSameBuckets && errors.Is(err, berrors.ErrSameBuckets), "MoveBucket into its own parent: %v", err)
		transcript("MoveBucket into its own parent: %v", err)

		other, err := bbolt.Open(filepath.Join(dir, "other.db"), 0o600, nil)
		if err != nil {
			return err
		}
		defer other.Close()
		otx, err := other.Begin(true)
		if err != nil {
			return err
		}
		defer otx.Rollback()
		ob, err := otx.CreateBucket([]byte("elsewhere"))
		if err != nil {
			return err
		}
		err = users.MoveBucket([]byte("carol"), ob)
		check(err == berrors.ErrDifferentDB && errors.Is(err, berrors.ErrDifferentDB), "MoveBucket to another DB: %v", err)
		transcript("MoveBucket to another DB: %v", err)
		return nil
	}))

	// Batch from many goroutines.
	var wg sync.WaitGroup
	batchErrs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			batchErrs <- db.Batch(func(tx *bbolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists([]byte("batch"))
				if err != nil {
					return err
				}
				return b.Put([]byte(fmt.Sprintf("g%02d", i)), []byte("x"))
			})
		}(i)
	}
	wg.Wait()
	close(batchErrs)
	for err := range batchErrs {
		must(err)
	}
	must(db.View(func(tx *bbolt.Tx) error {
		transcript("batch keys: %d", tx.Bucket([]byte("batch")).Stats().KeyN)
		return nil
	}))

	// Stats and TxStats.
	before := db.Stats()
	must(db.View(func(tx *bbolt.Tx) error {
		var ts bbolt.TxStats = tx.Stats()
		check(ts.GetPageCount() >= 0 && ts.GetCursorCount() >= 0, "TxStats getters")
		return nil
	}))
	after := db.Stats()
	diff := after.Sub(&before)
	check(diff.TxN >= 1, "Stats.Sub: TxN %d after one View", diff.TxN)
	check(after.FreePageN >= 0 && after.OpenTxN == 0, "Stats: FreePageN %d, OpenTxN %d", after.FreePageN, after.OpenTxN)

	// Check, with bbolt's check options.
	must(db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check(bbolt.WithKVStringer(bbolt.HexKVStringer())) {
			check(false, "Check: %v", err)
		}
		return nil
	}))

	// Copies: WriteTo a buffer and CopyFile, both open and read back.
	var buf bytes.Buffer
	must(db.View(func(tx *bbolt.Tx) error {
		n, err := tx.WriteTo(&buf)
		check(err == nil && n == int64(buf.Len()) && n == tx.Size(), "WriteTo: n=%d len=%d size=%d err=%v", n, buf.Len(), tx.Size(), err)
		return tx.CopyFile(filepath.Join(dir, "copy.db"), 0o600)
	}))
	must(os.WriteFile(filepath.Join(dir, "buf.db"), buf.Bytes(), 0o600))
	for _, name := range []string{"copy.db", "buf.db"} {
		cdb, err := bbolt.Open(filepath.Join(dir, name), 0o600, &bbolt.Options{ReadOnly: true})
		must(err)
		check(cdb.IsReadOnly(), "%s: ReadOnly open not read-only", name)
		must(cdb.View(func(tx *bbolt.Tx) error {
			transcript("%s: key-0042 = %s", name, tx.Bucket([]byte("widgets")).Get([]byte("key-0042")))
			return nil
		}))
		err = cdb.Update(func(tx *bbolt.Tx) error { return nil })
		same(name+": Update on a read-only DB", err, bbolt.ErrDatabaseReadOnly, berrors.ErrDatabaseReadOnly)
		_, err = cdb.Begin(true)
		same(name+": Begin(true) on a read-only DB", err, bbolt.ErrDatabaseReadOnly, berrors.ErrDatabaseReadOnly)
		must(cdb.Close())
	}

	// Compact into a new file.
	dst, err := bbolt.Open(filepath.Join(dir, "compact.db"), 0o600, nil)
	must(err)
	must(bbolt.Compact(dst, db, 1<<16))
	must(dst.View(func(tx *bbolt.Tx) error {
		transcript("compacted: widgets %d keys, batch %d keys", tx.Bucket([]byte("widgets")).Stats().KeyN, tx.Bucket([]byte("batch")).Stats().KeyN)
		return nil
	}))
	must(dst.Close())

	must(db.Sync())
	must(db.Close())
	_, err = db.Begin(false)
	same("Begin on a closed DB", err, bbolt.ErrDatabaseNotOpen, berrors.ErrDatabaseNotOpen)

	// MaxSize: a commit that would grow the file past it fails.
	small, err := bbolt.Open(filepath.Join(dir, "small.db"), 0o600, &bbolt.Options{MaxSize: 1 << 20, InitialMmapSize: 1 << 16})
	must(err)
	err = small.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("big"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), make([]byte, 4<<20))
	})
	check(err == berrors.ErrMaxSizeReached && errors.Is(err, berrors.ErrMaxSizeReached), "MaxSize: %v, want ErrMaxSizeReached", err)
	transcript("MaxSize exceeded: %v", err)
	must(small.Close())

	// DefaultOptions: assigning a new value changes what Open(nil) does.
	saved := bbolt.DefaultOptions
	bbolt.DefaultOptions = &bbolt.Options{PageSize: 8192}
	odd, err := bbolt.Open(filepath.Join(dir, "default.db"), 0o600, nil)
	bbolt.DefaultOptions = saved
	must(err)
	transcript("Open(nil) with DefaultOptions{PageSize: 8192}: page size %d", odd.Info().PageSize)
	must(odd.Close())

	checkErrorIdentity()
	checkUnnamedErrors()
}

// checkErrorIdentity: each root value is the errors package's value.
func checkErrorIdentity() {
	for _, p := range []struct {
		name        string
		root, inPkg error
	}{
		{"ErrDatabaseNotOpen", bbolt.ErrDatabaseNotOpen, berrors.ErrDatabaseNotOpen},
		{"ErrInvalid", bbolt.ErrInvalid, berrors.ErrInvalid},
		{"ErrInvalidMapping", bbolt.ErrInvalidMapping, berrors.ErrInvalidMapping},
		{"ErrVersionMismatch", bbolt.ErrVersionMismatch, berrors.ErrVersionMismatch},
		{"ErrChecksum", bbolt.ErrChecksum, berrors.ErrChecksum},
		{"ErrTimeout", bbolt.ErrTimeout, berrors.ErrTimeout},
		{"ErrTxNotWritable", bbolt.ErrTxNotWritable, berrors.ErrTxNotWritable},
		{"ErrTxClosed", bbolt.ErrTxClosed, berrors.ErrTxClosed},
		{"ErrDatabaseReadOnly", bbolt.ErrDatabaseReadOnly, berrors.ErrDatabaseReadOnly},
		{"ErrFreePagesNotLoaded", bbolt.ErrFreePagesNotLoaded, berrors.ErrFreePagesNotLoaded},
		{"ErrBucketNotFound", bbolt.ErrBucketNotFound, berrors.ErrBucketNotFound},
		{"ErrBucketExists", bbolt.ErrBucketExists, berrors.ErrBucketExists},
		{"ErrBucketNameRequired", bbolt.ErrBucketNameRequired, berrors.ErrBucketNameRequired},
		{"ErrKeyRequired", bbolt.ErrKeyRequired, berrors.ErrKeyRequired},
		{"ErrKeyTooLarge", bbolt.ErrKeyTooLarge, berrors.ErrKeyTooLarge},
		{"ErrValueTooLarge", bbolt.ErrValueTooLarge, berrors.ErrValueTooLarge},
		{"ErrIncompatibleValue", bbolt.ErrIncompatibleValue, berrors.ErrIncompatibleValue},
	} {
		check(p.root != nil && p.root == p.inPkg, "bbolt.%s != errors.%s", p.name, p.name)
		transcript("%s: %q", p.name, p.inPkg.Error())
	}
	for _, e := range []error{berrors.ErrMaxSizeReached, berrors.ErrSameBuckets, berrors.ErrDifferentDB} {
		transcript("errors only: %q", e.Error())
	}
}
