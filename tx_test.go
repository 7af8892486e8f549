package bolt_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// within fails the test if fn does not return within d.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not finish within %v", what, d)
	}
}

func TestTx_CommitRollback_Errors(t *testing.T) {
	tests := []struct {
		name     string
		writable bool
		steps    []func(tx *bolt.Tx) error
		want     []error
	}{
		{"CommitTwice", true,
			[]func(*bolt.Tx) error{(*bolt.Tx).Commit, (*bolt.Tx).Commit},
			[]error{nil, berrors.ErrTxClosed}},
		{"RollbackTwiceRW", true,
			[]func(*bolt.Tx) error{(*bolt.Tx).Rollback, (*bolt.Tx).Rollback},
			[]error{nil, berrors.ErrTxClosed}},
		{"RollbackTwiceRO", false,
			[]func(*bolt.Tx) error{(*bolt.Tx).Rollback, (*bolt.Tx).Rollback},
			[]error{nil, berrors.ErrTxClosed}},
		{"CommitAfterRollback", true,
			[]func(*bolt.Tx) error{(*bolt.Tx).Rollback, (*bolt.Tx).Commit},
			[]error{nil, berrors.ErrTxClosed}},
		{"RollbackAfterCommit", true,
			[]func(*bolt.Tx) error{(*bolt.Tx).Commit, (*bolt.Tx).Rollback},
			[]error{nil, berrors.ErrTxClosed}},
		// A read-only Commit fails but leaves the tx open: it must still be
		// rolled back, once.
		{"CommitReadOnly", false,
			[]func(*bolt.Tx) error{(*bolt.Tx).Commit, (*bolt.Tx).Commit, (*bolt.Tx).Rollback, (*bolt.Tx).Rollback},
			[]error{berrors.ErrTxNotWritable, berrors.ErrTxNotWritable, nil, berrors.ErrTxClosed}},
		{"CommitReadOnlyAfterRollback", false,
			[]func(*bolt.Tx) error{(*bolt.Tx).Rollback, (*bolt.Tx).Commit},
			[]error{nil, berrors.ErrTxClosed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t, nil)
			tx, err := db.Begin(tt.writable)
			require.NoError(t, err)
			for i, step := range tt.steps {
				err := step(tx)
				require.True(t, err == tt.want[i], "step %d: got %v, want %v", i, err, tt.want[i])
			}
			require.Equal(t, 0, db.Stats().OpenTxN)
		})
	}
}

func TestTx_Commit_ReadOnly_TxStaysUsable(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		return b.Put([]byte("k"), []byte("v"))
	}))
	tx, err := db.Begin(false)
	require.NoError(t, err)
	require.True(t, tx.Commit() == berrors.ErrTxNotWritable)
	require.Equal(t, []byte("v"), tx.Bucket([]byte("b")).Get([]byte("k")))
	require.Equal(t, db.DB, tx.DB())
	require.Equal(t, 1, db.Stats().OpenTxN)
	require.NoError(t, tx.Rollback())
	require.Equal(t, 0, db.Stats().OpenTxN)
}

func TestTx_Managed_CommitRollbackPanic(t *testing.T) {
	tests := []struct {
		name   string
		update bool
		call   func(*bolt.Tx) error
		want   string
	}{
		{"UpdateCommit", true, (*bolt.Tx).Commit, "managed tx commit not allowed"},
		{"UpdateRollback", true, (*bolt.Tx).Rollback, "managed tx rollback not allowed"},
		{"ViewCommit", false, (*bolt.Tx).Commit, "managed tx commit not allowed"},
		{"ViewRollback", false, (*bolt.Tx).Rollback, "managed tx rollback not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t, nil)
			run := db.View
			if tt.update {
				run = db.Update
			}
			requirePanicContains(t, tt.want, func() {
				_ = run(func(tx *bolt.Tx) error {
					if tx.Writable() {
						_, err := tx.CreateBucket([]byte("lost"))
						require.NoError(t, err)
					}
					return tt.call(tx)
				})
			})
			assertDBUsable(t, db)
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				require.Nil(t, tx.Bucket([]byte("lost")), "a panicking Update must not commit")
				return nil
			}))
		})
	}
}

// assertDBUsable checks that no tx was left open by a panic: a writer can
// start and commit, readers see the result, and nothing is counted open.
func assertDBUsable(t *testing.T, db *testDB) {
	t.Helper()
	require.Equal(t, 0, db.Stats().OpenTxN)
	within(t, 5*time.Second, "Update after panic", func() {
		assert.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("after"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		}))
	})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, []byte("v"), tx.Bucket([]byte("after")).Get([]byte("k")))
		return nil
	}))
}

func TestTx_Managed_PanicInFn(t *testing.T) {
	type myPanic struct{ n int }
	for _, update := range []bool{true, false} {
		t.Run(fmt.Sprintf("update=%v", update), func(t *testing.T) {
			db := mustOpenDB(t, nil)
			run := db.View
			if update {
				run = db.Update
			}
			require.PanicsWithValue(t, myPanic{42}, func() {
				_ = run(func(tx *bolt.Tx) error {
					if tx.Writable() {
						_, err := tx.CreateBucket([]byte("lost"))
						require.NoError(t, err)
					}
					panic(myPanic{42})
				})
			})
			assertDBUsable(t, db)
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				require.Nil(t, tx.Bucket([]byte("lost")))
				return nil
			}))
		})
	}
}

func TestTx_OnCommit_RunsInOrderAfterCommit(t *testing.T) {
	db := mustOpenDB(t, nil)
	var order []int
	x := 0
	var handlerSawCommit, handlerCouldWrite bool
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		tx.OnCommit(func() { x += 1; order = append(order, 1) })
		tx.OnCommit(func() { x += 2; order = append(order, 2) })
		tx.OnCommit(func() {
			order = append(order, 3)
			// The commit is durable and visible before handlers run.
			_ = db.View(func(tx *bolt.Tx) error {
				handlerSawCommit = tx.Bucket([]byte("b")) != nil
				return nil
			})
			// The writer lock is already released.
			done := make(chan error, 1)
			go func() {
				done <- db.Update(func(tx *bolt.Tx) error {
					_, err := tx.CreateBucket([]byte("from-handler"))
					return err
				})
			}()
			select {
			case err := <-done:
				handlerCouldWrite = err == nil
			case <-time.After(5 * time.Second):
			}
		})
		_, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		require.Empty(t, order, "handlers must not run before commit")
		return nil
	}))
	require.Equal(t, 3, x)
	require.Equal(t, []int{1, 2, 3}, order)
	require.True(t, handlerSawCommit)
	require.True(t, handlerCouldWrite, "a handler could not start a write tx")
}

func TestTx_OnCommit_NotRun(t *testing.T) {
	tests := []struct {
		name string
		run  func(db *testDB, register func(*bolt.Tx)) error
	}{
		{"UpdateReturnsError", func(db *testDB, register func(*bolt.Tx)) error {
			err := db.Update(func(tx *bolt.Tx) error {
				register(tx)
				return errors.New("fail")
			})
			if err == nil || err.Error() != "fail" {
				return fmt.Errorf("unexpected Update result %v", err)
			}
			return nil
		}},
		{"ManualRollback", func(db *testDB, register func(*bolt.Tx)) error {
			tx, err := db.Begin(true)
			if err != nil {
				return err
			}
			register(tx)
			return tx.Rollback()
		}},
		{"ReadOnlyTx", func(db *testDB, register func(*bolt.Tx)) error {
			return db.View(func(tx *bolt.Tx) error {
				register(tx)
				return nil
			})
		}},
		{"ReadOnlyTxRollback", func(db *testDB, register func(*bolt.Tx)) error {
			tx, err := db.Begin(false)
			if err != nil {
				return err
			}
			register(tx)
			if err := tx.Commit(); err != berrors.ErrTxNotWritable {
				return fmt.Errorf("commit of RO tx: %v", err)
			}
			return tx.Rollback()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t, nil)
			ran := 0
			require.NoError(t, tt.run(db, func(tx *bolt.Tx) {
				tx.OnCommit(func() { ran++ })
			}))
			require.Zero(t, ran)
			// A later, unrelated commit must not run the stale handler either.
			require.NoError(t, db.Update(func(tx *bolt.Tx) error { return nil }))
			require.Zero(t, ran)
		})
	}
}

func TestTx_Accessors(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps})

	ro, err := db.Begin(false)
	require.NoError(t, err)
	require.Equal(t, 1, ro.ID(), "fresh file: meta txid 1 is the active one")
	require.False(t, ro.Writable())
	require.Equal(t, db.DB, ro.DB())
	require.Equal(t, int64(4*ps), ro.Size())

	rw, err := db.Begin(true)
	require.NoError(t, err)
	require.Equal(t, 2, rw.ID())
	require.True(t, rw.Writable())
	require.Equal(t, db.DB, rw.DB())
	_, err = rw.CreateBucket([]byte("widgets"))
	require.NoError(t, err)
	require.NoError(t, rw.Commit())
	require.Equal(t, -1, rw.ID())
	require.Nil(t, rw.DB())

	// The old reader keeps its snapshot.
	require.Equal(t, 1, ro.ID())
	require.Equal(t, int64(4*ps), ro.Size())
	require.Nil(t, ro.Bucket([]byte("widgets")))
	require.NoError(t, ro.Rollback())
	require.Equal(t, -1, ro.ID())
	require.Nil(t, ro.DB())

	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, 2, tx.ID())
		require.Equal(t, int64(6*ps), tx.Size(), "high water mark 6 after the first commit")
		return nil
	}))

	// A rolled back writer does not consume a txid.
	rw, err = db.Begin(true)
	require.NoError(t, err)
	require.Equal(t, 3, rw.ID())
	require.NoError(t, rw.Rollback())
	rw, err = db.Begin(true)
	require.NoError(t, err)
	require.Equal(t, 3, rw.ID())
	require.NoError(t, rw.Rollback())

	var nilTx *bolt.Tx
	require.Equal(t, -1, nilTx.ID())
}

func TestTx_Commit_EmptyTxAdvancesTxidAndAlternatesMeta(t *testing.T) {
	db := mustOpenDB(t, nil)
	for i := 0; i < 5; i++ {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error { return nil }))
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, 2+i, tx.ID())
			return nil
		}))
	}
	db.MustClose()
	buf, err := os.ReadFile(db.path)
	require.NoError(t, err)
	ps := os.Getpagesize()
	m0, m1 := readMeta(buf[:ps]), readMeta(buf[ps:2*ps])
	require.Equal(t, uint64(6), m0.Txid, "even txids go to meta page 0")
	require.Equal(t, uint64(5), m1.Txid, "odd txids go to meta page 1")
	require.Equal(t, metaChecksum(buf[:ps]), m0.Checksum)
	require.Equal(t, metaChecksum(buf[ps:2*ps]), m1.Checksum)
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, 6, tx.ID())
		return nil
	}))
}

func TestTx_Rollback_HidesWrites(t *testing.T) {
	for _, noFreelistSync := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoFreelistSync=%v", noFreelistSync), func(t *testing.T) {
			db := mustOpenDB(t, &bolt.Options{NoFreelistSync: noFreelistSync})
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("b"))
				require.NoError(t, err)
				return b.Put([]byte("kept"), []byte("1"))
			}))
			for i := 0; i < 10; i++ {
				tx, err := db.Begin(true)
				require.NoError(t, err)
				b := tx.Bucket([]byte("b"))
				require.NoError(t, b.Put([]byte("dropped"), make([]byte, 3000)))
				require.NoError(t, b.Delete([]byte("kept")))
				_, err = tx.CreateBucket([]byte(fmt.Sprintf("dropped-%d", i)))
				require.NoError(t, err)
				require.NotNil(t, b.Get([]byte("dropped")))
				require.NoError(t, tx.Rollback())

				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("b")).Put([]byte(fmt.Sprintf("n%02d", i)), []byte("x"))
				}))
			}
			verify := func() {
				require.NoError(t, db.View(func(tx *bolt.Tx) error {
					b := tx.Bucket([]byte("b"))
					require.Nil(t, b.Get([]byte("dropped")))
					require.Equal(t, []byte("1"), b.Get([]byte("kept")))
					for i := 0; i < 10; i++ {
						require.Nil(t, tx.Bucket([]byte(fmt.Sprintf("dropped-%d", i))))
						require.Equal(t, []byte("x"), b.Get([]byte(fmt.Sprintf("n%02d", i))))
					}
					return nil
				}))
				mustCheck(t, db.DB)
			}
			verify()
			db.MustReopen()
			verify()
		})
	}
}

func TestTx_LongReaders_KeepTheirSnapshot(t *testing.T) {
	for _, ft := range []bolt.FreelistType{bolt.FreelistArrayType, bolt.FreelistMapType} {
		t.Run(string(ft), func(t *testing.T) { testLongReaders(t, ft) })
	}
}

func testLongReaders(t *testing.T, freelistType bolt.FreelistType) {
	// A large initial mapping keeps a writer from having to remap while
	// this goroutine holds readers (bbolt would wait for them).
	db := mustOpenDB(t, &bolt.Options{InitialMmapSize: 16 << 20, NoSync: true, FreelistType: freelistType})
	model := map[string]string{}
	pad := strings.Repeat("x", 200)
	commit := func(i int) {
		t.Helper()
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("kv"))
			require.NoError(t, err)
			k, v := fmt.Sprintf("k%02d", i%37), fmt.Sprintf("v%04d-%s", i, pad)
			require.NoError(t, b.Put([]byte(k), []byte(v)))
			model[k] = v
			if i%3 == 0 {
				dk := fmt.Sprintf("k%02d", (i*7)%37)
				require.NoError(t, b.Delete([]byte(dk)))
				delete(model, dk)
			}
			return nil
		}))
	}
	contents := func(tx *bolt.Tx) map[string]string {
		got := map[string]string{}
		c := tx.Bucket([]byte("kv")).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			got[string(k)] = string(v)
		}
		return got
	}

	type reader struct {
		tx   *bolt.Tx
		want map[string]string
	}
	var readers []*reader
	for i := 0; i < 60; i++ {
		commit(i)
		if i%5 == 0 {
			tx, err := db.Begin(false)
			require.NoError(t, err)
			readers = append(readers, &reader{tx, maps.Clone(model)})
		}
	}
	require.Len(t, readers, 12)
	require.Greater(t, db.Stats().PendingPageN, 0, "pages freed under open readers stay pending")
	for i, r := range readers {
		require.Equal(t, r.want, contents(r.tx), "reader %d", i)
	}

	// Close readers so that gaps open between the remaining ones; each
	// gap's pages become reusable and the commits below reuse them.
	for n, idx := range []int{1, 3, 5, 7, 9, 11, 0, 4, 8, 2, 6, 10} {
		require.NoError(t, readers[idx].tx.Rollback())
		readers[idx].tx = nil
		commit(100 + n)
		commit(200 + n)
		for i, r := range readers {
			if r.tx != nil {
				require.Equal(t, r.want, contents(r.tx), "reader %d after closing reader %d", i, idx)
			}
		}
	}

	// With no readers left, freed pages are reused and the file stops
	// growing.
	commit(300)
	commit(301)
	var hwm int64
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, model, contents(tx))
		hwm = tx.Size()
		return nil
	}))
	for i := 302; i < 330; i++ {
		commit(i)
	}
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, model, contents(tx))
		require.Equal(t, hwm, tx.Size(), "high water mark grew without readers")
		return nil
	}))
}

func TestTx_RootForEachAndCursor(t *testing.T) {
	db := mustOpenDB(t, nil)
	names := []string{"alpha", "beta", "gamma", "zeta"}
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		for i := len(names) - 1; i >= 0; i-- {
			b, err := tx.CreateBucket([]byte(names[i]))
			require.NoError(t, err)
			require.NoError(t, b.Put([]byte("name"), []byte(names[i])))
		}
		return nil
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		var got []string
		require.NoError(t, tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			require.NotNil(t, b)
			require.Equal(t, name, b.Get([]byte("name")))
			got = append(got, string(name))
			return nil
		}))
		require.Equal(t, names, got)

		got = nil
		c := tx.Cursor()
		require.Equal(t, tx, c.Bucket().Tx())
		for k, v := c.First(); k != nil; k, v = c.Next() {
			require.Nil(t, v, "root cursor values are nil")
			got = append(got, string(k))
		}
		require.Equal(t, names, got)
		k, v := c.Last()
		require.Equal(t, []byte("zeta"), k)
		require.Nil(t, v)

		stop := errors.New("stop")
		got = nil
		err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			got = append(got, string(name))
			if len(got) == 2 {
				return stop
			}
			return nil
		})
		require.True(t, err == stop, "got %v", err)
		require.Equal(t, names[:2], got)
		return nil
	}))
}

func TestTx_Errors(t *testing.T) {
	ops := []struct {
		name string
		run  func(tx *bolt.Tx) error
	}{
		{"CreateBucket", func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("new")); return err }},
		{"CreateBucketEmptyName", func(tx *bolt.Tx) error { _, err := tx.CreateBucket(nil); return err }},
		{"CreateBucketIfNotExists", func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("b")); return err }},
		{"DeleteBucket", func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("b")) }},
		{"DeleteBucketMissing", func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("missing")) }},
	}
	states := []struct {
		name string
		tx   func(t *testing.T, db *testDB) *bolt.Tx
		want error
	}{
		{"Closed", func(t *testing.T, db *testDB) *bolt.Tx {
			tx, err := db.Begin(true)
			require.NoError(t, err)
			require.NoError(t, tx.Rollback())
			return tx
		}, berrors.ErrTxClosed},
		{"Committed", func(t *testing.T, db *testDB) *bolt.Tx {
			tx, err := db.Begin(true)
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
			return tx
		}, berrors.ErrTxClosed},
		{"ReadOnly", func(t *testing.T, db *testDB) *bolt.Tx {
			tx, err := db.Begin(false)
			require.NoError(t, err)
			t.Cleanup(func() { _ = tx.Rollback() })
			return tx
		}, berrors.ErrTxNotWritable},
	}
	for _, st := range states {
		for _, op := range ops {
			t.Run(st.name+"/"+op.name, func(t *testing.T) {
				db := mustOpenDB(t, nil)
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					_, err := tx.CreateBucket([]byte("b"))
					return err
				}))
				err := op.run(st.tx(t, db))
				require.True(t, err == st.want, "got %v, want %v", err, st.want)
			})
		}
	}
	t.Run("Closed/ForEach", func(t *testing.T) {
		db := mustOpenDB(t, nil)
		tx, err := db.Begin(false)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		err = tx.ForEach(func([]byte, *bolt.Bucket) error { return nil })
		require.True(t, err == berrors.ErrTxClosed, "got %v", err)
	})
}

func TestTx_BucketLifecycle(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket([]byte("b")))
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		require.NoError(t, b.Put([]byte("k"), []byte("v")))
		_, err = tx.CreateBucket([]byte("b"))
		require.True(t, err == berrors.ErrBucketExists, "got %v", err)
		b2, err := tx.CreateBucketIfNotExists([]byte("b"))
		require.NoError(t, err)
		require.Equal(t, []byte("v"), b2.Get([]byte("k")))
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		require.NoError(t, err)
		require.Equal(t, []byte("v"), b.Get([]byte("k")))
		require.NoError(t, tx.DeleteBucket([]byte("b")))
		require.Nil(t, tx.Bucket([]byte("b")))
		err = tx.DeleteBucket([]byte("b"))
		require.True(t, err == berrors.ErrBucketNotFound, "got %v", err)
		return nil
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket([]byte("b")))
		return nil
	}))
}

func TestTx_Stats_CountsWork(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		for i := 0; i < 2000; i++ {
			require.NoError(t, b.Put(u64key(uint64(i)), make([]byte, 50)))
		}
		before := tx.Stats()
		_ = b.Get(u64key(7))
		after := tx.Stats()
		require.Greater(t, after.GetCursorCount(), before.GetCursorCount())
		return nil
	}))
	s := db.Stats().TxStats
	require.Greater(t, s.GetSpill(), int64(1), "several nodes were written")
	require.Greater(t, s.GetSplit(), int64(0), "the big leaf was split")
	require.Greater(t, s.GetWrite(), int64(1), "data pages plus the meta page")
	require.Greater(t, s.GetPageCount(), int64(2))
	require.Equal(t, s.GetPageCount()*int64(db.Info().PageSize), s.GetPageAlloc())
}

// TestTx_Commit_ManySmallKeysLargePages: with 2 MiB pages, 70,000 keys of
// three bytes fit one page by bytes but not by element count (a page holds
// at most 65,534): the node is split on count too, so Commit succeeds and
// every key reads back after reopening. (Splitting on bytes only, Commit
// panicked.)
func TestTx_Commit_ManySmallKeysLargePages(t *testing.T) {
	const n = 70000
	db := mustOpenDB(t, &bolt.Options{PageSize: 2 << 20, NoSync: true})
	key := func(i int) []byte { return []byte{byte(i >> 16), byte(i >> 8), byte(i)} }
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := b.Put(key(i), []byte{}); err != nil {
				return err
			}
		}
		return nil
	}))
	db.MustReopen()
	mustView(t, db, func(tx *bolt.Tx) {
		require.NoError(t, checkTx(tx))
		b := tx.Bucket([]byte("b"))
		s := b.Stats()
		require.Equal(t, n, s.KeyN)
		require.GreaterOrEqual(t, s.LeafPageN, 2, "split on element count")
		i := 0
		require.NoError(t, b.ForEach(func(k, _ []byte) error {
			require.Equal(t, key(i), k)
			i++
			return nil
		}))
		require.Equal(t, n, i)
	})
}

// damageFreelistWithLiveLeaf builds a database whose bucket "b" has a
// branch root over several leaves, then rewrites its free-list page to
// list the second leaf, which is live. It returns the path, the page size
// and that leaf's page id.
func damageFreelistWithLiveLeaf(t *testing.T) (string, int, uint64) {
	t.Helper()
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps, NoSync: true})
	fillBucket(t, db, "b", 400, fmtKey, func(int) []byte { return make([]byte, 100) })
	var root uint64
	mustView(t, db, func(tx *bolt.Tx) { root = uint64(tx.Bucket([]byte("b")).Root()) })
	db.MustClose()

	f, err := os.OpenFile(db.path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	page := make([]byte, ps)
	_, err = f.ReadAt(page, int64(root)*ps)
	require.NoError(t, err)
	require.Equal(t, uint16(0x01), ne.Uint16(page[offPageFlags:]), "the root of b is a branch")
	require.Greater(t, ne.Uint16(page[offPageCount:]), uint16(2))
	const branchElem, offPgid = 16, 8
	live := ne.Uint64(page[16+1*branchElem+offPgid:])

	// The meta with the higher txid names the free-list page.
	var m metaFields
	for i := int64(0); i < 2; i++ {
		_, err = f.ReadAt(page, i*ps)
		require.NoError(t, err)
		if mi := readMeta(page); mi.Txid >= m.Txid {
			m = mi
		}
	}
	require.NotEqual(t, noFreelist, m.Freelist)
	clear(page)
	ne.PutUint64(page[offPageID:], m.Freelist)
	ne.PutUint16(page[offPageFlags:], pageFlagFL)
	ne.PutUint16(page[offPageCount:], 1)
	ne.PutUint64(page[16:], live)
	_, err = f.WriteAt(page, int64(m.Freelist)*ps)
	require.NoError(t, err)
	return db.path, ps, live
}

// TestTx_Check_FreelistListsLivePage: Check reports a live page that the
// free list lists as "reachable freed".
func TestTx_Check_FreelistListsLivePage(t *testing.T) {
	path, _, live := damageFreelistWithLiveLeaf(t)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		err := checkTx(tx)
		require.Error(t, err)
		require.Contains(t, err.Error(), fmt.Sprintf("page %d: reachable freed", live))
		return nil
	}))
}

// TestTx_Commit_ReusedPageStillReachable: a commit that takes a live page
// from a damaged free list, while a node it rewrites still points at that
// page, fails with ErrCorrupt before writing anything, so the live data
// survives. (Before, the commit overwrote the leaf and lost its keys.)
func TestTx_Commit_ReusedPageStillReachable(t *testing.T) {
	path, _, _ := damageFreelistWithLiveLeaf(t)
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	// Changing the first leaf rewrites it and its parent branch, which
	// still points at the second leaf: the new first leaf would be given
	// the second leaf's page.
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).Put(fmtKey(0), []byte("changed"))
	})
	require.ErrorIs(t, err, bolt.ErrCorrupt)
	require.Contains(t, err.Error(), "still reachable")
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		for i := 0; i < 400; i++ {
			require.Equal(t, make([]byte, 100), b.Get(fmtKey(i)), "key %d", i)
		}
		return nil
	}))
}
