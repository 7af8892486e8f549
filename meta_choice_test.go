package bolt_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// Open picks the newer of the two metas when it is valid and the older one
// when the newer is damaged. A meta that is intact but names pages beyond
// the end of the file is not damage of that meta: the file was cut, and
// falling back would silently open an older state (and the next commit
// would overwrite the newer meta). These tests pin both sides.

// metaChoiceFile writes a database of 4096-byte pages whose one commit (txid
// 2, in meta 0) puts n keys in bucket "b", so that meta 1 (txid 1) is the
// freshly initialized state, and returns its path and meta 0.
func metaChoiceFile(tb testing.TB, n int) (string, metaFields) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 4096})
	require.NoError(tb, err)
	require.NoError(tb, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := b.Put(u64key(uint64(i)), []byte("value")); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(tb, db.Close())
	buf, err := os.ReadFile(path)
	require.NoError(tb, err)
	m := readMeta(buf)
	require.Equal(tb, uint64(2), m.Txid, "the commit must sit in meta 0")
	return path, m
}

// TestOpen_FileCutBelowNewestMeta_IsErrCorrupt is the reproduction of a file
// truncated by another process (`truncate -s 16384`): meta 1, the fresh
// state, still fits, but meta 0 is the newer and valid one. Open must say the
// file was cut rather than open at txid 1 with the bucket gone.
func TestOpen_FileCutBelowNewestMeta_IsErrCorrupt(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		for _, size := range []int64{16384, 16384 + 100, -4096, -1} {
			t.Run(fmt.Sprintf("readOnly=%t,size=%d", readOnly, size), func(t *testing.T) {
				path, m := metaChoiceFile(t, 5000)
				full := int64(m.Pgid) * 4096
				require.Greater(t, full, int64(16384+4096))
				if size < 0 {
					size += full // a cut inside the last page used
				}
				require.NoError(t, os.Truncate(path, size))
				db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: readOnly, Timeout: time.Second})
				if err == nil {
					_ = db.Close()
				}
				require.ErrorIs(t, err, berrors.ErrCorrupt)
				require.Contains(t, err.Error(), "truncated")
				require.Nil(t, db)
			})
		}
	}
}

// TestOpen_MetaFallback_StillWorks covers the legitimate cases beside a cut
// file: a damaged newer meta falls back to the older one, and files whose
// high-water mark sits exactly at, or well below, the end of the file open.
func TestOpen_MetaFallback_StillWorks(t *testing.T) {
	t.Run("newer-meta-bad-checksum", func(t *testing.T) {
		path, _ := metaChoiceFile(t, 100)
		editFile(t, path, func(buf []byte) []byte {
			buf[offMetaRoot] ^= 0xff // checksum no longer matches
			return buf
		})
		db := mustOpenDBAt(t, path, nil)
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, 1, tx.ID())
			require.Nil(t, tx.Bucket([]byte("b")))
			return nil
		}))
	})
	t.Run("newer-meta-bad-checksum-and-cut", func(t *testing.T) {
		// The newer meta is damaged, so what lies beyond the end of the file
		// was never committed as far as the older meta knows.
		path, _ := metaChoiceFile(t, 5000)
		editFile(t, path, func(buf []byte) []byte {
			buf[offMetaRoot] ^= 0xff
			return buf[:16384]
		})
		db := mustOpenDBAt(t, path, nil)
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, 1, tx.ID())
			return nil
		}))
	})
	t.Run("hwm-equals-file-pages", func(t *testing.T) {
		path, m := metaChoiceFile(t, 100)
		require.NoError(t, os.Truncate(path, int64(m.Pgid)*4096))
		db := mustOpenDBAt(t, path, nil)
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, 2, tx.ID())
			require.Equal(t, []byte("value"), tx.Bucket([]byte("b")).Get(u64key(99)))
			return nil
		}))
	})
	t.Run("fresh-file", func(t *testing.T) {
		path := createClosedDB(t, 4096)
		require.Equal(t, int64(4*4096), fileSize(t, path))
		mustOpenDBAt(t, path, &bolt.Options{ReadOnly: true})
	})
	t.Run("last-pages-free", func(t *testing.T) {
		path, _ := metaChoiceFile(t, 5000)
		db := mustOpenDBAt(t, path, nil)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("b")) }))
		db.MustClose()
		db.MustReopen()
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Nil(t, tx.Bucket([]byte("b")))
			return nil
		}))
	})
}

// TestOpen_HugeHighWaterMark_IsError forges a high-water mark near 2^64 in a
// meta with a valid checksum: in the newer meta, in the older one, in both.
// Multiplied by the page size it wraps, so a bound check done in int64 or
// by multiplying let it through, and Open or the first transaction then
// looped over 2^64 pages. Every operation must return at once: an error
// wrapping ErrCorrupt when the forged meta is the one chosen, the data
// otherwise.
func TestOpen_HugeHighWaterMark_IsError(t *testing.T) {
	huge := []uint64{
		math.MaxUint64, math.MaxUint64 - 1, 1 << 63, (1 << 63) - 1,
		1 << 52,              // times 4096 is 2^64: wraps to 0
		1<<52 + 1, 1<<52 - 1, // the largest that does not wrap
		1 << 51, // times 4096 is 2^63: negative as an int64
	}
	for _, hwm := range huge {
		for _, which := range []string{"newer", "older", "both"} {
			t.Run(fmt.Sprintf("pgid=%#x/%s", hwm, which), func(t *testing.T) {
				path, _ := metaChoiceFile(t, 100)
				editFile(t, path, func(buf []byte) []byte {
					for i, name := range []string{"newer", "older"} {
						if which != name && which != "both" {
							continue
						}
						page := buf[i*4096 : (i+1)*4096]
						m := readMeta(page)
						m.Pgid = hwm
						writeMeta(page, m)
					}
					return buf
				})
				for _, readOnly := range []bool{false, true} {
					db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: readOnly, Timeout: time.Second})
					if which == "older" {
						require.NoError(t, err, "the newer meta is intact")
						require.NoError(t, db.View(func(tx *bolt.Tx) error {
							require.GreaterOrEqual(t, tx.ID(), 2, "the forged meta must not be chosen")
							require.NotNil(t, tx.Bucket([]byte("b")))
							return nil
						}))
						if !readOnly {
							require.NoError(t, db.Update(func(tx *bolt.Tx) error {
								return tx.Bucket([]byte("b")).Put([]byte("k"), []byte("v"))
							}))
						}
						mustCheck(t, db)
						require.NoError(t, db.Close())
						continue
					}
					if err == nil {
						_ = db.Close()
					}
					require.ErrorIs(t, err, berrors.ErrCorrupt, "readOnly=%t", readOnly)
				}
			})
		}
	}
}
