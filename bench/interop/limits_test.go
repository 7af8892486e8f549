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
