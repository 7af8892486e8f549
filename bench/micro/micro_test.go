// Package micro holds side-by-side micro-benchmarks of bolt and bbolt: the
// same operations on the same data, one sub-benchmark per engine, so that
// `go test -bench . ./micro` (or benchstat over -count runs) compares them
// per operation, and callgrind can count instructions for each.
package micro

import (
	"encoding/binary"
	"flag"
	"math/rand/v2"
	"path/filepath"
	"testing"

	bolt "github.com/boltkv/bolt"
	bbolt "go.etcd.io/bbolt"
)

const valueSize = 100

// nKeys is the number of records each benchmark's database holds.
var nKeys = flag.Int("keys", 100_000, "records in each benchmark's database")

var bucketName = []byte("b")

// keys returns n random 16-byte keys, the same on every call.
func keys(n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		k := make([]byte, 16)
		binary.BigEndian.PutUint64(k, r.Uint64())
		binary.BigEndian.PutUint64(k[8:], r.Uint64())
		out[i] = k
	}
	return out
}

func openBolt(b *testing.B, ks [][]byte) *bolt.DB {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	val := make([]byte, valueSize)
	for i := 0; i < len(ks); i += 10_000 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists(bucketName)
			if err != nil {
				return err
			}
			for _, k := range ks[i:min(i+10_000, len(ks))] {
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
	return db
}

func openBbolt(b *testing.B, ks [][]byte) *bbolt.DB {
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "db"), 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	val := make([]byte, valueSize)
	for i := 0; i < len(ks); i += 10_000 {
		err := db.Update(func(tx *bbolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists(bucketName)
			if err != nil {
				return err
			}
			for _, k := range ks[i:min(i+10_000, len(ks))] {
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
	return db
}

// BenchmarkGet looks up keys in random order, 1000 per read transaction.
func BenchmarkGet(b *testing.B) {
	ks := keys(*nKeys)
	order := rand.New(rand.NewPCG(3, 4)).Perm(*nKeys)
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, ks)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; {
			_ = db.View(func(tx *bolt.Tx) error {
				bk := tx.Bucket(bucketName)
				for j := 0; j < 1000 && i < b.N; j, i = j+1, i+1 {
					if bk.Get(ks[order[i%*nKeys]]) == nil {
						b.Fatal("missing key")
					}
				}
				return nil
			})
		}
	})
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, ks)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; {
			_ = db.View(func(tx *bbolt.Tx) error {
				bk := tx.Bucket(bucketName)
				for j := 0; j < 1000 && i < b.N; j, i = j+1, i+1 {
					if bk.Get(ks[order[i%*nKeys]]) == nil {
						b.Fatal("missing key")
					}
				}
				return nil
			})
		}
	})
}

// BenchmarkNext steps a cursor through the bucket, wrapping at the end.
func BenchmarkNext(b *testing.B) {
	ks := keys(*nKeys)
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, ks)
		tx, err := db.Begin(false)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		c := tx.Bucket(bucketName).Cursor()
		c.First()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if k, _ := c.Next(); k == nil {
				c.First()
			}
		}
	})
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, ks)
		tx, err := db.Begin(false)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		c := tx.Bucket(bucketName).Cursor()
		c.First()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if k, _ := c.Next(); k == nil {
				c.First()
			}
		}
	})
}

// BenchmarkSeek positions a cursor on random existing keys.
func BenchmarkSeek(b *testing.B) {
	ks := keys(*nKeys)
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, ks)
		tx, err := db.Begin(false)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		c := tx.Bucket(bucketName).Cursor()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if k, _ := c.Seek(ks[i%*nKeys]); k == nil {
				b.Fatal("seek found nothing")
			}
		}
	})
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, ks)
		tx, err := db.Begin(false)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		c := tx.Bucket(bucketName).Cursor()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if k, _ := c.Seek(ks[i%*nKeys]); k == nil {
				b.Fatal("seek found nothing")
			}
		}
	})
}

// BenchmarkPut inserts random keys, 1000 per NoSync Update; one op is one
// Put, its share of the commit included.
func BenchmarkPut(b *testing.B) {
	ks := keys(*nKeys)
	val := make([]byte, valueSize)
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, nil)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; {
			err := db.Update(func(tx *bolt.Tx) error {
				bk, err := tx.CreateBucketIfNotExists(bucketName)
				if err != nil {
					return err
				}
				for j := 0; j < 1000 && i < b.N; j, i = j+1, i+1 {
					k := ks[i%*nKeys]
					if i >= *nKeys {
						k = binary.BigEndian.AppendUint64(k[:8:8], uint64(i))
					}
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
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, nil)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; {
			err := db.Update(func(tx *bbolt.Tx) error {
				bk, err := tx.CreateBucketIfNotExists(bucketName)
				if err != nil {
					return err
				}
				for j := 0; j < 1000 && i < b.N; j, i = j+1, i+1 {
					k := ks[i%*nKeys]
					if i >= *nKeys {
						k = binary.BigEndian.AppendUint64(k[:8:8], uint64(i))
					}
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

// BenchmarkSmallCommit overwrites one random key per NoSync Update in a
// database of -keys records: the fixed cost of a commit.
func BenchmarkSmallCommit(b *testing.B) {
	ks := keys(*nKeys)
	val := make([]byte, valueSize)
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, ks)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketName).Put(ks[(i*7919)%*nKeys], val)
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, ks)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := db.Update(func(tx *bbolt.Tx) error {
				return tx.Bucket(bucketName).Put(ks[(i*7919)%*nKeys], val)
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkView runs an empty read transaction: the fixed cost of View.
func BenchmarkView(b *testing.B) {
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, keys(1000))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := db.View(func(tx *bolt.Tx) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, keys(1000))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := db.View(func(tx *bbolt.Tx) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkViewGet runs one Get per read transaction, opening the bucket
// each time: the shape of a request handler's lookup.
func BenchmarkViewGet(b *testing.B) {
	ks := keys(1000)
	b.Run("engine=bolt", func(b *testing.B) {
		db := openBolt(b, ks)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := db.View(func(tx *bolt.Tx) error {
				if tx.Bucket(bucketName).Get(ks[i%len(ks)]) == nil {
					b.Fatal("missing key")
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine=bbolt", func(b *testing.B) {
		db := openBbolt(b, ks)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := db.View(func(tx *bbolt.Tx) error {
				if tx.Bucket(bucketName).Get(ks[i%len(ks)]) == nil {
					b.Fatal("missing key")
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
