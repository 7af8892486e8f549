package bolt_test

// Tests of Tx.Page: what it reports for each kind of page, free pages
// included, and the errors for ids it cannot describe.

import (
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

func TestTx_Page_ConsistentAlternation(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	mustUpdate(t, db, func(tx *bolt.Tx) { mustCreate(t, tx, nil, "widgets") })
	for i := 0; i < 10; i++ {
		mustUpdate(t, db, func(tx *bolt.Tx) {
			require.NoError(t, tx.Bucket([]byte("widgets")).Put([]byte("foo"), []byte("bar")))
		})
	}
	// With no readers, each commit reuses the two pages the previous one
	// freed, so the root leaf and the freelist alternate between 2..5.
	mustUpdate(t, db, func(tx *bolt.Tx) {
		want := []string{"meta", "meta", "free", "free", "leaf", "freelist"}
		for id, typ := range want {
			p, err := tx.Page(id)
			require.NoError(t, err)
			require.NotNil(t, p, "page %d", id)
			require.Equal(t, id, p.ID)
			require.Equal(t, typ, p.Type, "page %d", id)
		}
		p, err := tx.Page(6)
		require.NoError(t, err)
		require.Nil(t, p, "page 6 is past the high water mark")
	})
}

func TestTx_Page_Details(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		require.NoError(t, b.Put([]byte("big"), make([]byte, 10000)))
	})
	mustView(t, db, func(tx *bolt.Tx) {
		root := int(tx.Bucket([]byte("b")).Root())
		require.NotZero(t, root)
		p, err := tx.Page(root)
		require.NoError(t, err)
		require.Equal(t, "leaf", p.Type)
		require.Equal(t, 1, p.Count)
		require.Equal(t, 2, p.OverflowCount, "a 10000-byte value spans 3 pages")
	})

	tx, err := db.Begin(false)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	p, err := tx.Page(0)
	requireErrIs(t, berrors.ErrTxClosed, err)
	require.Nil(t, p)
}

func TestTx_Page_ReadOnlyFreelistNotLoaded(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) { mustCreate(t, tx, nil, "b") })
	db.MustClose()

	for _, preload := range []bool{false, true} {
		ro := mustOpenDBAt(t, db.path, &bolt.Options{ReadOnly: true, PreLoadFreelist: preload})
		require.Equal(t, preload, ro.PreLoadFreelist)
		mustView(t, ro, func(tx *bolt.Tx) {
			p, err := tx.Page(0)
			if preload {
				require.NoError(t, err)
				require.Equal(t, "meta", p.Type)
				return
			}
			requireErrIs(t, berrors.ErrFreePagesNotLoaded, err)
			require.Nil(t, p)
			// Beyond the high water mark the answer needs no freelist.
			p, err = tx.Page(1 << 20)
			require.NoError(t, err)
			require.Nil(t, p)
			// Check loads the freelist; afterwards Page works.
			require.NoError(t, checkTx(tx))
			p, err = tx.Page(0)
			require.NoError(t, err)
			require.Equal(t, "meta", p.Type)
		})
		ro.MustClose()
	}
}
