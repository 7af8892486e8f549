package bolt_test

// Tests of behaviour where bolt deliberately differs from bbolt v1.5.0,
// because bbolt's behaviour is a bug. They fail against bbolt and are left
// out when the suite is run against it.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// SPEC preface: deleting a bucket modified earlier in the same tx must free
// the pages of its whole subtree. (bbolt walks the sub-buckets with a cursor
// over the already-materialized leaf while deleting from that leaf, so it
// skips every other one and leaks its pages.)
func TestBucket_DeleteBucket_ModifiedInSameTx_FreesSubtree(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		a := mustCreate(t, tx, nil, "a")
		for i := 0; i < 6; i++ {
			s := mustCreate(t, tx, a, fmt.Sprintf("s%d", i))
			require.NoError(t, s.Put([]byte("v"), make([]byte, 2000)))
		}
	})
	var subtree int
	mustView(t, db, func(tx *bolt.Tx) {
		s := tx.Bucket([]byte("a")).Stats()
		subtree = s.BranchPageN + s.BranchOverflowN + s.LeafPageN + s.LeafOverflowN
	})
	before := db.Stats()
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, tx.Bucket([]byte("a")).Put([]byte("x"), []byte("y")))
		require.NoError(t, tx.DeleteBucket([]byte("a")))
	})
	after := db.Stats()
	require.GreaterOrEqual(t,
		(after.FreePageN+after.PendingPageN)-(before.FreePageN+before.PendingPageN), subtree)
	mustCheck(t, db.DB)
	db.MustReopen()
	mustCheck(t, db.DB)
}

// Last/Prev in a write tx must step over a leaf emptied by deletes in the
// middle of the tree, as First/Next do. (bbolt v1.5.0 returns nil there:
// with 200 of 1000 keys deleted from the middle, Last/Prev yields 400 keys.)
func TestCursor_Prev_SkipsEmptiedLeafInMiddle(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	fillBucket(t, db, "b", 1000, fmtKey, func(int) []byte { return []byte{} })
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("b"))
		for i := 400; i < 600; i++ {
			require.NoError(t, b.Delete(fmtKey(i)))
		}
		c := b.Cursor()
		n := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		require.Equal(t, 800, n)
		var keys []string
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			keys = append(keys, string(k))
		}
		require.Equal(t, 800, len(keys))
		require.Equal(t, "00600", keys[399])
		require.Equal(t, "00399", keys[400])
	})
}

// SPEC "Readers never block a remap": a writer that needs a larger mapping
// must not wait for an open read transaction. (bbolt's writer waits until
// the reader ends.) Windows too: the file may grow and gain a larger view
// while the reader's smaller view stays mapped.
func TestDB_Writer_NotBlockedByReaderDuringGrowth(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoSync: true})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, mustCreate(t, tx, nil, "old").Put([]byte("k"), []byte("v")))
	})
	reader, err := db.Begin(false)
	require.NoError(t, err)
	// Close waits for open readers: end this one before the DB's cleanup
	// closes it, even when an assertion below stops the test.
	t.Cleanup(func() { _ = reader.Rollback() })

	big := patterned(32<<20, 9)
	done := make(chan error, 1)
	go func() {
		done <- db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("new"))
			if err != nil {
				return err
			}
			return b.Put([]byte("big"), big)
		})
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.NoError(t, reader.Rollback())
		require.NoError(t, <-done)
		t.Fatal("the writer waited for the open reader")
	}

	// The reader still sees its snapshot and reads it correctly.
	require.Nil(t, reader.Bucket([]byte("new")))
	require.Equal(t, []byte("v"), reader.Bucket([]byte("old")).Get([]byte("k")))
	require.NoError(t, reader.Rollback())
	mustView(t, db, func(tx *bolt.Tx) {
		require.Equal(t, big, tx.Bucket([]byte("new")).Get([]byte("big")))
	})
}
