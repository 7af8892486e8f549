package bolt_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// inspectBuild creates the tree described by want under parent (nil: the
// root): KeyN plain pairs per bucket, then the children, in reverse order so
// that Inspect has to sort them by key itself.
func inspectBuild(tb testing.TB, tx *bolt.Tx, parent *bolt.Bucket, want bolt.BucketStructure) {
	tb.Helper()
	if parent != nil {
		for i := want.KeyN - 1; i >= 0; i-- {
			require.NoError(tb, parent.Put([]byte(fmt.Sprintf("k%03d", i)), []byte(fmt.Sprintf("v%d", i))))
		}
	}
	for i := len(want.Children) - 1; i >= 0; i-- {
		child := want.Children[i]
		var b *bolt.Bucket
		var err error
		if parent == nil {
			b, err = tx.CreateBucket([]byte(child.Name))
		} else {
			b, err = parent.CreateBucket([]byte(child.Name))
		}
		require.NoError(tb, err)
		inspectBuild(tb, tx, b, child)
	}
}

var inspectTree = bolt.BucketStructure{
	Name: "root",
	Children: []bolt.BucketStructure{
		{Name: "a", KeyN: 3, Children: []bolt.BucketStructure{
			{Name: "a1", KeyN: 0},
			{Name: "a2", KeyN: 600}, // page-backed
			{Name: "b0", KeyN: 1, Children: []bolt.BucketStructure{
				{Name: "deep", KeyN: 2, Children: []bolt.BucketStructure{
					{Name: "deeper", KeyN: 1},
				}},
			}},
		}},
		{Name: "b", KeyN: 0},
		{Name: "c", KeyN: 12, Children: []bolt.BucketStructure{
			{Name: "k000", KeyN: 4}, // sorts before the plain key k001
			{Name: "zz", KeyN: 0, Children: []bolt.BucketStructure{
				{Name: "only", KeyN: 0},
			}},
		}},
	},
}

func TestTx_Inspect_Structure(t *testing.T) {
	// Bucket "c" gets plain keys k000..k011 and a bucket named k000: make
	// the tree without that clash.
	want := inspectTree
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		inspectBuild(t, tx, nil, bolt.BucketStructure{Children: []bolt.BucketStructure{want.Children[0], want.Children[1]}})
		c, err := tx.CreateBucket([]byte("c"))
		require.NoError(t, err)
		for i := 1; i <= 12; i++ {
			require.NoError(t, c.Put([]byte(fmt.Sprintf("k%03d", i)), []byte{}))
		}
		inspectBuild(t, tx, c, bolt.BucketStructure{Children: want.Children[2].Children})
		// Within the writing tx, before commit.
		require.Equal(t, want, tx.Inspect())
		return nil
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, want, tx.Inspect())
		return nil
	}))
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, want, tx.Inspect())
		return nil
	}))
}

func TestBucket_Inspect_SubBucketIsNamedRoot(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		inspectBuild(t, tx, nil, bolt.BucketStructure{Children: inspectTree.Children[:2]})
		return nil
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		a := tx.Bucket([]byte("a"))
		got := a.Inspect()
		want := inspectTree.Children[0]
		want.Name = "root"
		require.Equal(t, want, got)

		deep := a.Bucket([]byte("b0")).Bucket([]byte("deep"))
		require.Equal(t, bolt.BucketStructure{Name: "root", KeyN: 2, Children: []bolt.BucketStructure{{Name: "deeper", KeyN: 1}}}, deep.Inspect())
		require.Equal(t, bolt.BucketStructure{Name: "root"}, tx.Bucket([]byte("b")).Inspect())
		return nil
	}))
}

func TestTx_Inspect_Empty(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		got := tx.Inspect()
		require.Equal(t, bolt.BucketStructure{Name: "root"}, got)
		require.Nil(t, got.Children)
		return nil
	}))
}

func TestBucketStructure_JSON(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		a, err := tx.CreateBucket([]byte("a"))
		require.NoError(t, err)
		require.NoError(t, a.Put([]byte("x"), []byte("1")))
		b, err := a.CreateBucket([]byte("b"))
		require.NoError(t, err)
		require.NoError(t, b.Put([]byte("y"), []byte("2")))
		require.NoError(t, b.Put([]byte("z"), []byte("3")))
		_, err = tx.CreateBucket([]byte("e"))
		return err
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		out, err := json.Marshal(tx.Inspect())
		require.NoError(t, err)
		require.Equal(t,
			`{"name":"root","keyN":0,"buckets":[{"name":"a","keyN":1,"buckets":[{"name":"b","keyN":2}]},{"name":"e","keyN":0}]}`,
			string(out))

		var back bolt.BucketStructure
		require.NoError(t, json.Unmarshal(out, &back))
		require.Equal(t, tx.Inspect(), back)
		return nil
	}))
}

// Inspect on a read-write tx sees uncommitted deletions and moves.
func TestTx_Inspect_SeesUncommittedChanges(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		inspectBuild(t, tx, nil, bolt.BucketStructure{Children: inspectTree.Children[:2]})
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		a := tx.Bucket([]byte("a"))
		require.NoError(t, a.DeleteBucket([]byte("a2")))
		require.NoError(t, a.Delete([]byte("k000")))
		require.NoError(t, tx.MoveBucket([]byte("b0"), a, tx.Bucket([]byte("b"))))
		want := bolt.BucketStructure{Name: "root", Children: []bolt.BucketStructure{
			{Name: "a", KeyN: 2, Children: []bolt.BucketStructure{{Name: "a1"}}},
			{Name: "b", Children: []bolt.BucketStructure{inspectTree.Children[0].Children[2]}},
		}}
		require.Equal(t, want, tx.Inspect())
		return nil
	}))
}
