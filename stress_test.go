package bolt_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// TestStress_ReadersWriterBatchClose races readers, a writer, Batch callers
// and Close, then checks the recorded history: every reader saw a
// consistent snapshot (two keys always written together are equal), the
// ids and counters each reader saw never went backwards, every
// acknowledged write survives a reopen, and once Close has returned every
// call fails with ErrDatabaseNotOpen and nothing else.
func TestStress_ReadersWriterBatchClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stress.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("s"))
		return err
	}))

	run := 300 * time.Millisecond
	if testing.Short() {
		run = 100 * time.Millisecond
	}
	const readers, batchers = 4, 4
	type event struct {
		who  string
		err  error
		acks uint64 // writes acknowledged by this goroutine
	}
	events := make(chan event, readers+batchers+1)
	var wg sync.WaitGroup

	closedErr := func(err error) bool { return errors.Is(err, bolt.ErrDatabaseNotOpen) }

	// The writer bumps "counter" and "mirror" together, with a value large
	// enough now and then to make the file grow and be mapped anew.
	wg.Add(1)
	go func() {
		defer wg.Done()
		var acked uint64
		for {
			err := db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("s"))
				n := u64(b.Get([]byte("counter"))) + 1
				v := be64(n)
				if err := b.Put([]byte("counter"), v); err != nil {
					return err
				}
				if err := b.Put([]byte(fmt.Sprintf("blob%d", n%8)), make([]byte, int(n%5)*20000)); err != nil {
					return err
				}
				return b.Put([]byte("mirror"), v)
			})
			if err != nil {
				events <- event{who: "writer", err: nilIfClosed(err, closedErr), acks: acked}
				return
			}
			acked++
		}
	}()

	for i := 0; i < batchers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := []byte(fmt.Sprintf("batch%d", i))
			var acked uint64
			for {
				err := db.Batch(func(tx *bolt.Tx) error {
					b := tx.Bucket([]byte("s"))
					return b.Put(key, be64(acked+1))
				})
				if err != nil {
					events <- event{who: string(key), err: nilIfClosed(err, closedErr), acks: acked}
					return
				}
				acked++
			}
		}(i)
	}

	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lastID, lastCounter := -1, uint64(0)
			var views uint64
			for {
				err := db.View(func(tx *bolt.Tx) error {
					b := tx.Bucket([]byte("s"))
					c, m := u64(b.Get([]byte("counter"))), u64(b.Get([]byte("mirror")))
					if c != m {
						return fmt.Errorf("torn snapshot at tx %d: counter %d, mirror %d", tx.ID(), c, m)
					}
					if tx.ID() < lastID || c < lastCounter {
						return fmt.Errorf("went backwards: tx %d after %d, counter %d after %d", tx.ID(), lastID, c, lastCounter)
					}
					time.Sleep(time.Duration(i) * 100 * time.Microsecond)
					// The snapshot must not change while it is held.
					if again := u64(b.Get([]byte("counter"))); again != c {
						return fmt.Errorf("snapshot changed under a reader: %d then %d", c, again)
					}
					lastID, lastCounter = tx.ID(), c
					return nil
				})
				if err != nil {
					events <- event{who: fmt.Sprintf("reader%d", i), err: nilIfClosed(err, closedErr), acks: views}
					return
				}
				views++
			}
		}(i)
	}

	time.Sleep(run)
	require.NoError(t, db.Close(), "Close racing with readers, a writer and Batch callers")
	wg.Wait()
	close(events)

	acks := map[string]uint64{}
	for ev := range events {
		require.NoError(t, ev.err, "%s", ev.who)
		acks[ev.who] = ev.acks
	}
	require.Greater(t, acks["writer"], uint64(0), "the writer made progress")
	for i := 0; i < readers; i++ {
		require.Greater(t, acks[fmt.Sprintf("reader%d", i)], uint64(0), "reader %d made progress", i)
	}
	t.Logf("stress: %d writes, %d batch writes by %d callers, reader views %v",
		acks["writer"], acks["batch0"]+acks["batch1"]+acks["batch2"]+acks["batch3"], batchers, acks)

	// Everything acknowledged is in the file.
	db, err = bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("s"))
		require.GreaterOrEqual(t, u64(b.Get([]byte("counter"))), acks["writer"])
		require.Equal(t, b.Get([]byte("counter")), b.Get([]byte("mirror")))
		for i := 0; i < batchers; i++ {
			key := fmt.Sprintf("batch%d", i)
			require.GreaterOrEqual(t, u64(b.Get([]byte(key))), acks[key], key)
		}
		for err := range tx.Check() {
			t.Error(err)
		}
		return nil
	}))
}

// nilIfClosed drops the error every goroutine ends with once the DB closes.
func nilIfClosed(err error, closed func(error) bool) error {
	if closed(err) {
		return nil
	}
	return err
}

func be64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
