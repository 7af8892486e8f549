package bolt_test

// Tests of Tx.Page: what it reports for each kind of page, free pages
// included, and the errors for ids it cannot describe.

import (
	"fmt"
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

// TestTx_Page_ReaderSeesItsSnapshot: a reader decides "free" from the free
// list of its own snapshot, not from the writer's. A leaf a later commit
// freed is still a leaf to a reader that began before it, and a page free in
// the reader's snapshot stays free to it after a commit reuses it.
func TestTx_Page_ReaderSeesItsSnapshot(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, mustCreate(t, tx, nil, "b").Put([]byte("k"), make([]byte, 2000)))
	})
	reader, err := db.Begin(false)
	require.NoError(t, err)
	defer func() { require.NoError(t, reader.Rollback()) }()
	leaf := int(reader.Bucket([]byte("b")).Root())
	require.NotZero(t, leaf, "the bucket must not be inline")
	var freeBefore []int
	for id := 2; id < int(reader.Size())/4096; id++ {
		p, err := reader.Page(id)
		require.NoError(t, err)
		if p.Type == "free" {
			freeBefore = append(freeBefore, id)
		}
	}
	require.NotEmpty(t, freeBefore)

	for i := 0; i < 3; i++ {
		mustUpdate(t, db, func(tx *bolt.Tx) {
			require.NoError(t, tx.Bucket([]byte("b")).Put([]byte("k"), make([]byte, 2000+i)))
		})
	}
	mustView(t, db, func(tx *bolt.Tx) {
		p, err := tx.Page(leaf)
		require.NoError(t, err)
		require.Equal(t, "free", p.Type, "the later commits freed the old leaf")
	})
	p, err := reader.Page(leaf)
	require.NoError(t, err)
	require.Equal(t, "leaf", p.Type, "the reader's snapshot still reaches page %d", leaf)
	for _, id := range freeBefore {
		p, err := reader.Page(id)
		require.NoError(t, err)
		require.Equal(t, "free", p.Type, "page %d", id)
	}
}

// TestTx_Page_ConcurrentCommits calls Tx.Page in read transactions while
// another goroutine commits. Under -race this caught readers reading the
// writer's free list; in any build each reader must see the same answer for
// every page twice over, since its snapshot does not change.
func TestTx_Page_ConcurrentCommits(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096, NoSync: true})
	fillBucket(t, db, "b", 200, fmtKey, func(int) []byte { return make([]byte, 64) })
	done := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for {
			select {
			case <-done:
				return
			default:
			}
			err := db.View(func(tx *bolt.Tx) error {
				n := int(tx.Size() / 4096)
				first := make([]string, n)
				for pass := 0; pass < 2; pass++ {
					for id := 0; id < n; id++ {
						p, err := tx.Page(id)
						if err != nil {
							return err
						}
						if pass == 0 {
							first[id] = p.Type
						} else if p.Type != first[id] {
							return fmt.Errorf("page %d of txid %d was %s, then %s", id, tx.ID(), first[id], p.Type)
						}
					}
				}
				return nil
			})
			if err != nil {
				errc <- err
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		mustUpdate(t, db, func(tx *bolt.Tx) {
			b := tx.Bucket([]byte("b"))
			require.NoError(t, b.Put(fmtKey(i%200), make([]byte, 64+i%7)))
			require.NoError(t, b.Delete(fmtKey((i+100)%200)))
		})
	}
	close(done)
	require.NoError(t, <-errc)
}
