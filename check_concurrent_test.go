package bolt_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// SPEC 1.13 lets Check run on a write transaction from several goroutines
// at once. Pending pages (kept by an open reader) make every Check gather
// them, which must not share any buffer between the Checks (run with -race).
func TestTx_Check_ConcurrentOnWriteTxWithPendingPages(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoSync: true})
	for round := 0; round < 3; round++ {
		mustUpdate(t, db, func(tx *bolt.Tx) {
			for b := 0; b < 20; b++ {
				bk, err := tx.CreateBucketIfNotExists(fmt.Appendf(nil, "b%02d", b))
				require.NoError(t, err)
				for k := 0; k < 200; k++ {
					require.NoError(t, bk.Put(fmt.Appendf(nil, "k%d-%04d", round, k), make([]byte, 100)))
				}
			}
		})
	}
	reader, err := db.Begin(false)
	require.NoError(t, err)
	defer func() { require.NoError(t, reader.Rollback()) }()
	mustUpdate(t, db, func(tx *bolt.Tx) {
		for b := 0; b < 10; b++ {
			require.NoError(t, tx.DeleteBucket(fmt.Appendf(nil, "b%02d", b)))
		}
	})
	require.NotZero(t, db.Stats().PendingPageN, "the open reader keeps the deleted pages pending")

	mustUpdate(t, db, func(tx *bolt.Tx) {
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					for err := range tx.Check() {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("check: %v", err)
		}
	})
}
