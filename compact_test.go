package bolt_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// compactFill builds a source tree: three top-level buckets with sequences,
// nesting three levels deep, empty values, large (overflow) values, empty
// buckets and enough keys to need branch pages.
func compactFill(tb testing.TB, db *bolt.DB) {
	tb.Helper()
	require.NoError(tb, db.Update(func(tx *bolt.Tx) error {
		a, err := tx.CreateBucket([]byte("alpha"))
		require.NoError(tb, err)
		require.NoError(tb, a.SetSequence(1001))
		for i := 0; i < 2000; i++ {
			require.NoError(tb, a.Put(u64key(uint64(i)), patterned(i%97, byte(i))))
		}
		require.NoError(tb, a.Put([]byte("empty"), []byte{}))
		require.NoError(tb, a.Put([]byte("large"), patterned(50000, 3)))

		l1, err := a.CreateBucket([]byte("level1"))
		require.NoError(tb, err)
		require.NoError(tb, l1.SetSequence(11))
		for i := 0; i < 300; i++ {
			require.NoError(tb, l1.Put([]byte(fmt.Sprintf("l1-%04d", i)), patterned(100, byte(i))))
		}
		l2, err := l1.CreateBucket([]byte("level2"))
		require.NoError(tb, err)
		require.NoError(tb, l2.SetSequence(22))
		require.NoError(tb, l2.Put([]byte("e"), []byte{}))
		require.NoError(tb, l2.Put([]byte("big"), patterned(9000, 4)))
		l3, err := l2.CreateBucket([]byte("level3"))
		require.NoError(tb, err)
		require.NoError(tb, l3.SetSequence(33))
		require.NoError(tb, l3.Put([]byte("leaf"), []byte("value")))
		_, err = l2.CreateBucket([]byte("empty-bucket"))
		require.NoError(tb, err)

		b, err := tx.CreateBucket([]byte("beta"))
		require.NoError(tb, err)
		require.NoError(tb, b.Put([]byte("k"), []byte("v")))

		_, err = tx.CreateBucket([]byte("gamma"))
		require.NoError(tb, err)
		return nil
	}))
}

func TestCompact_CopiesEverything(t *testing.T) {
	for _, txMaxSize := range []int64{0, 1024, 65536} {
		t.Run(fmt.Sprintf("txMaxSize=%d", txMaxSize), func(t *testing.T) {
			src := mustOpenDB(t, nil)
			compactFill(t, src.DB)
			want := mvDumpDB(t, src.DB)

			dst := mustOpenDB(t, nil)
			require.NoError(t, bolt.Compact(dst.DB, src.DB, txMaxSize))
			require.Equal(t, want, mvDumpDB(t, dst.DB))
			mustCheck(t, dst.DB)

			// Small txMaxSize values force intermediate commits: each one is
			// a tx that bumps the meta txid.
			var txid int
			require.NoError(t, dst.View(func(tx *bolt.Tx) error { txid = tx.ID(); return nil }))
			if txMaxSize == 0 {
				require.Equal(t, 2, txid, "a single commit")
			} else if txMaxSize == 1024 {
				require.Greater(t, txid, 100, "many commits")
			}

			dst.MustReopen()
			require.Equal(t, want, mvDumpDB(t, dst.DB))
			// The source is untouched.
			require.Equal(t, want, mvDumpDB(t, src.DB))
		})
	}
}

func TestCompact_ShrinksFragmentedFile(t *testing.T) {
	src := mustOpenDB(t, &bolt.Options{NoSync: true})
	for batch := 0; batch < 10; batch++ {
		require.NoError(t, src.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("data"))
			require.NoError(t, err)
			for i := 0; i < 1000; i++ {
				n := batch*1000 + i
				require.NoError(t, b.Put(u64key(uint64(n)), patterned(200, byte(n))))
			}
			return nil
		}))
	}
	// Delete nine keys out of ten, spread over every page.
	require.NoError(t, src.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("data"))
		for n := 0; n < 10000; n++ {
			if n%10 != 0 {
				require.NoError(t, b.Delete(u64key(uint64(n))))
			}
		}
		return nil
	}))
	want := mvDumpDB(t, src.DB)

	dst := mustOpenDB(t, nil)
	require.NoError(t, bolt.Compact(dst.DB, src.DB, 0))
	require.Equal(t, want, mvDumpDB(t, dst.DB))
	mustCheck(t, dst.DB)
	srcSize, dstSize := fileSize(t, src.Path()), fileSize(t, dst.Path())
	require.Less(t, dstSize, srcSize/2, "compacted %d bytes, source %d bytes", dstSize, srcSize)

	// Values are packed with FillPercent 1.0: fewer leaves than the source.
	require.NoError(t, src.View(func(srcTx *bolt.Tx) error {
		return dst.View(func(dstTx *bolt.Tx) error {
			s, d := srcTx.Bucket([]byte("data")).Stats(), dstTx.Bucket([]byte("data")).Stats()
			require.Equal(t, 1000, d.KeyN)
			require.Equal(t, s.KeyN, d.KeyN)
			require.Less(t, d.LeafPageN, s.LeafPageN)
			return nil
		})
	}))
}

func TestCompact_EmptySource(t *testing.T) {
	src := mustOpenDB(t, nil)
	dst := mustOpenDB(t, nil)
	require.NoError(t, bolt.Compact(dst.DB, src.DB, 0))
	require.Equal(t, "", mvDumpDB(t, dst.DB))
	require.NoError(t, dst.View(func(tx *bolt.Tx) error {
		require.Equal(t, 2, tx.ID(), "an empty commit still happens")
		return nil
	}))
}

func TestCompact_DestinationHasBucket(t *testing.T) {
	src := mustOpenDB(t, nil)
	compactFill(t, src.DB)

	dst := mustOpenDB(t, nil)
	require.NoError(t, dst.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("beta"))
		require.NoError(t, err)
		return b.Put([]byte("mine"), []byte("kept"))
	}))
	before := mvDumpDB(t, dst.DB)

	err := bolt.Compact(dst.DB, src.DB, 0)
	require.ErrorIs(t, err, berrors.ErrBucketExists)
	require.Equal(t, berrors.ErrBucketExists, err)
	// With a single transaction, the copy of "alpha" made before the clash
	// is rolled back.
	require.Equal(t, before, mvDumpDB(t, dst.DB))
	mustCheck(t, dst.DB)

	// With intermediate commits, whatever was committed before the clash stays.
	dst2 := mustOpenDB(t, nil)
	require.NoError(t, dst2.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("beta"))
		return err
	}))
	require.Equal(t, berrors.ErrBucketExists, bolt.Compact(dst2.DB, src.DB, 1024))
	require.NoError(t, dst2.View(func(tx *bolt.Tx) error {
		require.NotNil(t, tx.Bucket([]byte("alpha")))
		require.Nil(t, tx.Bucket([]byte("gamma")))
		return nil
	}))
	mustCheck(t, dst2.DB)
}

// Only top-level names collide: a bucket of the same name nested elsewhere
// in dst is no obstacle.
func TestCompact_OnlyTopLevelNamesCollide(t *testing.T) {
	src := mustOpenDB(t, nil)
	require.NoError(t, src.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("x"))
		require.NoError(t, err)
		return b.Put([]byte("k"), []byte("v"))
	}))
	dst := mustOpenDB(t, nil)
	require.NoError(t, dst.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("y"))
		require.NoError(t, err)
		_, err = b.CreateBucket([]byte("x"))
		return err
	}))
	require.NoError(t, bolt.Compact(dst.DB, src.DB, 0))
	require.NoError(t, dst.View(func(tx *bolt.Tx) error {
		require.Equal(t, []byte("v"), tx.Bucket([]byte("x")).Get([]byte("k")))
		require.NotNil(t, tx.Bucket([]byte("y")).Bucket([]byte("x")))
		return nil
	}))
}

func TestCompact_ClosedDatabases(t *testing.T) {
	src := mustOpenDB(t, nil)
	compactFill(t, src.DB)

	closedDst := mustOpenDB(t, nil)
	closedDst.MustClose()
	require.Equal(t, berrors.ErrDatabaseNotOpen, bolt.Compact(closedDst.DB, src.DB, 0))
	require.Equal(t, berrors.ErrDatabaseNotOpen, bolt.Compact(closedDst.DB, src.DB, 1024))

	closedSrc := mustOpenDB(t, nil)
	closedSrc.MustClose()
	dst := mustOpenDB(t, nil)
	require.Equal(t, berrors.ErrDatabaseNotOpen, bolt.Compact(dst.DB, closedSrc.DB, 0))
	require.Equal(t, "", mvDumpDB(t, dst.DB), "nothing committed")

	roPath := filepath.Join(t.TempDir(), "ro")
	mustOpenDBAt(t, roPath, nil).MustClose()
	roDst := mustOpenDBAt(t, roPath, &bolt.Options{ReadOnly: true})
	require.Equal(t, berrors.ErrDatabaseReadOnly, bolt.Compact(roDst.DB, src.DB, 0))
}
