package bolt_test

// Intended divergence from bbolt v1.5.0: moving a bucket that was opened and
// changed earlier in the same transaction keeps those changes. bbolt moves
// the bucket's last committed value and drops the opened child, so its
// changes vanish, and pages the child had already freed (a nested bucket it
// deleted) stay referenced by the moved value: bbolt's Check then reports
// "reachable freed". These tests fail against bbolt by design.

import (
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

func TestMoveBucket_KeepsChangesMadeEarlierInTx(t *testing.T) {
	for _, tc := range []struct {
		name string
		fill func(testing.TB, *bolt.Bucket)
	}{
		{"inline", func(tb testing.TB, b *bolt.Bucket) { mvFillInline(tb, b, 42) }},
		{"paged", mvFillLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				mvCreatePath(t, tx, "dst")
				tc.fill(t, mvCreatePath(t, tx, "src", "m"))
				return nil
			}))
			var want string
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				m := mvPath(tx, "src", "m")
				require.NoError(t, m.Put([]byte("added"), []byte("in this tx")))
				require.NoError(t, m.Delete([]byte("a")))
				require.NoError(t, m.Delete(u64key(7)))
				_, err := m.NextSequence()
				require.NoError(t, err)
				nested, err := m.CreateBucket([]byte("new nested"))
				require.NoError(t, err)
				require.NoError(t, nested.Put([]byte("k"), []byte("v")))
				if n1 := m.Bucket([]byte("n1")); n1 != nil {
					require.NoError(t, n1.Put([]byte("deep"), []byte("change")))
				}
				want = mvDump(m)

				require.NoError(t, tx.MoveBucket([]byte("m"), mvPath(tx, "src"), mvPath(tx, "dst")))
				require.Equal(t, want, mvDump(mvPath(tx, "dst", "m")), "same transaction")
				return nil
			}))
			mustCheck(t, db.DB)
			db.MustReopen()
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				require.Nil(t, mvPath(tx, "src", "m"))
				require.Equal(t, want, mvDump(mvPath(tx, "dst", "m")), "after reopen")
				return nil
			}))
		})
	}
}

// A bucket created in the same transaction moves with its contents.
func TestMoveBucket_CreatedInSameTx(t *testing.T) {
	db := mustOpenDB(t, nil)
	var want string
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		dst := mvCreatePath(t, tx, "dst")
		m := mvCreatePath(t, tx, "src", "m")
		mvFillLarge(t, m)
		want = mvDump(m)
		require.NoError(t, tx.MoveBucket([]byte("m"), mvPath(tx, "src"), dst))
		return nil
	}))
	mustCheck(t, db.DB)
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, mvPath(tx, "src", "m"))
		require.Equal(t, want, mvDump(mvPath(tx, "dst", "m")))
		return nil
	}))
}

// Deleting a nested bucket and then moving its parent in one transaction
// leaves no freed page reachable.
func TestMoveBucket_AfterDeletingNestedBucket(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		mvCreatePath(t, tx, "dst")
		mvFillLarge(t, mvCreatePath(t, tx, "src", "m"))
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		m := mvPath(tx, "src", "m")
		require.NoError(t, m.DeleteBucket([]byte("n1")))
		return tx.MoveBucket([]byte("m"), mvPath(tx, "src"), mvPath(tx, "dst"))
	}))
	mustCheck(t, db.DB)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, mvPath(tx, "dst", "m", "n1"))
		require.NotNil(t, mvPath(tx, "dst", "m", "emptychild"))
		return nil
	}))
}
