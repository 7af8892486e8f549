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

func TestDB_Batch_Concurrent(t *testing.T) {
	db := mustOpenDB(t, nil)
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func(i int) { errs <- db.Batch(batchPut(fmt.Sprint("k", i), "v", nil)) }(i)
	}
	for i := 0; i < 2; i++ {
		require.NoError(t, <-errs)
	}
	require.Equal(t, []byte("v"), batchGet(t, db.DB, "k0"))
	require.Equal(t, []byte("v"), batchGet(t, db.DB, "k1"))
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

func TestDB_Batch_ZeroDelayRunsSingleCall(t *testing.T) {
	db := mustOpenDB(t, nil)
	db.MaxBatchDelay = 0
	done := make(chan error, 1)
	go func() { done <- db.Batch(batchPut("solo", "1", nil)) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("a single Batch call with MaxBatchDelay 0 did not run")
	}
	require.Equal(t, []byte("1"), batchGet(t, db.DB, "solo"))
}

// MaxBatchSize ≤ 0 disables batching: a lone call runs at once even though
// the delay would never expire.
func TestDB_Batch_NonPositiveSizeRunsAtOnce(t *testing.T) {
	for _, size := range []int{0, -1} {
		db := mustOpenDB(t, nil)
		db.MaxBatchSize = size
		db.MaxBatchDelay = time.Hour
		done := make(chan error, 1)
		go func() { done <- db.Batch(batchPut("k", "v", nil)) }()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("MaxBatchSize %d: the call did not run", size)
		}
		require.Equal(t, []byte("v"), batchGet(t, db.DB, "k"))
	}
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
			db := mustOpenDB(t, nil)
			var calls atomic.Int64
			var recovered any
			var err error
			returned := false
			func() {
				defer func() { recovered = recover() }()
				err = db.Batch(func(*bolt.Tx) error {
					calls.Add(1)
					panic(tc.value)
				})
				returned = true
			}()
			require.False(t, returned, "Batch returned (err %v) instead of panicking", err)
			require.Equal(t, tc.value, recovered, "the caller sees the fn's own panic value")
			require.EqualValues(t, 2, calls.Load(), "once in the batch, once solo")

			// The DB is still fully usable.
			require.NoError(t, db.Batch(batchPut("after", "ok", nil)))
			require.Equal(t, []byte("ok"), batchGet(t, db.DB, "after"))
		})
	}
}

// A failing call gets its own error; the other calls of its batch succeed
// (and are retried without it, so their effects land once).
func TestDB_Batch_FailingCall(t *testing.T) {
	db := mustOpenDB(t, nil)
	db.MaxBatchSize = 3
	db.MaxBatchDelay = time.Hour

	errFail := errors.New("always fails")
	var failCalls, okCalls atomic.Int64
	type result struct {
		i   int
		err error
	}
	results := make(chan result, 3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			err := db.Batch(func(tx *bolt.Tx) error {
				if i == 1 {
					failCalls.Add(1)
					// A write made before failing must not survive.
					if err := batchPut("k1", "v", nil)(tx); err != nil {
						return err
					}
					return errFail
				}
				okCalls.Add(1)
				return batchPut(fmt.Sprint("k", i), "v", nil)(tx)
			})
			results <- result{i, err}
		}(i)
	}
	for n := 0; n < 3; n++ {
		r := <-results
		if r.i == 1 {
			require.Equal(t, errFail, r.err)
		} else {
			require.NoError(t, r.err, "call %d", r.i)
		}
	}
	require.GreaterOrEqual(t, failCalls.Load(), int64(2), "a failing fn runs in the batch and again solo")
	require.GreaterOrEqual(t, okCalls.Load(), int64(2))
	require.Equal(t, []byte("v"), batchGet(t, db.DB, "k0"))
	require.Nil(t, batchGet(t, db.DB, "k1"))
	require.Equal(t, []byte("v"), batchGet(t, db.DB, "k2"))
}

// A fn that fails in the batch but succeeds when re-run solo: the caller
// gets nil and the fn ran exactly twice.
func TestDB_Batch_RetriedSolo(t *testing.T) {
	db := mustOpenDB(t, nil)
	var calls atomic.Int64
	err := db.Batch(func(tx *bolt.Tx) error {
		if calls.Add(1) == 1 {
			return errors.New("first attempt fails")
		}
		return batchPut("k", "second", nil)(tx)
	})
	require.NoError(t, err)
	require.EqualValues(t, 2, calls.Load())
	require.Equal(t, []byte("second"), batchGet(t, db.DB, "k"))
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
