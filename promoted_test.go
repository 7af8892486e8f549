package bolt_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// bbolt's Bucket embeds a pointer to its header, so the header's methods
// are in the method set of the Bucket value, not only of *Bucket. Code that
// formats a Bucket value, or uses a method expression on it, must compile
// and behave the same here.
var (
	_ fmt.Stringer                      = bolt.Bucket{}
	_ func(bolt.Bucket) bolt.Pgid       = bolt.Bucket.RootPage
	_ func(bolt.Bucket, bolt.Pgid)      = bolt.Bucket.SetRootPage
	_ func(bolt.Bucket) uint64          = bolt.Bucket.InSequence
	_ func(bolt.Bucket, uint64)         = bolt.Bucket.SetInSequence
	_ func(bolt.Bucket)                 = bolt.Bucket.IncSequence
	_ func(bolt.Bucket) string          = bolt.Bucket.String
	_ interface{ RootPage() bolt.Pgid } = bolt.Bucket{}
)

func TestBucket_PromotedMethods_OnValue(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		inline, err := tx.CreateBucket([]byte("inline"))
		require.NoError(t, err)
		require.NoError(t, inline.Put([]byte("k"), []byte("v")))
		require.NoError(t, inline.SetSequence(5))

		v := *inline
		require.Equal(t, bolt.Pgid(0), bolt.Bucket.RootPage(v), "an inline bucket has no root page")
		require.Equal(t, uint64(5), bolt.Bucket.InSequence(v))
		require.Equal(t, "<pgid=0,seq=5>", fmt.Sprint(v))
		require.Equal(t, "<pgid=0,seq=5>", v.String())

		// A copy shares its header with the original, as in bbolt.
		v.IncSequence()
		require.Equal(t, uint64(6), inline.Sequence())
		v.SetInSequence(9)
		require.Equal(t, uint64(9), inline.InSequence())
	})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		big, err := tx.CreateBucket([]byte("big"))
		require.NoError(t, err)
		for i := 0; i < 1000; i++ {
			require.NoError(t, big.Put(fmt.Appendf(nil, "key-%06d", i), make([]byte, 100)))
		}
	})
	db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("big"))
		require.NotNil(t, b)
		root := b.RootPage()
		require.NotZero(t, root, "1000 keys of 100 bytes do not fit inline")
		require.Equal(t, root, b.Root())
		require.Equal(t, root, bolt.Bucket.RootPage(*b))
		require.Equal(t, fmt.Sprintf("<pgid=%d,seq=0>", root), fmt.Sprintf("%v", *b))
		require.Equal(t, fmt.Sprintf("<pgid=%d,seq=0>", root), fmt.Sprintf("%v", b))
		return nil
	})
}
