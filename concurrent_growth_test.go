package bolt_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// These tests hold read transactions open while the writer grows the file
// through several mapping sizes, with no InitialMmapSize to make room ahead
// of time. bolt promises that readers never block the writer's remap (SPEC
// preface, "Readers never block a remap"); bbolt's writer waits for every
// reader there, so bbolt stalls on these tests and they are not run against
// it.

// concGrowthTimeout bounds how long a writer may take; a writer blocked by a
// reader never finishes, and this turns that hang into a failure.
const concGrowthTimeout = time.Minute

func TestConcurrent_LongReaderDoesNotBlockGrowth(t *testing.T) {
	t.Run("OtherGoroutineWrites", func(t *testing.T) {
		p := concDefaultParams()
		const setupCommits = 3
		db, path := concSetup(t, &bolt.Options{NoSync: true}, p, setupCommits)

		long, err := db.Begin(false)
		require.NoError(t, err)
		longOpen := true
		t.Cleanup(func() {
			if longOpen {
				_ = long.Rollback()
			}
		})
		startSize := long.Size()
		want, err := concRead(long, p)
		require.NoError(t, err)

		// While the writer commits, keep reading the long transaction from
		// this goroutine: its snapshot must stay intact across every remap.
		w := startConcWriter(db, p, setupCommits)
		deadline := time.After(concGrowthTimeout)
		reads := 0
	wait:
		for {
			select {
			case err := <-w.err:
				require.NoError(t, err)
				break wait
			case <-deadline:
				t.Fatalf("writer stalled with a read transaction open: %d of %d commits after %v",
					w.commits.Load(), p.commits-setupCommits, concGrowthTimeout)
			default:
			}
			got, err := concRead(long, p)
			require.NoError(t, err, "long reader, read %d", reads)
			require.Equal(t, want, got, "long reader, read %d", reads)
			reads++
			time.Sleep(time.Millisecond)
		}
		require.EqualValues(t, p.commits-setupCommits, w.commits.Load())

		got, err := concRead(long, p)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, startSize, long.Size())
		require.NoError(t, long.Rollback())
		longOpen = false

		var endSize int64
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			endSize = tx.Size()
			s, err := concRead(tx, p)
			require.NoError(t, err)
			require.Equal(t, p.commits-1, s.Count)
			var problems []error
			for err := range tx.Check() {
				problems = append(problems, err)
			}
			require.Empty(t, problems)
			return nil
		}))
		t.Logf("%d reads of the long transaction; high-water mark %d -> %d bytes; file %d bytes",
			reads, startSize, endSize, concFileSize(t, path))
		require.Positive(t, reads)
		// From well under 1 MiB to many MiB: through several mapping sizes.
		require.Greater(t, endSize, 8*startSize, "the data did not grow much")
		require.GreaterOrEqual(t, concFileSize(t, path), endSize)
	})

	// The goroutine that holds a read transaction commits a write that must
	// remap. In bbolt this deadlocks (SPEC §1.3, "Deadlock hazard").
	t.Run("SameGoroutineWrites", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "same.db")
		db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
		require.NoError(t, err)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte("old"), []byte("value"))
		}))

		big := 8 << 20
		if testing.Short() {
			big = 2 << 20
		}
		value := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, big) }
		const writes = 3

		type result struct {
			err       error
			startSize int64
		}
		done := make(chan result, 1)
		go func() {
			var res result
			defer func() { done <- res }()
			tx, err := db.Begin(false)
			if err != nil {
				res.err = err
				return
			}
			defer func() { _ = tx.Rollback() }()
			res.startSize = tx.Size()
			for i := range writes {
				err := db.Update(func(w *bolt.Tx) error {
					return w.Bucket([]byte("b")).Put([]byte(fmt.Sprintf("big%d", i)), value(i))
				})
				if err != nil {
					res.err = fmt.Errorf("write %d: %w", i, err)
					return
				}
				// The reader's snapshot is unchanged by the remap.
				b := tx.Bucket([]byte("b"))
				if v := b.Get([]byte("old")); !bytes.Equal(v, []byte("value")) {
					res.err = fmt.Errorf("after write %d the reader sees old=%q", i, v)
					return
				}
				if v := b.Get([]byte(fmt.Sprintf("big%d", i))); v != nil {
					res.err = fmt.Errorf("after write %d the reader sees a %d-byte value it predates", i, len(v))
					return
				}
				if tx.Size() != res.startSize {
					res.err = fmt.Errorf("after write %d the reader's Size changed from %d to %d", i, res.startSize, tx.Size())
					return
				}
			}
		}()

		var res result
		select {
		case res = <-done:
		case <-time.After(concGrowthTimeout):
			// Leak the DB rather than hang in Close on a stuck writer.
			t.Fatalf("a write that grows the file did not finish within %v while its own goroutine held a reader",
				concGrowthTimeout)
		}
		t.Cleanup(func() { require.NoError(t, db.Close()) })
		require.NoError(t, res.err)

		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("b"))
			for i := range writes {
				require.True(t, bytes.Equal(value(i), b.Get([]byte(fmt.Sprintf("big%d", i)))), "big%d", i)
			}
			require.Greater(t, tx.Size(), int64(writes*big), "high-water mark")
			require.Less(t, res.startSize, int64(1<<20), "starting high-water mark")
			var problems []error
			for err := range tx.Check() {
				problems = append(problems, err)
			}
			require.Empty(t, problems)
			return nil
		}))
	})
}

// Divergence from bbolt: a writer that needs a larger mapping
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
