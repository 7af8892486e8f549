package bolt

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// panickingFile panics in WriteAt while armed, as a bug in the middle of a
// commit would: after the spill has taken pages from the free list.
type panickingFile struct {
	dataFile
	armed atomic.Bool
}

func (f *panickingFile) WriteAt(b []byte, off int64) (int, error) {
	if f.armed.Load() {
		panic("panickingFile: WriteAt")
	}
	return f.dataFile.WriteAt(b, off)
}

// openWithFreePages opens a new database through a panickingFile, with a
// bucket "b" whose deleted keys left free pages on the free list.
func openWithFreePages(t *testing.T, opts *Options) (*DB, *panickingFile) {
	t.Helper()
	pf := &panickingFile{}
	db, err := open(filepath.Join(t.TempDir(), "db"), 0o600, opts, &seams{
		wrap: func(f *os.File) dataFile { pf.dataFile = osFile{f}; return pf },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 500; i++ {
			if err := b.Put([]byte(fmt.Sprintf("%04d", i)), make([]byte, 100)); err != nil {
				return err
			}
		}
		_, err = tx.CreateBucket([]byte("other"))
		return err
	}))
	require.NoError(t, db.Update(func(tx *Tx) error {
		b := tx.Bucket([]byte("b"))
		for i := 0; i < 400; i++ {
			if err := b.Delete([]byte(fmt.Sprintf("%04d", i))); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("other")).Put([]byte("k"), make([]byte, 2000))
	}))
	// Two empty commits release what the deletes left pending.
	for i := 0; i < 2; i++ {
		require.NoError(t, db.Update(func(*Tx) error { return nil }))
	}
	require.NotZero(t, db.freelist.freeCount())
	return db, pf
}

// putMany is an Update body that makes the commit allocate pages.
func putMany(tx *Tx) error {
	b := tx.Bucket([]byte("b"))
	for i := 0; i < 300; i++ {
		if err := b.Put([]byte(fmt.Sprintf("n%04d", i)), make([]byte, 100)); err != nil {
			return err
		}
	}
	return nil
}

// requireClean commits once more (writing the free list as memory holds
// it) and checks the file, from a writer and from a reader.
func requireClean(t *testing.T, db *DB) {
	t.Helper()
	checkAllOf := func(tx *Tx) error { return errors.Join(tx.checkAll()...) }
	require.NoError(t, db.Update(func(tx *Tx) error {
		if err := checkAllOf(tx); err != nil {
			return err
		}
		return tx.Bucket([]byte("b")).Put([]byte("after"), []byte("x"))
	}))
	require.NoError(t, db.View(checkAllOf))
}

// TestTx_PanicInCommit_RollsBackFreelist: a panic in the middle of a commit,
// after its spill took pages from the free list, rolls the transaction back
// as a failed commit does: the writer lock is released and no page is lost
// (Check finds nothing "unreachable unfreed"). Through Update and through a
// manual Commit.
func TestTx_PanicInCommit_RollsBackFreelist(t *testing.T) {
	t.Run("Update", func(t *testing.T) {
		db, pf := openWithFreePages(t, nil)
		pf.armed.Store(true)
		require.PanicsWithValue(t, "panickingFile: WriteAt", func() { _ = db.Update(putMany) })
		pf.armed.Store(false)
		requireClean(t, db)
	})
	t.Run("Commit", func(t *testing.T) {
		db, pf := openWithFreePages(t, nil)
		tx, err := db.Begin(true)
		require.NoError(t, err)
		require.NoError(t, putMany(tx))
		pf.armed.Store(true)
		require.PanicsWithValue(t, "panickingFile: WriteAt", func() { _ = tx.Commit() })
		pf.armed.Store(false)
		if !db.rwlock.TryLock() {
			db.rwlock.Unlock() // so that the cleanup can close the DB
			t.Fatal("the writer lock was left held")
		}
		db.rwlock.Unlock()
		require.Nil(t, tx.DB(), "the transaction is finished")
		requireClean(t, db)
	})
}

// TestTx_StrictModePanic_RollsBackFreelist: StrictMode's panic (here on a
// live page freed by mistake) leaves the free list as the last commit wrote
// it, pages taken by the spill included.
func TestTx_StrictModePanic_RollsBackFreelist(t *testing.T) {
	db, _ := openWithFreePages(t, nil)
	db.StrictMode = true
	requirePanic := func(fn func()) {
		t.Helper()
		var r any
		func() {
			defer func() { r = recover() }()
			fn()
		}()
		require.NotNil(t, r)
		require.Contains(t, fmt.Sprint(r), "reachable freed")
	}
	requirePanic(func() {
		_ = db.Update(func(tx *Tx) error {
			// A bug that frees a live page: the leaf of "other".
			p, err := tx.page(tx.Bucket([]byte("other")).root)
			if err != nil {
				return err
			}
			if err := tx.db.freelist.free(tx.meta.txid, p); err != nil {
				return err
			}
			return putMany(tx)
		})
	})
	requireClean(t, db)
}

var hugeLeaf = flag.Bool("hugeleaf", false,
	"run TestTx_Commit_LeafOver4GiB: three values of 1,500 MiB in one leaf (about 11 GiB resident, mapped file pages included, and 4.5 GiB of disk)")

// commitLeafValues commits values of the given sizes under keys "a", "b", ...
// of one bucket, in one Update, reopens the database and checks every value
// and the file.
func commitLeafValues(t *testing.T, opts *Options, sizes []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, 0o600, opts)
	require.NoError(t, err)
	big := make([]byte, slices.Max(sizes))
	for i := range big {
		big[i] = byte(i * 7)
	}
	key := func(i int) []byte { return []byte{byte('a' + i)} }
	require.NoError(t, db.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i, sz := range sizes {
			if err := b.Put(key(i), big[:sz]); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())

	db, err = Open(path, 0o600, opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.NoError(t, db.View(func(tx *Tx) error {
		b := tx.Bucket([]byte("b"))
		for i, sz := range sizes {
			v := b.Get(key(i))
			require.Len(t, v, sz, "key %s", key(i))
			require.True(t, bytes.Equal(big[:sz], v), "key %s", key(i))
		}
		n := 0
		require.NoError(t, b.ForEach(func(k, _ []byte) error {
			require.Equal(t, key(n), k)
			n++
			return nil
		}))
		require.Equal(t, len(sizes), n)
		require.GreaterOrEqual(t, b.Stats().LeafPageN, 2, "the leaf was split")
		return errors.Join(tx.checkAll()...)
	}))
}

// TestTx_Commit_LeafOverOffsetLimit: element offsets are uint32 distances;
// a leaf whose offsets would pass the limit is split before it is written,
// though it has only four elements. The limit is lowered to 64 KiB here
// (TestTx_Commit_LeafOver4GiB runs the real one), so three values of 40 KiB
// and a small one reach it.
func TestTx_Commit_LeafOverOffsetLimit(t *testing.T) {
	old := maxElementOffset
	maxElementOffset = 64 << 10
	defer func() { maxElementOffset = old }()
	commitLeafValues(t, &Options{PageSize: 4096, NoSync: true}, []int{40 << 10, 40 << 10, 40 << 10, 10})
}

// TestTx_Commit_LeafOver4GiB is the reproduction at the real limit:
// three values of 1,500 MiB and a small one in one leaf. Without the split
// the small key's offset wrapped and it read back as nil. It needs about
// 11 GiB resident (the mapped file included), so it runs only with
// -hugeleaf.
func TestTx_Commit_LeafOver4GiB(t *testing.T) {
	if !*hugeLeaf {
		t.Skip("needs -hugeleaf (about 11 GiB resident)")
	}
	if strconv.IntSize < 64 {
		t.Skip("a 4 GiB leaf cannot be mapped on a 32-bit platform")
	}
	const mib = 1 << 20
	commitLeafValues(t, &Options{NoSync: true}, []int{1500 * mib, 1500 * mib, 1500 * mib, 10})
}
