package bolt_test

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
	"github.com/stretchr/testify/require"
)

// Tests of Options.MaxSize (bbolt v1.5.0): growth refused past the limit, a
// failed commit leaves the file and the transaction as they were.

func TestDB_MaxSize_RefusesGrowth(t *testing.T) {
	for _, noGrowSync := range []bool{false, true} {
		name := "GrowSync"
		if noGrowSync {
			name = "NoGrowSync"
		}
		t.Run(name, func(t *testing.T) {
			const maxSize = 1 << 20
			db := mustOpenDB(t, &bolt.Options{PageSize: 4096, MaxSize: maxSize, NoGrowSync: noGrowSync})
			require.Equal(t, maxSize, db.MaxSize)
			val := make([]byte, 300<<10)
			var failed error
			stored := 0
			for i := 0; i < 10 && failed == nil; i++ {
				failed = db.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucket(u64key(uint64(i)))
					if err != nil {
						return err
					}
					return b.Put([]byte("v"), val)
				})
				if failed == nil {
					stored++
				}
				require.LessOrEqual(t, fileSize(t, db.path), int64(maxSize))
			}
			requireErrIs(t, berrors.ErrMaxSizeReached, failed)
			require.Greater(t, stored, 0)

			// A small write still fits.
			mustUpdate(t, db, func(tx *bolt.Tx) {
				require.NoError(t, mustCreate(t, tx, nil, "small").Put([]byte("k"), []byte("v")))
			})
			require.LessOrEqual(t, fileSize(t, db.path), int64(maxSize))
			mustView(t, db, func(tx *bolt.Tx) {
				for i := 0; i < stored; i++ {
					require.Equal(t, val, tx.Bucket(u64key(uint64(i))).Get([]byte("v")))
				}
				require.Nil(t, tx.Bucket(u64key(uint64(stored))))
				require.Equal(t, []byte("v"), tx.Bucket([]byte("small")).Get([]byte("k")))
			})
		})
	}
}

func TestOpen_MaxSize_ExistingLargerFileOpens(t *testing.T) {
	db := mustOpenDB(t, nil)
	val := bytes.Repeat([]byte("x"), 1<<20)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		for i := 0; i < 3; i++ {
			require.NoError(t, b.Put(u64key(uint64(i)), val))
		}
	})
	db.MustClose()
	require.Greater(t, fileSize(t, db.path), int64(3<<20))

	for _, initialMmap := range []int{0, 2 << 20} {
		db.MustReopenWith(&bolt.Options{MaxSize: 1, InitialMmapSize: initialMmap})
		mustView(t, db, func(tx *bolt.Tx) {
			require.Equal(t, val, tx.Bucket([]byte("b")).Get(u64key(2)))
		})
	}
}

func TestDB_MaxSize_HighInitialMmapStillLimitsFile(t *testing.T) {
	const maxSize = 64 << 20
	db := openHighInitialMmap(t, filepath.Join(t.TempDir(), "db"), &bolt.Options{MaxSize: maxSize, InitialMmapSize: 2 * maxSize})
	if db == nil {
		return // Windows: Open refused the mapping, as checked
	}
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		if err != nil {
			return err
		}
		return b.Put([]byte("large"), make([]byte, 50<<20))
	})
	requireErrIs(t, berrors.ErrMaxSizeReached, err)
	require.LessOrEqual(t, fileSize(t, db.path), int64(maxSize))
	mustView(t, db, func(tx *bolt.Tx) { require.Nil(t, tx.Bucket([]byte("data"))) })
}

// The file Close leaves is no larger than MaxSize and opens again with the
// same options, whatever the commits were allowed to do. On Windows, where
// the mapping stretches the open file, MaxSize bounds the mapping (as in
// bbolt), so a value that fits in a mapping of MaxSize bytes is accepted
// there; elsewhere the file would grow past MaxSize, so it is refused.
func TestDB_MaxSize_ClosedFileWithinLimit(t *testing.T) {
	const maxSize = 64 << 20
	db := mustOpenDB(t, &bolt.Options{MaxSize: maxSize, NoSync: true})
	val := patterned(50<<20, 3)
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		if err != nil {
			return err
		}
		return b.Put([]byte("large"), val)
	})
	if runtime.GOOS == "windows" {
		require.NoError(t, err)
	} else {
		requireErrIs(t, berrors.ErrMaxSizeReached, err)
	}
	db.MustClose()
	require.LessOrEqual(t, fileSize(t, db.path), int64(maxSize))
	db.MustReopen()
	mustView(t, db, func(tx *bolt.Tx) {
		if err == nil {
			require.Equal(t, val, tx.Bucket([]byte("data")).Get([]byte("large")))
		} else {
			require.Nil(t, tx.Bucket([]byte("data")))
		}
	})
}

func TestTx_Commit_FailureClosesTx(t *testing.T) {
	const maxSize = 1 << 20
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096, MaxSize: maxSize})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, mustCreate(t, tx, nil, "b").Put([]byte("k"), []byte("v1")))
	})
	before, err := os.ReadFile(db.path)
	require.NoError(t, err)

	tx, err := db.Begin(true)
	require.NoError(t, err)
	ran := false
	tx.OnCommit(func() { ran = true })
	b := tx.Bucket([]byte("b"))
	require.NoError(t, b.Put([]byte("k"), []byte("v2")))
	require.NoError(t, b.Put([]byte("huge"), make([]byte, 2*maxSize)))
	requireErrIs(t, berrors.ErrMaxSizeReached, tx.Commit())
	requireErrIs(t, berrors.ErrTxClosed, tx.Rollback())
	requireErrIs(t, berrors.ErrTxClosed, tx.Commit())
	require.Equal(t, -1, tx.ID())
	require.False(t, ran, "OnCommit must not run for a failed commit")

	after, err := os.ReadFile(db.path)
	require.NoError(t, err)
	require.Equal(t, sha256.Sum256(before), sha256.Sum256(after), "a failed commit changed the file")

	mustView(t, db, func(tx *bolt.Tx) {
		require.Equal(t, []byte("v1"), tx.Bucket([]byte("b")).Get([]byte("k")))
		require.Nil(t, tx.Bucket([]byte("b")).Get([]byte("huge")))
	})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, tx.Bucket([]byte("b")).Put([]byte("k"), []byte("v3")))
	})
	db.MustReopen()
	mustView(t, db, func(tx *bolt.Tx) {
		require.Equal(t, []byte("v3"), tx.Bucket([]byte("b")).Get([]byte("k")))
	})
}
