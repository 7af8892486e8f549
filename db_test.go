package bolt_test

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// Byte offsets inside a meta page (page header, then the meta struct).
// The format is written in native byte order.
const (
	offPageID       = 0
	offPageFlags    = 8
	offPageCount    = 10
	offPageOverflow = 12
	offMetaMagic    = 16
	offMetaVersion  = 20
	offMetaPageSize = 24
	offMetaFlags    = 28
	offMetaRoot     = 32
	offMetaSequence = 40
	offMetaFreelist = 48
	offMetaPgid     = 56
	offMetaTxid     = 64
	offMetaChecksum = 72

	metaMagic  = 0xED0CDAED
	pageFlagLf = 0x02
	pageFlagMt = 0x04
	pageFlagFL = 0x10
	noFreelist = ^uint64(0)
)

var ne = binary.NativeEndian

func isLittleEndian() bool { return ne.Uint16([]byte{1, 0}) == 1 }

// metaFields is the decoded content of a meta page.
type metaFields struct {
	ID                       uint64
	Flags                    uint16
	Magic, Version, PageSize uint32
	MetaFlags                uint32
	Root, Sequence           uint64
	Freelist, Pgid, Txid     uint64
	Checksum                 uint64
}

func readMeta(page []byte) metaFields {
	return metaFields{
		ID:        ne.Uint64(page[offPageID:]),
		Flags:     ne.Uint16(page[offPageFlags:]),
		Magic:     ne.Uint32(page[offMetaMagic:]),
		Version:   ne.Uint32(page[offMetaVersion:]),
		PageSize:  ne.Uint32(page[offMetaPageSize:]),
		MetaFlags: ne.Uint32(page[offMetaFlags:]),
		Root:      ne.Uint64(page[offMetaRoot:]),
		Sequence:  ne.Uint64(page[offMetaSequence:]),
		Freelist:  ne.Uint64(page[offMetaFreelist:]),
		Pgid:      ne.Uint64(page[offMetaPgid:]),
		Txid:      ne.Uint64(page[offMetaTxid:]),
		Checksum:  ne.Uint64(page[offMetaChecksum:]),
	}
}

// metaChecksum is FNV-1a 64 over the meta struct up to the checksum field.
func metaChecksum(page []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(page[offMetaMagic:offMetaChecksum])
	return h.Sum64()
}

// writeMeta fills page with a meta page for m, computing the checksum.
func writeMeta(page []byte, m metaFields) {
	ne.PutUint64(page[offPageID:], m.ID)
	ne.PutUint16(page[offPageFlags:], pageFlagMt)
	ne.PutUint32(page[offMetaMagic:], metaMagic)
	ne.PutUint32(page[offMetaVersion:], 2)
	ne.PutUint32(page[offMetaPageSize:], m.PageSize)
	ne.PutUint64(page[offMetaRoot:], m.Root)
	ne.PutUint64(page[offMetaSequence:], m.Sequence)
	ne.PutUint64(page[offMetaFreelist:], m.Freelist)
	ne.PutUint64(page[offMetaPgid:], m.Pgid)
	ne.PutUint64(page[offMetaTxid:], m.Txid)
	ne.PutUint64(page[offMetaChecksum:], metaChecksum(page))
}

// createClosedDB creates a database with the given page size (0: default),
// closes it and returns its path.
func createClosedDB(tb testing.TB, pageSize int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: pageSize})
	require.NoError(tb, err)
	require.NoError(tb, db.Close())
	return path
}

// editFile applies edit to the whole content of the file at path.
func editFile(tb testing.TB, path string, edit func(buf []byte) []byte) {
	tb.Helper()
	buf, err := os.ReadFile(path)
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(path, edit(buf), 0o600))
}

func TestOpen_Errors(t *testing.T) {
	ps := os.Getpagesize()
	tests := []struct {
		name  string
		path  func(t *testing.T) string
		check func(t *testing.T, err error)
	}{
		{
			name: "EmptyPath",
			path: func(t *testing.T) string { return "" },
			check: func(t *testing.T, err error) {
				require.Error(t, err)
			},
		},
		{
			name: "MissingParentDir",
			path: func(t *testing.T) string {
				return filepath.Join(t.TempDir(), "no", "such", "dir", "db")
			},
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, os.ErrNotExist)
			},
		},
		{
			name: "NotABoltFile",
			path: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "db")
				require.NoError(t, os.WriteFile(path, []byte("this is not a bolt database\n"), 0o600))
				return path
			},
			check: func(t *testing.T, err error) {
				require.True(t, err == berrors.ErrInvalid, "got %v", err)
			},
		},
		{
			name: "BothMetasBadVersion",
			path: func(t *testing.T) string {
				path := createClosedDB(t, 0)
				editFile(t, path, func(buf []byte) []byte {
					for _, p := range []int{0, ps} {
						ne.PutUint32(buf[p+offMetaVersion:], ne.Uint32(buf[p+offMetaVersion:])+1)
					}
					return buf
				})
				return path
			},
			check: func(t *testing.T, err error) {
				require.True(t, err == berrors.ErrVersionMismatch, "got %v", err)
			},
		},
		{
			name: "BothMetasBadChecksum",
			path: func(t *testing.T) string {
				path := createClosedDB(t, 0)
				editFile(t, path, func(buf []byte) []byte {
					for _, p := range []int{0, ps} {
						ne.PutUint64(buf[p+offMetaPgid:], ne.Uint64(buf[p+offMetaPgid:])+1)
					}
					return buf
				})
				return path
			},
			check: func(t *testing.T, err error) {
				require.True(t, err == berrors.ErrChecksum, "got %v", err)
			},
		},
		{
			// With both metas invalid, meta 0's reason is the one reported.
			name: "Meta0BadVersionMeta1BadChecksum",
			path: func(t *testing.T) string {
				path := createClosedDB(t, 0)
				editFile(t, path, func(buf []byte) []byte {
					ne.PutUint32(buf[offMetaVersion:], 3)
					ne.PutUint64(buf[ps+offMetaPgid:], 99)
					return buf
				})
				return path
			},
			check: func(t *testing.T, err error) {
				require.True(t, err == berrors.ErrVersionMismatch, "got %v", err)
			},
		},
		{
			name: "Meta0BadChecksumMeta1BadVersion",
			path: func(t *testing.T) string {
				path := createClosedDB(t, 0)
				editFile(t, path, func(buf []byte) []byte {
					ne.PutUint64(buf[offMetaPgid:], 99)
					ne.PutUint32(buf[ps+offMetaVersion:], 3)
					return buf
				})
				return path
			},
			check: func(t *testing.T, err error) {
				require.True(t, err == berrors.ErrChecksum, "got %v", err)
			},
		},
		{
			name: "TruncatedToOnePage",
			path: func(t *testing.T) string {
				path := createClosedDB(t, 0)
				require.NoError(t, os.Truncate(path, int64(ps)))
				return path
			},
			check: func(t *testing.T, err error) {
				require.Error(t, err)
				require.Contains(t, err.Error(), "file size too small")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := bolt.Open(tt.path(t), 0o600, &bolt.Options{Timeout: time.Second})
			if err == nil {
				_ = db.Close()
			}
			assert.Nil(t, db)
			tt.check(t, err)
		})
	}
}

func TestOpen_Meta0Corrupted_PageSizeFromMeta1(t *testing.T) {
	sizes := []int{0, 512} // 0: the OS page size, reopened with nil options
	maxShift := 6          // 1 KiB .. 64 KiB
	if !testing.Short() {
		maxShift = 14 // .. 16 MiB
	}
	for i := 0; i <= maxShift; i++ {
		sizes = append(sizes, 1024<<i)
	}
	for _, size := range sizes {
		t.Run(fmt.Sprintf("pageSize=%d", size), func(t *testing.T) {
			path := createClosedDB(t, size)
			want := size
			if want == 0 {
				want = os.Getpagesize()
			}
			editFile(t, path, func(buf []byte) []byte {
				ne.PutUint64(buf[offMetaPgid:], ne.Uint64(buf[offMetaPgid:])+1)
				return buf
			})
			db := mustOpenDBAt(t, path, nil)
			require.Equal(t, want, db.Info().PageSize)
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				assert.Equal(t, 1, tx.ID(), "meta 1 must be the active meta")
				return nil
			}))
		})
	}
}

func TestOpen_Meta0BadMagic_UsesMeta1(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		return b.Put([]byte("k"), []byte("v1"))
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).Put([]byte("k"), []byte("v2"))
	}))
	db.MustClose()

	// txid 3 lives in meta 1 and txid 2 in meta 0; spoil meta 1 and the
	// previous commit must be what the reopened database shows.
	ps := os.Getpagesize()
	editFile(t, db.path, func(buf []byte) []byte {
		require.Equal(t, uint64(3), ne.Uint64(buf[ps+offMetaTxid:]))
		ne.PutUint32(buf[ps+offMetaMagic:], 0xDEADBEEF)
		return buf
	})
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		assert.Equal(t, 2, tx.ID())
		assert.Equal(t, []byte("v1"), tx.Bucket([]byte("b")).Get([]byte("k")))
		return nil
	}))
}

func TestOpen_ReadOnly_MissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Nil(t, db)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "a read-only open must not create the file")
}

func TestOpen_ReadOnly(t *testing.T) {
	rw := mustOpenDB(t, nil)
	require.NoError(t, rw.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		require.NoError(t, err)
		return b.Put([]byte("foo"), []byte("bar"))
	}))
	rw.MustClose()
	before, err := os.ReadFile(rw.path)
	require.NoError(t, err)

	db := mustOpenDBAt(t, rw.path, &bolt.Options{ReadOnly: true})
	require.True(t, db.IsReadOnly())
	// A second read-only handle takes a shared lock too, so it does not wait.
	db2 := mustOpenDBAt(t, rw.path, &bolt.Options{ReadOnly: true, Timeout: 100 * time.Millisecond})

	tx, err := db.Begin(true)
	require.True(t, err == berrors.ErrDatabaseReadOnly, "Begin(true): %v", err)
	require.Nil(t, tx)
	err = db.Update(func(*bolt.Tx) error {
		t.Error("Update must not run its function on a read-only DB")
		return nil
	})
	require.True(t, err == berrors.ErrDatabaseReadOnly, "Update: %v", err)

	for _, d := range []*testDB{db, db2} {
		require.NoError(t, d.View(func(tx *bolt.Tx) error {
			require.Equal(t, []byte("bar"), tx.Bucket([]byte("widgets")).Get([]byte("foo")))
			return nil
		}))
		mustCheck(t, d.DB)
		d.MustClose()
	}

	after, err := os.ReadFile(rw.path)
	require.NoError(t, err)
	require.Equal(t, sha256.Sum256(before), sha256.Sum256(after), "read-only use changed the file")
}

func TestOpen_Reopen_DoesNotGrowFile(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoSync: true})
	ps := int64(db.Info().PageSize)
	val := make([]byte, 1000)
	for txn := 0; txn < 10; txn++ {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("data"))
			require.NoError(t, err)
			for i := 0; i < 500; i++ {
				require.NoError(t, b.Put([]byte(fmt.Sprintf("%03d-%04d", txn, i)), val))
			}
			return nil
		}))
	}
	db.MustClose()
	oldSize := fileSize(t, db.path)

	db.MustReopen()
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("data")).Put([]byte{0}, []byte{0})
	}))
	db.MustClose()
	newSize := fileSize(t, db.path)
	require.LessOrEqual(t, newSize, oldSize+5*ps, "file grew from %d to %d", oldSize, newSize)
}

func TestOpen_PageSize_LargerPagesLargerFile(t *testing.T) {
	osps := os.Getpagesize()
	sizes := make([]int64, 0, 2)
	for _, ps := range []int{2 * osps, 4 * osps} {
		db := mustOpenDB(t, &bolt.Options{PageSize: ps})
		require.Equal(t, ps, db.Info().PageSize)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("b"))
			require.NoError(t, err)
			return b.Put([]byte("k"), []byte("v"))
		}))
		sizes = append(sizes, fileSize(t, db.path))
	}
	require.Less(t, sizes[0], sizes[1])
}

// TestOpen_PageSize_TooSmall: a page size that cannot hold a page header
// and a meta (80 bytes) is refused with an error before the file is
// written, instead of writing metas past the buffer (below 16 bytes) or over
// each other; 80 bytes, the smallest size bbolt can open again, works.
func TestOpen_PageSize_TooSmall(t *testing.T) {
	for _, ps := range []int{-4096, -1, 1, 8, 15, 16, 64, 79} {
		t.Run(fmt.Sprintf("ps=%d", ps), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: ps})
			if err == nil {
				_ = db.Close()
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), "too small")
			require.Zero(t, fileSize(t, path), "nothing may be written")
		})
	}
	t.Run("ps=80", func(t *testing.T) {
		db := mustOpenDB(t, &bolt.Options{PageSize: 80})
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("b"))
			if err != nil {
				return err
			}
			for i := 0; i < 100; i++ {
				if err := b.Put(u64key(uint64(i)), []byte("value")); err != nil {
					return err
				}
			}
			return nil
		}))
		db.MustReopen()
		require.Equal(t, 80, db.Info().PageSize)
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			n := 0
			err := tx.Bucket([]byte("b")).ForEach(func(k, v []byte) error {
				require.Equal(t, u64key(uint64(n)), k)
				n++
				return nil
			})
			require.Equal(t, 100, n)
			return err
		}))
	})
}

func TestOpen_PageSize_IgnoredForExistingFile(t *testing.T) {
	path := createClosedDB(t, 8192)
	db := mustOpenDBAt(t, path, &bolt.Options{PageSize: 16384})
	require.Equal(t, 8192, db.Info().PageSize)
}

func TestOpen_NoFreelistSync_RebuildsFreelist(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoFreelistSync: true})
	big := make([]byte, 3*db.Info().PageSize)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		for i := 0; i < 60; i++ {
			b, err := tx.CreateBucket([]byte(fmt.Sprintf("bucket-%02d", i)))
			require.NoError(t, err)
			require.NoError(t, b.Put([]byte("big"), big))
		}
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		for i := 0; i < 60; i += 2 {
			require.NoError(t, tx.Bucket([]byte(fmt.Sprintf("bucket-%02d", i))).Delete([]byte("big")))
		}
		return nil
	}))

	db.MustReopen()
	rebuilt := db.Stats().FreePageN
	require.Greater(t, rebuilt, 0, "free pages must be found by scanning")

	// Without NoFreelistSync the open writes a freelist, which may take a page.
	db.MustReopenWith(nil)
	require.GreaterOrEqual(t, db.Stats().FreePageN, rebuilt-1)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		for i := 0; i < 60; i++ {
			v := tx.Bucket([]byte(fmt.Sprintf("bucket-%02d", i))).Get([]byte("big"))
			if i%2 == 0 {
				assert.Nil(t, v, "bucket %d", i)
			} else {
				assert.Equal(t, big, v, "bucket %d", i)
			}
		}
		return nil
	}))
}

func TestOpen_NoFreelistSync_FreelistWrittenOnNormalOpen(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoFreelistSync: true})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("b"))
		return err
	}))
	db.MustClose()
	buf, err := os.ReadFile(db.path)
	require.NoError(t, err)
	ps := os.Getpagesize()
	m := readMeta(buf[0:ps]) // txid 2
	require.Equal(t, uint64(2), m.Txid)
	require.Equal(t, noFreelist, m.Freelist)

	// Opening read-write without NoFreelistSync commits one empty
	// transaction that writes a real freelist.
	db.MustReopenWith(nil)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		assert.Equal(t, 3, tx.ID())
		return nil
	}))
	db.MustClose()
	buf, err = os.ReadFile(db.path)
	require.NoError(t, err)
	m = readMeta(buf[ps : 2*ps])
	require.Equal(t, uint64(3), m.Txid)
	require.NotEqual(t, noFreelist, m.Freelist)
	require.Less(t, m.Freelist, m.Pgid)
}

func TestOpen_ConcurrentSamePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	const goroutines, rounds = 30, 1
	errc := make(chan error, goroutines*rounds)
	for r := 0; r < rounds; r++ {
		var wg sync.WaitGroup
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 0})
				if err != nil {
					errc <- err
					return
				}
				err = db.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucketIfNotExists([]byte("counter"))
					if err != nil {
						return err
					}
					_, err = b.NextSequence()
					return err
				})
				if cerr := db.Close(); err == nil {
					err = cerr
				}
				errc <- err
			}()
		}
		wg.Wait()
	}
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}
	db := mustOpenDBAt(t, path, nil)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, uint64(goroutines*rounds), tx.Bucket([]byte("counter")).Sequence())
		return nil
	}))
}

func TestDB_NotOpen(t *testing.T) {
	closed := mustOpenDB(t, nil)
	closed.MustClose()
	dbs := []struct {
		name string
		db   *bolt.DB
	}{
		{"ZeroValue", &bolt.DB{}},
		{"Closed", closed.DB},
	}
	ops := []struct {
		name string
		run  func(db *bolt.DB) error
	}{
		{"BeginRO", func(db *bolt.DB) error {
			tx, err := db.Begin(false)
			if tx != nil {
				return errors.New("got a tx")
			}
			return err
		}},
		{"BeginRW", func(db *bolt.DB) error {
			tx, err := db.Begin(true)
			if tx != nil {
				return errors.New("got a tx")
			}
			return err
		}},
		{"Update", func(db *bolt.DB) error {
			return db.Update(func(*bolt.Tx) error { return errors.New("fn must not run") })
		}},
		{"View", func(db *bolt.DB) error {
			return db.View(func(*bolt.Tx) error { return errors.New("fn must not run") })
		}},
	}
	for _, d := range dbs {
		for _, op := range ops {
			t.Run(d.name+"/"+op.name, func(t *testing.T) {
				err := op.run(d.db)
				require.True(t, err == berrors.ErrDatabaseNotOpen, "got %v", err)
			})
		}
	}
}

func TestDB_Close_WaitsForTx(t *testing.T) {
	for _, writable := range []bool{true, false} {
		t.Run(fmt.Sprintf("writable=%v", writable), func(t *testing.T) {
			db := mustOpenDB(t, nil)
			tx, err := db.Begin(writable)
			require.NoError(t, err)

			done := make(chan error, 1)
			go func() { done <- db.Close() }()
			select {
			case err := <-done:
				t.Fatalf("Close returned (%v) while a transaction was open", err)
			case <-time.After(150 * time.Millisecond):
			}

			require.NoError(t, tx.Rollback())
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("Close did not return after the transaction ended")
			}
			require.Equal(t, "", db.Path())
		})
	}
}

func TestDB_Close_Twice(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Close())
	require.NoError(t, db.Close())
	require.Equal(t, "", db.Path())
}

func TestOpen_SamePathTwice_Timeout(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("secondReadOnly=%v", readOnly), func(t *testing.T) {
			db := mustOpenDB(t, nil)
			start := time.Now()
			db2, err := bolt.Open(db.path, 0o600, &bolt.Options{Timeout: 100 * time.Millisecond, ReadOnly: readOnly})
			require.True(t, err == berrors.ErrTimeout, "got %v", err)
			require.Nil(t, db2)
			// bbolt gives up one retry interval (50ms) early; it must still have waited.
			require.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)

			// Once the first handle is gone, the lock is free.
			db.MustClose()
			db2, err = bolt.Open(db.path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: readOnly})
			require.NoError(t, err)
			require.NoError(t, db2.Close())
		})
	}
}

func TestOpen_NegativeTimeout_FailsAtOnce(t *testing.T) {
	db := mustOpenDB(t, nil)
	start := time.Now()
	db2, err := bolt.Open(db.path, 0o600, &bolt.Options{Timeout: -1})
	require.True(t, err == berrors.ErrTimeout, "got %v", err)
	require.Nil(t, db2)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestOpen_UsesOpenFileOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	var calls []int
	openFile := func(name string, flag int, mode os.FileMode) (*os.File, error) {
		require.Equal(t, path, name)
		calls = append(calls, flag)
		return os.OpenFile(name, flag, mode)
	}
	db := mustOpenDBAt(t, path, &bolt.Options{OpenFile: openFile})
	require.NotEmpty(t, calls)
	require.Equal(t, os.O_RDWR|os.O_CREATE, calls[0]&(os.O_RDWR|os.O_CREATE|os.O_WRONLY))
	db.MustClose()

	calls = nil
	db = mustOpenDBAt(t, path, &bolt.Options{OpenFile: openFile, ReadOnly: true})
	require.NotEmpty(t, calls)
	require.Zero(t, calls[0]&(os.O_RDWR|os.O_WRONLY|os.O_CREATE), "read-only opens neither write nor create")
}

func TestOpen_OptionsCopied(t *testing.T) {
	saved := *bolt.DefaultOptions
	db := mustOpenDB(t, nil)
	require.Equal(t, bolt.FreelistArrayType, db.FreelistType)
	require.Equal(t, saved, *bolt.DefaultOptions, "Open must not change DefaultOptions")

	opts := &bolt.Options{NoSync: true, NoGrowSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType}
	before := *opts
	db2 := mustOpenDB(t, opts)
	require.Equal(t, before, *opts, "Open must not change the caller's options")
	require.True(t, db2.NoSync)
	require.True(t, db2.NoGrowSync)
	require.True(t, db2.NoFreelistSync)
	require.Equal(t, bolt.FreelistMapType, db2.FreelistType)
	require.True(t, db2.PreLoadFreelist)
	require.False(t, db.NoSync)
}

func TestOpen_InitialMmapSize_FileSizes(t *testing.T) {
	const initial = 8 << 20
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096, InitialMmapSize: initial})
	if runtime.GOOS == "windows" {
		// Windows maps only what the file holds, so the file is extended.
		require.GreaterOrEqual(t, fileSize(t, db.path), int64(initial))
		return
	}
	require.Equal(t, int64(16384), fileSize(t, db.path), "opening does not extend the file")
	// The first growth goes to the size bbolt maps, which InitialMmapSize
	// raised: the rule of §3.10 with an 8 MiB mapping.
	mustUpdate(t, db, func(tx *bolt.Tx) { mustCreate(t, tx, nil, "b") })
	require.Equal(t, int64(initial), fileSize(t, db.path))
}

func TestOpen_ReadOnly_EmptyFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.Error(t, err, "a read-only open cannot initialise a file")
	require.Contains(t, err.Error(), path+": is empty")
	require.Nil(t, db)
	require.Zero(t, fileSize(t, path))
}

// TestOpen_Directory: a read-only open of a directory fails as a writable
// one does, with the OS's "is a directory".
func TestOpen_Directory(t *testing.T) {
	dir := t.TempDir()
	_, werr := bolt.Open(dir, 0o600, nil)
	_, rerr := bolt.Open(dir, 0o600, &bolt.Options{ReadOnly: true})
	require.Error(t, werr)
	require.Error(t, rerr)
	if runtime.GOOS == "windows" {
		return // opening a directory fails there with the OS's own words
	}
	require.Equal(t, werr.Error(), rerr.Error())
	require.Contains(t, rerr.Error(), "is a directory")
}

func TestDB_Path_String_GoString(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.Equal(t, db.path, db.Path())
	require.Equal(t, fmt.Sprintf("DB<%q>", db.path), db.String())
	require.Equal(t, fmt.Sprintf("bolt.DB{path:%q}", db.path), db.GoString())
	require.Equal(t, db.String(), fmt.Sprint(db.DB))
	require.Equal(t, db.GoString(), fmt.Sprintf("%#v", db.DB))
}

func TestOpen_NewFile_ExactBytes(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps})
	require.Equal(t, ps, db.Info().PageSize)
	db.MustClose()

	got, err := os.ReadFile(db.path)
	require.NoError(t, err)
	require.Len(t, got, 4*ps)

	want := make([]byte, 4*ps)
	for id := uint64(0); id < 2; id++ {
		writeMeta(want[id*ps:(id+1)*ps], metaFields{
			ID: id, PageSize: ps, Root: 3, Freelist: 2, Pgid: 4, Txid: id,
		})
	}
	ne.PutUint64(want[2*ps+offPageID:], 2)
	ne.PutUint16(want[2*ps+offPageFlags:], pageFlagFL)
	ne.PutUint64(want[3*ps+offPageID:], 3)
	ne.PutUint16(want[3*ps+offPageFlags:], pageFlagLf)

	for p := 0; p < 4; p++ {
		require.Equal(t, want[p*ps:(p+1)*ps], got[p*ps:(p+1)*ps], "page %d", p)
	}
	if isLittleEndian() {
		require.Equal(t, uint64(0x07516e114689fdee), ne.Uint64(got[offMetaChecksum:]))
		require.Equal(t, uint64(0x264c351a5179480f), ne.Uint64(got[ps+offMetaChecksum:]))
	}
}

func TestDB_FirstCommit_ExactLayout(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		require.NoError(t, err)
		require.NoError(t, b.Put([]byte("foo"), []byte("bar")))
		return b.Put([]byte("a"), []byte{})
	}))
	db.MustClose()

	buf, err := os.ReadFile(db.path)
	require.NoError(t, err)
	require.Len(t, buf, 32768)

	m0 := readMeta(buf[0:ps])
	assert.Equal(t, metaFields{
		ID: 0, Flags: pageFlagMt, Magic: metaMagic, Version: 2, PageSize: ps,
		Root: 4, Freelist: 5, Pgid: 6, Txid: 2, Checksum: metaChecksum(buf[0:ps]),
	}, m0)
	m1 := readMeta(buf[ps : 2*ps])
	assert.Equal(t, uint64(1), m1.Txid, "meta 1 is untouched by txid 2")
	assert.Equal(t, uint64(3), m1.Root)
	assert.Equal(t, uint64(4), m1.Pgid)

	// Page 5: the freelist, holding the old root leaf and the old freelist.
	fl := buf[5*ps : 6*ps]
	assert.Equal(t, uint64(5), ne.Uint64(fl[offPageID:]))
	assert.Equal(t, uint16(pageFlagFL), ne.Uint16(fl[offPageFlags:]))
	assert.Equal(t, uint16(2), ne.Uint16(fl[offPageCount:]))
	assert.Equal(t, uint32(0), ne.Uint32(fl[offPageOverflow:]))
	assert.Equal(t, uint64(2), ne.Uint64(fl[16:]))
	assert.Equal(t, uint64(3), ne.Uint64(fl[24:]))

	// Page 4: the root leaf with one bucket element holding an inline bucket.
	leaf := buf[4*ps : 5*ps]
	assert.Equal(t, uint64(4), ne.Uint64(leaf[offPageID:]))
	assert.Equal(t, uint16(pageFlagLf), ne.Uint16(leaf[offPageFlags:]))
	assert.Equal(t, uint16(1), ne.Uint16(leaf[offPageCount:]))
	elem := leaf[16:32]
	assert.Equal(t, uint32(1), ne.Uint32(elem[0:]), "bucket leaf flag")
	assert.Equal(t, uint32(16), ne.Uint32(elem[4:]), "pos")
	assert.Equal(t, uint32(7), ne.Uint32(elem[8:]), "ksize")
	assert.Equal(t, uint32(71), ne.Uint32(elem[12:]), "vsize")
	assert.Equal(t, []byte("widgets"), leaf[32:39])

	val := leaf[39 : 39+71]
	inline := make([]byte, 71)
	// bucket header: root 0, sequence 0; then a leaf page image with id 0.
	ne.PutUint16(inline[16+offPageFlags:], pageFlagLf)
	ne.PutUint16(inline[16+offPageCount:], 2)
	e := inline[32:]
	ne.PutUint32(e[4:], 0x20) // "a" -> ""
	ne.PutUint32(e[8:], 1)
	ne.PutUint32(e[12:], 0)
	ne.PutUint32(e[20:], 0x11) // "foo" -> "bar"
	ne.PutUint32(e[24:], 3)
	ne.PutUint32(e[28:], 3)
	copy(inline[64:], "afoobar")
	assert.Equal(t, inline, val)
}

// expectedFileSize models how a commit grows the file: nothing if the high
// water mark already fits, the doubling mmap size while that is at most
// 16 MiB, and beyond that the needed size plus a 16 MiB step.
func expectedFileSize(prev, pgid, pageSize int64) int64 {
	sz := (pgid + 1) * pageSize
	if sz <= prev {
		return prev
	}
	m := int64(32 << 10)
	for m < sz {
		m *= 2
	}
	if m <= 16<<20 {
		return m
	}
	return sz + 16<<20
}

// TestDB_FileGrowth checks the file's size after each commit; on Windows,
// where the mapping stretches the open file, as Close leaves it.
func TestDB_FileGrowth(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps, NoSync: true})
	size := db.closedFileSize()
	require.Equal(t, int64(4*ps), size)

	limit := int64(40 << 20)
	if testing.Short() {
		limit = 17 << 20
	}
	var seen []int64
	var pastStep int
	for i := 0; size < limit; i++ {
		var hwm int64
		require.NoError(t, db.View(func(tx *bolt.Tx) error { hwm = tx.Size(); return nil }))
		vsize := max(100, int(hwm/8))
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket(u64key(uint64(i)))
			require.NoError(t, err)
			return b.Put([]byte("v"), make([]byte, vsize))
		}))
		require.NoError(t, db.View(func(tx *bolt.Tx) error { hwm = tx.Size(); return nil }))
		require.Zero(t, hwm%ps)
		want := expectedFileSize(size, hwm/ps, ps)
		got := db.closedFileSize()
		require.Equal(t, want, got, "commit %d: pgid %d, previous file size %d", i, hwm/ps, size)
		if got != size {
			seen = append(seen, got)
			if got > 16<<20 {
				pastStep++
			}
		}
		size = got
	}
	var doubling []int64
	for s := int64(32 << 10); s <= 16<<20; s *= 2 {
		doubling = append(doubling, s)
	}
	require.Equal(t, doubling, seen[:len(doubling)])
	require.GreaterOrEqual(t, pastStep, 1)
}

func TestDB_Stats_AfterFirstBucket(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	}))
	s := db.Stats()
	assert.Equal(t, int64(2), s.TxStats.GetPageCount(), "root leaf + freelist")
	assert.Equal(t, int64(2), s.TxStats.PageCount)
	assert.Equal(t, 0, s.FreePageN)
	assert.Equal(t, 2, s.PendingPageN)
	assert.Equal(t, 2*db.Info().PageSize, s.FreeAlloc)
	assert.Equal(t, 16+8*2, s.FreelistInuse)
	assert.Equal(t, 0, s.TxN, "no read-only tx has run")
}

func TestDB_Stats_ReadTxCounts(t *testing.T) {
	db := mustOpenDB(t, nil)
	base := db.Stats()
	require.Equal(t, 0, base.OpenTxN)

	var txs []*bolt.Tx
	for i := 0; i < 3; i++ {
		tx, err := db.Begin(false)
		require.NoError(t, err)
		txs = append(txs, tx)
	}
	s := db.Stats()
	require.Equal(t, 3, s.OpenTxN)
	require.Equal(t, base.TxN+3, s.TxN)

	// A writer is neither counted as started nor as open.
	require.NoError(t, db.Update(func(tx *bolt.Tx) error { return nil }))
	require.Equal(t, 3, db.Stats().OpenTxN)
	require.Equal(t, base.TxN+3, db.Stats().TxN)

	require.NoError(t, txs[0].Rollback())
	require.NoError(t, txs[2].Rollback())
	s = db.Stats()
	require.Equal(t, 1, s.OpenTxN)
	require.Equal(t, base.TxN+3, s.TxN)

	require.NoError(t, db.View(func(*bolt.Tx) error {
		require.Equal(t, 2, db.Stats().OpenTxN)
		return nil
	}))
	require.NoError(t, txs[1].Rollback())
	s = db.Stats()
	require.Equal(t, 0, s.OpenTxN)
	require.Equal(t, base.TxN+4, s.TxN)

	// Stats stay readable after Close.
	db.MustClose()
	require.Equal(t, base.TxN+4, db.Stats().TxN)
}

func TestDB_Stats_FreelistFields(t *testing.T) {
	db := mustOpenDB(t, nil)
	ps := db.Info().PageSize
	for i := 0; i < 20; i++ {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			require.NoError(t, err)
			for j := 0; j < 50; j++ {
				require.NoError(t, b.Put(u64key(uint64(i*50+j)), make([]byte, 200)))
			}
			if i%3 == 2 {
				for j := 0; j < 40; j++ {
					require.NoError(t, b.Delete(u64key(uint64((i-1)*50+j))))
				}
			}
			return nil
		}))
		s := db.Stats()
		n := s.FreePageN + s.PendingPageN
		require.Greater(t, n, 0)
		require.Equal(t, n*ps, s.FreeAlloc, "after commit %d", i)
		require.Equal(t, 16+8*n, s.FreelistInuse, "after commit %d", i)
	}
}

func TestDB_Stats_SubSemantics(t *testing.T) {
	a := bolt.Stats{FreePageN: 4, PendingPageN: 5, FreeAlloc: 6, FreelistInuse: 7, TxN: 10, OpenTxN: 2}
	a.TxStats.PageCount = 3
	a.TxStats.Write = 8
	b := bolt.Stats{FreePageN: 14, PendingPageN: 15, FreeAlloc: 16, FreelistInuse: 17, TxN: 25, OpenTxN: 3}
	b.TxStats.PageCount = 10
	b.TxStats.Write = 9

	require.Equal(t, b, b.Sub(nil))
	d := b.Sub(&a)
	require.Equal(t, int64(7), d.TxStats.PageCount)
	require.Equal(t, int64(1), d.TxStats.Write)
	require.Equal(t, 15, d.TxN)
	require.Equal(t, 0, d.OpenTxN)
	require.Equal(t, 14, d.FreePageN, "freelist fields are copied, not subtracted")
	require.Equal(t, 15, d.PendingPageN)
	require.Equal(t, 16, d.FreeAlloc)
	require.Equal(t, 17, d.FreelistInuse)
}

func TestTxStats_AtomicAccessors(t *testing.T) {
	var s bolt.TxStats
	require.Equal(t, int64(5), s.IncPageCount(5))
	require.Equal(t, int64(7), s.IncPageCount(2))
	require.Equal(t, int64(7), s.GetPageCount())
	require.Equal(t, time.Second, s.IncSpillTime(time.Second))
	require.Equal(t, time.Second, s.GetSpillTime())

	var o bolt.TxStats
	o.IncPageCount(3)
	d := s.Sub(&o)
	require.Equal(t, int64(4), d.GetPageCount())
	require.Equal(t, time.Second, d.GetSpillTime())
}

func TestDB_Info_PageSize(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 8192})
	require.Equal(t, 8192, db.Info().PageSize)
	require.NotZero(t, db.Info().Data)
}

func TestDB_Update_ErrorRollsBack(t *testing.T) {
	db := mustOpenDB(t, nil)
	myErr := errors.New("my error")
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		require.NoError(t, b.Put([]byte("k"), []byte("v")))
		return myErr
	})
	require.True(t, err == myErr, "Update must return fn's error itself, got %v", err)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket([]byte("b")))
		return nil
	}))
	err = db.View(func(tx *bolt.Tx) error { return myErr })
	require.True(t, err == myErr, "View must return fn's error itself, got %v", err)
}

func TestDB_Sync(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoSync: true})
	require.True(t, db.NoSync)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("b"))
		return err
	}))
	require.NoError(t, db.Sync())
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.NotNil(t, tx.Bucket([]byte("b")))
		return nil
	}))
}

func TestOpen_Defaults(t *testing.T) {
	db := mustOpenDB(t, nil)
	assert.Equal(t, 1000, db.MaxBatchSize)
	assert.Equal(t, 10*time.Millisecond, db.MaxBatchDelay)
	assert.Equal(t, 16*1024*1024, db.AllocSize)
	assert.True(t, db.PreLoadFreelist, "read-write opens always load the freelist")
	assert.False(t, db.IsReadOnly())
	assert.Equal(t, os.Getpagesize(), db.Info().PageSize)
}

func TestOpen_FileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := bolt.Open(path, 0o640, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS == "windows" {
		require.NotZero(t, fi.Mode().Perm()&0o200, "the file is writable")
		return
	}
	require.Equal(t, os.FileMode(0o640), fi.Mode().Perm()&0o640)
	require.Zero(t, fi.Mode().Perm()&0o007, "others get no access")
}
