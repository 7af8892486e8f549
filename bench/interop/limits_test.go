package interop_test

import (
	"fmt"
	"path/filepath"
	"testing"

	bolt "github.com/boltkv/bolt"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// TestCursorDelete_NotPositioned pins what each engine does with Delete on
// a cursor that was never moved: bbolt v1.5.0 panics (an index out of range
// on its empty stack), bolt returns an error from the call and the
// transaction commits the rest of its work.
func TestCursorDelete_NotPositioned(t *testing.T) {
	dir := t.TempDir()

	bdb, err := bbolt.Open(filepath.Join(dir, "bbolt.db"), 0o600, nil)
	require.NoError(t, err)
	defer bdb.Close()
	var recovered any
	_ = bdb.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		require.NoError(t, b.Put([]byte("k"), []byte("v")))
		func() {
			defer func() { recovered = recover() }()
			_ = b.Cursor().Delete()
		}()
		return nil
	})
	require.NotNil(t, recovered, "bbolt v1.5.0 panics on Delete of an unpositioned cursor")
	require.Contains(t, fmt.Sprint(recovered), "index out of range")

	db, err := bolt.Open(filepath.Join(dir, "bolt.db"), 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		require.NoError(t, b.Put([]byte("k"), []byte("v")))
		require.Error(t, b.Cursor().Delete())
		return nil
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, []byte("v"), tx.Bucket([]byte("b")).Get([]byte("k")))
		return nil
	}))
}

// nestDepth is deeper than the 4,096 levels bolt once capped nesting at.
const nestDepth = 5000

// TestNesting_Deep: buckets nested 5,000 deep, written by bbolt, are read
// by bolt (every level, Check, Stats, Inspect) and extended one level
// deeper, and the extended file reads back in bbolt.
func TestNesting_Deep(t *testing.T) {
	dir := t.TempDir()
	leafValue := []byte("bottom")

	bpath := filepath.Join(dir, "bbolt.db")
	bdb, err := bbolt.Open(bpath, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("level"))
		if err != nil {
			return err
		}
		for i := 1; i < nestDepth; i++ {
			// A value beside each sub-bucket keeps every level off inline.
			if err := b.Put([]byte("pad"), make([]byte, 2048)); err != nil {
				return err
			}
			if b, err = b.CreateBucket([]byte("level")); err != nil {
				return err
			}
		}
		return b.Put([]byte("k"), leafValue)
	}))
	require.NoError(t, bdb.View(func(tx *bbolt.Tx) error {
		require.Empty(t, collect(tx.Check()))
		return nil
	}))
	require.NoError(t, bdb.Close())

	db, err := bolt.Open(bpath, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("level"))
		for i := 1; i < nestDepth; i++ {
			require.NotZero(t, b.Root(), "level %d is inline", i)
			b = b.Bucket([]byte("level"))
			require.NotNil(t, b, "level %d", i+1)
		}
		require.Equal(t, leafValue, b.Get([]byte("k")))
		require.Empty(t, collect(tx.Check()))
		s := tx.Bucket([]byte("level")).Stats()
		require.Equal(t, nestDepth, s.BucketN)
		depth := 0
		for bs := tx.Inspect(); len(bs.Children) > 0; bs = bs.Children[0] {
			depth++
		}
		require.Equal(t, nestDepth, depth)
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("level"))
		for i := 1; i < nestDepth; i++ {
			b = b.Bucket([]byte("level"))
		}
		_, err := b.CreateBucket([]byte("deeper"))
		return err
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Empty(t, collect(tx.Check()))
		return nil
	}))
	require.NoError(t, db.Close())

	// The file bolt extended reads back in bbolt, one level deeper.
	bdb, err = bbolt.Open(bpath, 0o600, &bbolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("level"))
		for i := 1; i < nestDepth; i++ {
			b = b.Bucket([]byte("level"))
		}
		require.NotNil(t, b.Bucket([]byte("deeper")))
		require.Empty(t, collect(tx.Check()))
		return nil
	}))
}
