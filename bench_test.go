package bolt_test

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"

	bolt "github.com/boltkv/bolt"
)

// benchDB opens a fresh DB of n 16-byte keys with 100-byte values in bucket
// "b", written in batches of 10000 per commit.
func benchDB(b *testing.B, n int, opts *bolt.Options) (*bolt.DB, [][]byte) {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), 0o600, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	rng := rand.New(rand.NewSource(1))
	keys := make([][]byte, n)
	for i := range keys {
		k := make([]byte, 16)
		binary.BigEndian.PutUint64(k, rng.Uint64())
		binary.BigEndian.PutUint64(k[8:], uint64(i))
		keys[i] = k
	}
	val := make([]byte, 100)
	for i := 0; i < n; i += 10000 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			for _, k := range keys[i:min(i+10000, n)] {
				if err := bk.Put(k, val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return db, keys
}

func BenchmarkBucket_Get(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("keys=%d,val=100", n), func(b *testing.B) {
			db, keys := benchDB(b, n, nil)
			tx, err := db.Begin(false)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tx.Rollback() }()
			bk := tx.Bucket([]byte("b"))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if bk.Get(keys[i%n]) == nil {
					b.Fatal("missing key")
				}
			}
		})
	}
}

func BenchmarkCursor_Next(b *testing.B) {
	db, _ := benchDB(b, 100000, nil)
	tx, err := db.Begin(false)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	c := tx.Bucket([]byte("b")).Cursor()
	c.First()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if k, _ := c.Next(); k == nil {
			c.First()
		}
	}
}

func BenchmarkCursor_Seek(b *testing.B) {
	db, keys := benchDB(b, 100000, nil)
	tx, err := db.Begin(false)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	c := tx.Bucket([]byte("b")).Cursor()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if k, _ := c.Seek(keys[i%len(keys)]); k == nil {
			b.Fatal("seek found nothing")
		}
	}
}

func BenchmarkBucket_Put(b *testing.B) {
	b.Run("random,batch=1000,nosync", func(b *testing.B) {
		db, _ := benchDB(b, 0, &bolt.Options{NoSync: true})
		rng := rand.New(rand.NewSource(2))
		val := make([]byte, 100)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += 1000 {
			err := db.Update(func(tx *bolt.Tx) error {
				bk, err := tx.CreateBucketIfNotExists([]byte("b"))
				if err != nil {
					return err
				}
				for j := i; j < min(i+1000, b.N); j++ {
					k := make([]byte, 16)
					binary.BigEndian.PutUint64(k, rng.Uint64())
					if err := bk.Put(k, val); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkTx_Commit(b *testing.B) {
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("single-put,sync=%t", sync), func(b *testing.B) {
			db, _ := benchDB(b, 10000, &bolt.Options{NoSync: !sync})
			val := make([]byte, 100)
			key := make([]byte, 16)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				binary.BigEndian.PutUint64(key, uint64(i))
				err := db.Update(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("b")).Put(key, val)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTx_CommitPages times Commit alone, with NoSync, for commits that
// write about pages dirty leaves: "rewrite" changes one key in each of
// pages leaves spread over a 100k-key file (the pages come from the free
// list, scattered), "append" adds keys past the last one until pages new
// leaves fill (fresh pages beyond the high-water mark). The puts are made
// with the timer stopped, so the figure is commit CPU and write calls
// without the disk's sync. pages/op is the page buffers written per commit,
// meta included.
func BenchmarkTx_CommitPages(b *testing.B) {
	const n = 100000
	val := make([]byte, 100)
	for _, mode := range []string{"rewrite", "append"} {
		for _, pages := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("%s,pages=%d", mode, pages), func(b *testing.B) {
				db, keys := benchDB(b, n, &bolt.Options{NoSync: true})
				if mode == "append" {
					keys = nil
				}
				next := uint64(1) << 63 // above every random key of benchDB
				writes := db.Stats().TxStats.Write
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					tx, err := db.Begin(true)
					if err != nil {
						b.Fatal(err)
					}
					bk := tx.Bucket([]byte("b"))
					if mode == "rewrite" {
						for p := 0; p < pages; p++ {
							// Keys are in random order, so n/pages apart
							// lands in about as many different leaves.
							if err := bk.Put(keys[(i*7919+p*(n/pages))%n], val); err != nil {
								b.Fatal(err)
							}
						}
					} else {
						// About 15 records fill half a 4 KiB leaf, which is
						// where sequential inserts split.
						for r := 0; r < pages*15; r++ {
							k := make([]byte, 16)
							binary.BigEndian.PutUint64(k, next)
							next++
							if err := bk.Put(k, val); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.StartTimer()
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(db.Stats().TxStats.Write-writes)/float64(b.N), "pages/op")
			})
		}
	}
}
