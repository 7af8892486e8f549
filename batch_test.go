package bolt_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// batchPut returns a Batch function that puts key=val into bucket "b" and
// records the id of the tx it ran in.
func batchPut(key, val string, txid *atomic.Int64) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		if txid != nil {
			txid.Store(int64(tx.ID()))
		}
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), []byte(val))
	}
}

// batchGet reads key from bucket "b" (nil when missing).
func batchGet(tb testing.TB, db *bolt.DB, key string) []byte {
	tb.Helper()
	var v []byte
	require.NoError(tb, db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte("b")); b != nil {
			if got := b.Get([]byte(key)); got != nil {
				v = append([]byte{}, got...)
			}
		}
		return nil
	}))
	return v
}

// With MaxBatchSize n and a delay that never expires, n calls run together
// in one transaction, and none of them runs before the n-th arrives.
func TestDB_Batch_Full(t *testing.T) {
	for _, n := range []int{3, 50} {
		t.Run(fmt.Sprint("size=", n), func(t *testing.T) {
			db := mustOpenDB(t, nil)
			db.MaxBatchSize = n
			db.MaxBatchDelay = time.Hour

			var ran atomic.Int64
			txids := make([]atomic.Int64, n)
			errs := make(chan error, n)
			call := func(i int) {
				errs <- db.Batch(func(tx *bolt.Tx) error {
					ran.Add(1)
					return batchPut(fmt.Sprint("k", i), "v", &txids[i])(tx)
				})
			}
			for i := 0; i < n-1; i++ {
				go call(i)
			}
			time.Sleep(100 * time.Millisecond)
			require.Zero(t, ran.Load(), "ran before the batch was full")
			select {
			case err := <-errs:
				t.Fatalf("a call returned early: %v", err)
			default:
			}

			go call(n - 1)
			for i := 0; i < n; i++ {
				require.NoError(t, <-errs)
			}
			require.EqualValues(t, n, ran.Load(), "each call ran once")
			for i := 0; i < n; i++ {
				require.Equal(t, txids[0].Load(), txids[i].Load(), "call %d in another tx", i)
				require.Equal(t, []byte("v"), batchGet(t, db.DB, fmt.Sprint("k", i)))
			}
		})
	}
}

func TestDB_Batch_ClosedOrReadOnly(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		db := mustOpenDB(t, nil)
		db.MustClose()
		called := false
		err := db.Batch(func(*bolt.Tx) error { called = true; return nil })
		require.Equal(t, berrors.ErrDatabaseNotOpen, err)
		require.False(t, called)
	})
	t.Run("never opened", func(t *testing.T) {
		var db bolt.DB
		require.Equal(t, berrors.ErrDatabaseNotOpen, db.Batch(func(*bolt.Tx) error { return nil }))
	})
	t.Run("read-only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "db")
		mustOpenDBAt(t, path, nil).MustClose()
		db := mustOpenDBAt(t, path, &bolt.Options{ReadOnly: true})
		db.MaxBatchSize = 3
		db.MaxBatchDelay = time.Hour
		var called atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Batch(func(*bolt.Tx) error { called.Store(true); return nil })
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.Equal(t, berrors.ErrDatabaseReadOnly, err, "every caller of the batch gets the Update error")
		}
		require.False(t, called.Load())
	})
}

// forBatchModes runs test once with bbolt's batching and once with
// GroupCommit, each on a fresh DB opened with the option set.
func forBatchModes(t *testing.T, test func(t *testing.T, db *testDB)) {
	for _, group := range []bool{false, true} {
		name := "default"
		if group {
			name = "group"
		}
		t.Run(name, func(t *testing.T) {
			db := mustOpenDB(t, &bolt.Options{GroupCommit: group})
			require.Equal(t, group, db.GroupCommit, "Open copies Options.GroupCommit")
			test(t, db)
		})
	}
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// callResult is what one Batch call came back with: an error, or a panic.
type callResult struct {
	err      error
	panicked any
	didPanic bool
}

// goBatch calls db.Batch(fn) in a new goroutine and delivers its result.
func goBatch(db *bolt.DB, fn func(*bolt.Tx) error) <-chan callResult {
	ch := make(chan callResult, 1)
	go func() {
		r := callResult{didPanic: true}
		defer func() {
			if r.didPanic {
				r.panicked = recover()
			}
			ch <- r
		}()
		r.err = db.Batch(fn)
		r.didPanic = false
	}()
	return ch
}

// lastTxID is the id of the last committed transaction.
func lastTxID(tb testing.TB, db *bolt.DB) int {
	var id int
	require.NoError(tb, db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }))
	return id
}

// inOneBatch makes the calls of fns join one batch and returns their
// results in order. The calls join in the order of fns. Without GroupCommit, MaxBatchSize is len(fns) and the
// delay never expires, so the batch runs when the last call joins. With it,
// a first call holds the writer until every fn has joined the next batch,
// which then runs as one transaction. It restores both limits before it
// returns.
func inOneBatch(t *testing.T, db *bolt.DB, fns ...func(*bolt.Tx) error) []callResult {
	t.Helper()
	defer func(size int, delay time.Duration) { db.MaxBatchSize, db.MaxBatchDelay = size, delay }(db.MaxBatchSize, db.MaxBatchDelay)
	db.MaxBatchDelay = time.Hour
	var release chan struct{}
	var blocker <-chan callResult
	if db.GroupCommit {
		db.MaxBatchSize = 1000
		release = make(chan struct{})
		running := make(chan struct{})
		var once sync.Once
		blocker = goBatch(db, func(*bolt.Tx) error {
			once.Do(func() { close(running) })
			<-release
			return nil
		})
		<-running
	} else {
		db.MaxBatchSize = len(fns)
	}
	chans := make([]<-chan callResult, len(fns))
	for i, fn := range fns {
		chans[i] = goBatch(db, fn)
		if i < len(fns)-1 || db.GroupCommit {
			// Join in order, so that the batch runs the fns in order.
			waitFor(t, "the call joined the batch", func() bool {
				pending, _ := bolt.BatchState(db)
				return pending == i+1
			})
		}
	}
	if db.GroupCommit {
		close(release)
		r := <-blocker
		require.NoError(t, r.err)
	}
	out := make([]callResult, len(fns))
	for i, ch := range chans {
		select {
		case out[i] = <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("call %d did not return", i)
		}
	}
	return out
}

func TestDB_Batch_Concurrent(t *testing.T) {
	forBatchModes(t, func(t *testing.T, db *testDB) {
		const n = 5
		txids := make([]atomic.Int64, n)
		var fns []func(*bolt.Tx) error
		for i := range n {
			fns = append(fns, batchPut(fmt.Sprint("k", i), "v", &txids[i]))
		}
		before := lastTxID(t, db.DB)
		for i, r := range inOneBatch(t, db.DB, fns...) {
			require.False(t, r.didPanic)
			require.NoError(t, r.err, "call %d", i)
			require.Equal(t, txids[0].Load(), txids[i].Load(), "call %d in another tx", i)
			require.Equal(t, []byte("v"), batchGet(t, db.DB, fmt.Sprint("k", i)))
		}
		want := 1
		if db.GroupCommit {
			want = 2 // the blocker's, then the shared one
		}
		require.Equal(t, before+want, lastTxID(t, db.DB), "transactions committed")
	})
}

// A failing call gets its own error; the others of its batch succeed, are
// retried without it, and their effects land once.
func TestDB_Batch_FailingCall(t *testing.T) {
	forBatchModes(t, func(t *testing.T, db *testDB) {
		errFail := errors.New("always fails")
		var failCalls, okCalls atomic.Int64
		incr := func(tx *bolt.Tx) error {
			okCalls.Add(1)
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			n := 0
			if v := b.Get([]byte("n")); v != nil {
				n = int(v[0])
			}
			return b.Put([]byte("n"), []byte{byte(n + 1)})
		}
		fail := func(tx *bolt.Tx) error {
			failCalls.Add(1)
			// A write made before failing must not survive.
			if err := batchPut("k1", "v", nil)(tx); err != nil {
				return err
			}
			return errFail
		}
		rs := inOneBatch(t, db.DB, incr, fail, incr)
		require.NoError(t, rs[0].err)
		require.Equal(t, errFail, rs[1].err, "the failing fn's caller gets its error")
		require.NoError(t, rs[2].err, "the others do not")
		require.EqualValues(t, 2, failCalls.Load(), "the failing fn runs in the batch and once more alone")
		require.EqualValues(t, 3, okCalls.Load(), "the first ran, then both again without the failing one")
		require.Equal(t, []byte{2}, batchGet(t, db.DB, "n"), "each successful call's effect landed once")
		require.Nil(t, batchGet(t, db.DB, "k1"))
	})
}

// A fn that fails in the batch but succeeds alone: the caller gets nil and
// the fn ran exactly twice.
func TestDB_Batch_RetriedSolo(t *testing.T) {
	forBatchModes(t, func(t *testing.T, db *testDB) {
		var calls atomic.Int64
		flaky := func(tx *bolt.Tx) error {
			if calls.Add(1) == 1 {
				return errors.New("first attempt fails")
			}
			return batchPut("k", "second", nil)(tx)
		}
		rs := inOneBatch(t, db.DB, flaky, batchPut("other", "v", nil))
		require.NoError(t, rs[0].err)
		require.NoError(t, rs[1].err)
		require.EqualValues(t, 2, calls.Load())
		require.Equal(t, []byte("second"), batchGet(t, db.DB, "k"))
		require.Equal(t, []byte("v"), batchGet(t, db.DB, "other"))

		// A lone call too.
		calls.Store(0)
		require.NoError(t, db.Batch(flaky))
		require.EqualValues(t, 2, calls.Load())
	})
}

func TestDB_Batch_Panic(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
	}{
		{"pointer", new(int)},
		{"error", errors.New("boom")},
		{"string", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forBatchModes(t, func(t *testing.T, db *testDB) {
				var calls atomic.Int64
				boom := func(*bolt.Tx) error {
					calls.Add(1)
					panic(tc.value)
				}
				r := <-goBatch(db.DB, boom)
				require.True(t, r.didPanic, "Batch returned (err %v) instead of panicking", r.err)
				require.Equal(t, tc.value, r.panicked, "the caller sees the fn's own panic value")
				require.EqualValues(t, 2, calls.Load(), "once in the batch, once solo")

				// In a shared batch, only the panicking fn's caller panics.
				calls.Store(0)
				rs := inOneBatch(t, db.DB, batchPut("a", "1", nil), boom, batchPut("b", "2", nil))
				require.False(t, rs[0].didPanic)
				require.NoError(t, rs[0].err)
				require.True(t, rs[1].didPanic)
				require.Equal(t, tc.value, rs[1].panicked)
				require.False(t, rs[2].didPanic)
				require.NoError(t, rs[2].err)
				require.EqualValues(t, 2, calls.Load())

				// The DB is still fully usable.
				require.NoError(t, db.Batch(batchPut("after", "ok", nil)))
				require.Equal(t, []byte("ok"), batchGet(t, db.DB, "after"))
				require.Equal(t, []byte("1"), batchGet(t, db.DB, "a"))
				require.Equal(t, []byte("2"), batchGet(t, db.DB, "b"))
			})
		})
	}
}

// MaxBatchSize <= 0 disables batching in both modes, as in bbolt: each call
// is a batch of its own, started at once, so calls made while the writer
// is busy do not share a transaction.
func TestDB_Batch_NonPositiveSize(t *testing.T) {
	for _, size := range []int{0, -1} {
		t.Run(fmt.Sprint("size=", size), func(t *testing.T) {
			forBatchModes(t, func(t *testing.T, db *testDB) {
				db.MaxBatchSize = size
				db.MaxBatchDelay = time.Hour
				held, err := db.Begin(true)
				require.NoError(t, err)
				const n = 3
				txids := make([]atomic.Int64, n)
				chans := make([]<-chan callResult, n)
				for i := range n {
					chans[i] = goBatch(db.DB, batchPut(fmt.Sprint("k", i), "v", &txids[i]))
				}
				waitFor(t, "each call started a batch of its own", func() bool {
					pending, running := bolt.BatchState(db.DB)
					return pending == 0 && running == n
				})
				require.NoError(t, held.Rollback())
				ids := map[int64]bool{}
				for i, ch := range chans {
					r := <-ch
					require.NoError(t, r.err)
					ids[txids[i].Load()] = true
					require.Equal(t, []byte("v"), batchGet(t, db.DB, fmt.Sprint("k", i)))
				}
				require.Len(t, ids, n, "each call committed alone")
			})
		})
	}
}

// MaxBatchDelay <= 0 runs a lone call at once in both modes, as in bbolt.
func TestDB_Batch_NonPositiveDelay(t *testing.T) {
	for _, delay := range []time.Duration{0, -time.Second} {
		t.Run(fmt.Sprint("delay=", delay), func(t *testing.T) {
			forBatchModes(t, func(t *testing.T, db *testDB) {
				db.MaxBatchDelay = delay
				select {
				case r := <-goBatch(db.DB, batchPut("solo", "1", nil)):
					require.NoError(t, r.err)
				case <-time.After(10 * time.Second):
					t.Fatal("a single Batch call did not run")
				}
				require.Equal(t, []byte("1"), batchGet(t, db.DB, "solo"))
			})
		})
	}
}

// Batches and Update share the writer: no batch fn runs while an Update
// holds it, and an Update waits for a running batch.
func TestDB_Batch_SerializesWithUpdate(t *testing.T) {
	forBatchModes(t, func(t *testing.T, db *testDB) {
		db.MaxBatchDelay = time.Millisecond
		var inBatch, inUpdate atomic.Int64
		var overlap atomic.Bool
		put := func(key string) func(*bolt.Tx) error {
			return func(tx *bolt.Tx) error {
				inBatch.Add(1)
				defer inBatch.Add(-1)
				if inUpdate.Load() > 0 {
					overlap.Store(true)
				}
				return batchPut(key, "v", nil)(tx)
			}
		}
		release := make(chan struct{})
		updating := make(chan struct{})
		updateDone := make(chan error, 1)
		go func() {
			updateDone <- db.Update(func(tx *bolt.Tx) error {
				inUpdate.Add(1)
				defer inUpdate.Add(-1)
				close(updating)
				<-release
				if inBatch.Load() > 0 {
					overlap.Store(true)
				}
				return nil
			})
		}()
		<-updating
		var chans []<-chan callResult
		for i := range 4 {
			chans = append(chans, goBatch(db.DB, put(fmt.Sprint("k", i))))
		}
		waitFor(t, "a batch started and waits for the writer", func() bool {
			_, running := bolt.BatchState(db.DB)
			return running > 0
		})
		time.Sleep(20 * time.Millisecond)
		require.Zero(t, inBatch.Load(), "a batch fn ran while Update held the writer")
		close(release)
		require.NoError(t, <-updateDone)
		for _, ch := range chans {
			require.NoError(t, (<-ch).err)
		}

		// The other way round: a Batch fn holds the writer.
		release = make(chan struct{})
		batching := make(chan struct{})
		var once sync.Once
		bch := goBatch(db.DB, func(tx *bolt.Tx) error {
			once.Do(func() { close(batching) })
			<-release
			return batchPut("held", "v", nil)(tx)
		})
		<-batching
		var updated atomic.Bool
		go func() {
			updateDone <- db.Update(func(*bolt.Tx) error { updated.Store(true); return nil })
		}()
		time.Sleep(20 * time.Millisecond)
		require.False(t, updated.Load(), "Update ran while a batch held the writer")
		close(release)
		require.NoError(t, (<-bch).err)
		require.NoError(t, <-updateDone)
		require.True(t, updated.Load())
		require.False(t, overlap.Load())
	})
}

// With GroupCommit a lone call does not wait for MaxBatchDelay, and a
// goroutine calling Batch in a loop commits once per call.
func TestDB_Batch_GroupCommit_LoneCallsRunAtOnce(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{GroupCommit: true})
	db.MaxBatchDelay = time.Hour
	before := lastTxID(t, db.DB)
	const n = 20
	for i := range n {
		select {
		case r := <-goBatch(db.DB, batchPut(fmt.Sprint("k", i), "v", nil)):
			require.NoError(t, r.err)
		case <-time.After(10 * time.Second):
			t.Fatalf("call %d waited for MaxBatchDelay", i)
		}
	}
	require.Equal(t, before+n, lastTxID(t, db.DB), "one transaction per call")
	for i := range n {
		require.Equal(t, []byte("v"), batchGet(t, db.DB, fmt.Sprint("k", i)))
	}
}

// Calls made while a batch commits share the next transaction: a blocked
// first call and 20 calls behind it make exactly two commits.
func TestDB_Batch_GroupCommit_JoinersShareNextTx(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{GroupCommit: true})
	db.MaxBatchDelay = time.Hour
	const n = 20
	txids := make([]atomic.Int64, n)
	var fns []func(*bolt.Tx) error
	for i := range n {
		fns = append(fns, batchPut(fmt.Sprint("k", i), "v", &txids[i]))
	}
	before := lastTxID(t, db.DB)
	for i, r := range inOneBatch(t, db.DB, fns...) {
		require.NoError(t, r.err)
		require.Equal(t, txids[0].Load(), txids[i].Load(), "call %d in another tx", i)
	}
	require.Equal(t, before+2, lastTxID(t, db.DB), "the blocker's commit and one shared commit")
	require.EqualValues(t, before+2, txids[0].Load())
	// A batch still counts as running for a moment after it answers its
	// callers (it yields so that they can join the next one).
	waitFor(t, "no batch is left", func() bool {
		pending, running := bolt.BatchState(db.DB)
		return pending == 0 && running == 0
	})
}

// While a batch commits, the next one still starts at MaxBatchSize calls,
// or MaxBatchDelay after its first call; it then waits for the writer.
func TestDB_Batch_GroupCommit_SizeAndDelayBound(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int
		delay   time.Duration
		calls   int
		batches int
	}{
		{"size", 3, time.Hour, 6, 2},
		{"delay", 1000, 20 * time.Millisecond, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpenDB(t, &bolt.Options{GroupCommit: true})
			db.MaxBatchSize = tc.size
			db.MaxBatchDelay = tc.delay
			release := make(chan struct{})
			running := make(chan struct{})
			var once sync.Once
			blocker := goBatch(db.DB, func(*bolt.Tx) error {
				once.Do(func() { close(running) })
				<-release
				return nil
			})
			<-running
			before := lastTxID(t, db.DB)
			txids := make([]atomic.Int64, tc.calls)
			var chans []<-chan callResult
			for i := range tc.calls {
				chans = append(chans, goBatch(db.DB, batchPut(fmt.Sprint("k", i), "v", &txids[i])))
				// Join in order, so that the size limit splits them in order.
				waitFor(t, "the call joined", func() bool {
					pending, running := bolt.BatchState(db.DB)
					return pending+(running-1)*tc.size >= i+1
				})
			}
			waitFor(t, "the batches started while the first still commits", func() bool {
				pending, running := bolt.BatchState(db.DB)
				return pending == 0 && running == 1+tc.batches
			})
			close(release)
			require.NoError(t, (<-blocker).err)
			ids := map[int64]bool{}
			for i, ch := range chans {
				require.NoError(t, (<-ch).err)
				ids[txids[i].Load()] = true
				require.Equal(t, []byte("v"), batchGet(t, db.DB, fmt.Sprint("k", i)))
			}
			require.Len(t, ids, tc.batches)
			require.Equal(t, before+1+tc.batches, lastTxID(t, db.DB))
		})
	}
}

// Close races with many goroutines calling Batch: every call returns once,
// with nil (its write is in the file) or ErrDatabaseNotOpen (it is not),
// and no batch is left behind. Run it with -race.
func TestDB_Batch_CloseRace(t *testing.T) {
	forBatchModes(t, func(t *testing.T, db *testDB) {
		db.MaxBatchDelay = time.Millisecond
		const workers, per = 16, 40
		results := make([][]error, workers)
		var calls atomic.Int64
		done := make(chan int, workers)
		for w := range workers {
			results[w] = make([]error, per)
			go func() {
				for i := range per {
					results[w][i] = db.Batch(func(tx *bolt.Tx) error {
						calls.Add(1)
						return batchPut(fmt.Sprintf("w%d-%d", w, i), "v", nil)(tx)
					})
				}
				done <- w
			}()
		}
		waitFor(t, "some calls ran", func() bool { return calls.Load() >= workers*per/3 })
		require.NoError(t, db.Close())
		for range workers {
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("a Batch call never returned")
			}
		}
		waitFor(t, "no batch is left", func() bool {
			pending, running := bolt.BatchState(db.DB)
			return pending == 0 && running == 0
		})

		reopened := mustOpenDBAt(t, db.path, nil)
		var ok, closed int
		for w := range workers {
			for i, err := range results[w] {
				got := batchGet(t, reopened.DB, fmt.Sprintf("w%d-%d", w, i))
				switch {
				case err == nil:
					ok++
					require.Equal(t, []byte("v"), got, "call w%d-%d succeeded but its write is missing", w, i)
				case errors.Is(err, berrors.ErrDatabaseNotOpen):
					closed++
					require.Nil(t, got, "call w%d-%d failed but its write landed", w, i)
				default:
					t.Fatalf("call w%d-%d: %v", w, i, err)
				}
			}
		}
		require.Equal(t, workers*per, ok+closed)
		require.Positive(t, ok)
		require.Positive(t, closed)
		require.GreaterOrEqual(t, calls.Load(), int64(ok))
	})
}
