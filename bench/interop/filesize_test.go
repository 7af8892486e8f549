package interop_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bolt "github.com/boltkv/bolt"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// TestFileSize_BBoltNeverShorterThanItsMetas backs bolt's rule that a valid
// meta whose pages lie beyond the end of the file means the file was cut
// (Open refuses it with ErrCorrupt instead of falling back to the older
// meta). The rule holds only if no file bbolt writes is ever shorter than
// the high-water mark of a meta it committed: this test grows, shrinks and
// reopens bbolt files under every growth option (page sizes 512 to 16 KiB,
// NoGrowSync, NoFreelistSync, a small AllocSize so that bbolt's second
// growth regime is reached), and after every commit compares the file's
// size with tx.Size(), the high-water mark in bytes. Each file must then
// open in bolt.
func TestFileSize_BBoltNeverShorterThanItsMetas(t *testing.T) {
	for _, ps := range []int{512, 1024, 4096, 16384} {
		for _, noGrowSync := range []bool{false, true} {
			for _, noFreelistSync := range []bool{false, true} {
				name := fmt.Sprintf("pagesize=%d,nogrowsync=%t,nofreelistsync=%t", ps, noGrowSync, noFreelistSync)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					path := filepath.Join(t.TempDir(), "db")
					opts := &bbolt.Options{PageSize: ps, NoGrowSync: noGrowSync, NoFreelistSync: noFreelistSync, NoSync: true}
					db, err := bbolt.Open(path, 0o600, opts)
					require.NoError(t, err)
					db.AllocSize = 64 * ps
					checkSize := func(step string) {
						t.Helper()
						require.NoError(t, db.View(func(tx *bbolt.Tx) error {
							info, err := os.Stat(path)
							require.NoError(t, err)
							require.GreaterOrEqual(t, info.Size(), tx.Size(), "%s: txid %d", step, tx.ID())
							return nil
						}))
					}
					checkSize("fresh")
					r := rand.New(rand.NewPCG(uint64(ps), 7))
					rounds := 40
					if testing.Short() {
						rounds = 15
					}
					for round := 0; round < rounds; round++ {
						require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
							b, err := tx.CreateBucketIfNotExists([]byte(fmt.Sprintf("b%d", round%3)))
							if err != nil {
								return err
							}
							for i := 0; i < 200; i++ {
								v := make([]byte, r.IntN(3*ps))
								if err := b.Put([]byte(fmt.Sprintf("k%05d", r.IntN(2000))), v); err != nil {
									return err
								}
							}
							return nil
						}))
						checkSize(fmt.Sprintf("round %d put", round))
						if round%5 == 4 {
							// Free the pages at the top of the file: the
							// high-water mark stays, the pages go free.
							require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
								return tx.DeleteBucket([]byte(fmt.Sprintf("b%d", round%3)))
							}))
							checkSize(fmt.Sprintf("round %d delete", round))
						}
						if round%7 == 6 {
							require.NoError(t, db.Close())
							db, err = bbolt.Open(path, 0o600, opts)
							require.NoError(t, err)
							db.AllocSize = 64 * ps
							checkSize(fmt.Sprintf("round %d reopen", round))
						}
					}
					require.NoError(t, db.Close())

					for _, readOnly := range []bool{true, false} {
						bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: readOnly, NoFreelistSync: noFreelistSync})
						require.NoError(t, err, "bolt must open the file bbolt wrote (readOnly=%t)", readOnly)
						require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
							var errs []error
							for err := range tx.Check() {
								errs = append(errs, err)
							}
							return errors.Join(errs...)
						}))
						require.NoError(t, bdb.Close())
					}
				})
			}
		}
	}
}
