package bolt_test

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// The numbers in this file were obtained by running the same workloads on
// go.etcd.io/bbolt v1.5.0. They depend on byte-identical split, rebalance
// and page allocation behaviour.

var statsPageSizes = []int{4096, 16384, 65536}

// statsOpen opens a fresh database with the given page size. NoSync only
// saves time: it does not change what is written. The cleanup runs the
// consistency check.
func statsOpen(tb testing.TB, pageSize int) *testDB {
	tb.Helper()
	return mustOpenDB(tb, &bolt.Options{PageSize: pageSize, NoSync: true})
}

// statsOf returns the stats of the top-level bucket name.
func statsOf(tb testing.TB, db *bolt.DB, name string) bolt.BucketStats {
	tb.Helper()
	var s bolt.BucketStats
	require.NoError(tb, db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(name))
		require.NotNil(tb, b)
		s = b.Stats()
		return nil
	}))
	return s
}

// statsSequential puts commits×1000 keys strconv.Itoa(0..) (same value),
// 1000 per transaction, into bucket "widgets".
func statsSequential(tb testing.TB, db *bolt.DB, commits int) {
	tb.Helper()
	index := 0
	for i := 0; i < commits; i++ {
		require.NoError(tb, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("widgets"))
			require.NoError(tb, err)
			for j := 0; j < 1000; j++ {
				s := []byte(strconv.Itoa(index))
				require.NoError(tb, b.Put(s, s))
				index++
			}
			return nil
		}))
	}
}

func TestBucket_Stats_Sequential(t *testing.T) {
	// 100 commits at 4 KiB (bbolt's TestBucket_Stats_Large); 20 at the larger
	// page sizes, to keep the test quick.
	want := map[int]bolt.BucketStats{
		4096: {BranchPageN: 13, LeafPageN: 1196, KeyN: 100000, Depth: 3,
			BranchAlloc: 53248, BranchInuse: 25257, LeafAlloc: 4898816, LeafInuse: 2596916, BucketN: 1},
		16384: {BranchPageN: 1, LeafPageN: 57, KeyN: 20000, Depth: 2,
			BranchAlloc: 16384, BranchInuse: 1178, LeafAlloc: 933888, LeafInuse: 498692, BucketN: 1},
		65536: {BranchPageN: 1, LeafPageN: 14, KeyN: 20000, Depth: 2,
			BranchAlloc: 65536, BranchInuse: 298, LeafAlloc: 917504, LeafInuse: 498004, BucketN: 1},
	}
	for _, ps := range statsPageSizes {
		t.Run(fmt.Sprint("pagesize=", ps), func(t *testing.T) {
			db := statsOpen(t, ps)
			commits := 20
			if ps == 4096 {
				commits = 100
			}
			statsSequential(t, db.DB, commits)
			require.Equal(t, want[ps], statsOf(t, db.DB, "widgets"))
		})
	}
}

func TestBucket_Stats_OverflowValue(t *testing.T) {
	// 500 small keys, one per commit, then one value of 10 pages + 17 bytes.
	leafInuse := func(leafPages, ps int) int {
		return leafPages*16 + // page headers
			501*16 + // leaf elements
			500*3 + len("really-big-value") + // keys
			1*10 + 2*90 + 3*400 + // values strconv.Itoa(0..499)
			10*ps + 17 // the big value
	}
	want := map[int]bolt.BucketStats{
		4096: {BranchPageN: 1, LeafPageN: 7, LeafOverflowN: 10, KeyN: 501, Depth: 2,
			BranchAlloc: 4096, BranchInuse: 149, LeafAlloc: 69632, LeafInuse: leafInuse(7, 4096), BucketN: 1},
		16384: {BranchPageN: 1, LeafPageN: 3, LeafOverflowN: 10, KeyN: 501, Depth: 2,
			BranchAlloc: 16384, BranchInuse: 73, LeafAlloc: 212992, LeafInuse: leafInuse(3, 16384), BucketN: 1},
		65536: {BranchPageN: 1, LeafPageN: 2, LeafOverflowN: 10, KeyN: 501, Depth: 2,
			BranchAlloc: 65536, BranchInuse: 54, LeafAlloc: 786432, LeafInuse: leafInuse(2, 65536), BucketN: 1},
	}
	require.Equal(t, 52011, want[4096].LeafInuse)
	for _, ps := range statsPageSizes {
		t.Run(fmt.Sprint("pagesize=", ps), func(t *testing.T) {
			db := statsOpen(t, ps)
			for i := 0; i < 500; i++ {
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucketIfNotExists([]byte("woojits"))
					require.NoError(t, err)
					return b.Put([]byte(fmt.Sprintf("%03d", i)), []byte(strconv.Itoa(i)))
				}))
			}
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket([]byte("woojits")).Put([]byte("really-big-value"), []byte(strings.Repeat("*", 10*ps+17)))
			}))
			require.Equal(t, want[ps], statsOf(t, db.DB, "woojits"))
		})
	}
}

func TestBucket_Stats_RandomFill(t *testing.T) {
	// Keys inserted in a fixed pseudo-random order (seed 42) with
	// FillPercent 0.9: 50 transactions of 50 keys each.
	want := map[int]bolt.BucketStats{
		4096: {BranchPageN: 1, LeafPageN: 77, KeyN: 2500, Depth: 2,
			BranchAlloc: 4096, BranchInuse: 2840, LeafAlloc: 315392, LeafInuse: 118072, BucketN: 1},
		16384: {BranchPageN: 1, LeafPageN: 20, KeyN: 2500, Depth: 2,
			BranchAlloc: 16384, BranchInuse: 737, LeafAlloc: 327680, LeafInuse: 117160, BucketN: 1},
		65536: {BranchPageN: 1, LeafPageN: 6, KeyN: 2500, Depth: 2,
			BranchAlloc: 65536, BranchInuse: 233, LeafAlloc: 393216, LeafInuse: 116936, BucketN: 1},
	}
	for _, ps := range statsPageSizes {
		t.Run(fmt.Sprint("pagesize=", ps), func(t *testing.T) {
			db := statsOpen(t, ps)
			rnd := rand.New(rand.NewSource(42))
			for _, i := range rnd.Perm(50) {
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucketIfNotExists([]byte("woojits"))
					require.NoError(t, err)
					b.FillPercent = 0.9
					for _, j := range rnd.Perm(50) {
						index := (j * 10000) + i
						require.NoError(t, b.Put([]byte(fmt.Sprintf("%d000000000000000", index)), []byte("0000000000")))
					}
					return nil
				}))
			}
			require.Equal(t, want[ps], statsOf(t, db.DB, "woojits"))
		})
	}
}

func TestBucket_Stats_Nested(t *testing.T) {
	for _, ps := range statsPageSizes {
		t.Run(fmt.Sprint("pagesize=", ps), func(t *testing.T) {
			db := statsOpen(t, ps)
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				foo, err := tx.CreateBucket([]byte("foo"))
				require.NoError(t, err)
				for i := 0; i < 100; i++ {
					require.NoError(t, foo.Put([]byte(fmt.Sprintf("%02d", i)), []byte(fmt.Sprintf("%02d", i))))
				}
				bar, err := foo.CreateBucket([]byte("bar"))
				require.NoError(t, err)
				for i := 0; i < 10; i++ {
					require.NoError(t, bar.Put([]byte(strconv.Itoa(i)), []byte(strconv.Itoa(i))))
				}
				baz, err := bar.CreateBucket([]byte("baz"))
				require.NoError(t, err)
				for i := 0; i < 10; i++ {
					require.NoError(t, baz.Put([]byte(strconv.Itoa(i)), []byte(strconv.Itoa(i))))
				}
				return nil
			}))

			foo := 16 + 101*16 + 100*2 + 100*2 + 3 + 16 // header, elements, pairs, bar's key and header
			bar := 16 + 11*16 + 10 + 10 + 3 + 16        // likewise for baz
			baz := 16 + 10*16 + 10 + 10                 // inline, inside bar's leaf
			want := bolt.BucketStats{
				LeafPageN:         2,
				KeyN:              122,
				Depth:             3,
				LeafAlloc:         2 * ps,
				LeafInuse:         foo + bar + baz,
				BucketN:           3,
				InlineBucketN:     1,
				InlineBucketInuse: baz,
			}
			require.Equal(t, want, statsOf(t, db.DB, "foo"))

			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				barB := tx.Bucket([]byte("foo")).Bucket([]byte("bar"))
				require.Equal(t, bolt.BucketStats{
					LeafPageN: 1, KeyN: 21, Depth: 2, LeafAlloc: ps, LeafInuse: bar + baz,
					BucketN: 2, InlineBucketN: 1, InlineBucketInuse: baz,
				}, barB.Stats())
				require.Equal(t, bolt.BucketStats{
					KeyN: 10, Depth: 1, BucketN: 1, InlineBucketN: 1, InlineBucketInuse: baz,
				}, barB.Bucket([]byte("baz")).Stats())
				return nil
			}))
		})
	}
}

func TestBucket_Stats_Inline(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("empty"))
		require.NoError(t, err)
		b, err := tx.CreateBucket([]byte("small"))
		require.NoError(t, err)
		return b.Put([]byte("foo"), []byte("bar"))
	}))
	require.Equal(t, bolt.BucketStats{Depth: 1, BucketN: 1, InlineBucketN: 1, InlineBucketInuse: 16},
		statsOf(t, db.DB, "empty"))
	require.Equal(t, bolt.BucketStats{KeyN: 1, Depth: 1, BucketN: 1, InlineBucketN: 1, InlineBucketInuse: 16 + 16 + 6},
		statsOf(t, db.DB, "small"))
}

// A bucket whose only key is an inline sub-bucket.
func TestBucket_Stats_OnlySubBucket(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("outer"))
		require.NoError(t, err)
		_, err = b.CreateBucket([]byte("in"))
		return err
	}))
	// outer holds a bucket, so it is not inline: one leaf with the key "in"
	// and its 16-byte header followed by the 16-byte empty inline page.
	require.Equal(t, bolt.BucketStats{
		LeafPageN: 1, KeyN: 1, Depth: 2, LeafAlloc: 4096, LeafInuse: 16 + 16 + 2 + 16 + 16,
		BucketN: 2, InlineBucketN: 1, InlineBucketInuse: 16,
	}, statsOf(t, db.DB, "outer"))
}

func TestBucketStats_Add(t *testing.T) {
	a := bolt.BucketStats{
		BranchPageN: 1, BranchOverflowN: 2, LeafPageN: 3, LeafOverflowN: 4, KeyN: 5, Depth: 6,
		BranchAlloc: 7, BranchInuse: 8, LeafAlloc: 9, LeafInuse: 10, BucketN: 11,
		InlineBucketN: 12, InlineBucketInuse: 13,
	}
	b := bolt.BucketStats{
		BranchPageN: 100, BranchOverflowN: 200, LeafPageN: 300, LeafOverflowN: 400, KeyN: 500, Depth: 2,
		BranchAlloc: 700, BranchInuse: 800, LeafAlloc: 900, LeafInuse: 1000, BucketN: 1100,
		InlineBucketN: 1200, InlineBucketInuse: 1300,
	}
	sum := a
	sum.Add(b)
	require.Equal(t, bolt.BucketStats{
		BranchPageN: 101, BranchOverflowN: 202, LeafPageN: 303, LeafOverflowN: 404, KeyN: 505,
		Depth:       6, // the maximum, not the sum
		BranchAlloc: 707, BranchInuse: 808, LeafAlloc: 909, LeafInuse: 1010, BucketN: 1111,
		InlineBucketN: 1212, InlineBucketInuse: 1313,
	}, sum)

	sum = b
	sum.Add(a)
	require.Equal(t, 6, sum.Depth)
	var zero bolt.BucketStats
	zero.Add(a)
	require.Equal(t, a, zero)
}

func TestDB_Stats_Counts(t *testing.T) {
	db := statsOpen(t, 4096)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	}))
	s := db.Stats()
	require.EqualValues(t, 2, s.TxStats.GetPageCount(), "root leaf + freelist")
	require.EqualValues(t, 2*4096, s.TxStats.GetPageAlloc())
	require.Equal(t, 0, s.FreePageN)
	require.Equal(t, 2, s.PendingPageN)
	require.Equal(t, 2*4096, s.FreeAlloc)
	require.Equal(t, 16+8*2, s.FreelistInuse)
	require.Equal(t, 0, s.TxN, "only read-only transactions are counted")
	require.Equal(t, 0, s.OpenTxN)

	tx1, err := db.Begin(false)
	require.NoError(t, err)
	tx2, err := db.Begin(false)
	require.NoError(t, err)
	s = db.Stats()
	require.Equal(t, 2, s.TxN)
	require.Equal(t, 2, s.OpenTxN)
	require.NoError(t, tx1.Rollback())
	require.NoError(t, tx2.Rollback())
	s = db.Stats()
	require.Equal(t, 2, s.TxN)
	require.Equal(t, 0, s.OpenTxN)

	// A second write: the first write's pending pages are released and
	// reused at once, and its own two old pages become pending.
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("widgets")).Put([]byte("k"), []byte("v"))
	}))
	s = db.Stats()
	require.Equal(t, 0, s.FreePageN)
	require.Equal(t, 2, s.PendingPageN)
	require.Equal(t, 2*4096, s.FreeAlloc)
	require.Equal(t, 16+8*2, s.FreelistInuse)
	require.EqualValues(t, 4, s.TxStats.GetPageCount())

	// The counters accumulate the closed transactions' TxStats.
	var txStats bolt.TxStats
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("widgets"))
		for i := 0; i < 1000; i++ {
			require.NoError(t, b.Put(u64key(uint64(i)), make([]byte, 100)))
		}
		tx.OnCommit(func() { txStats = tx.Stats() })
		return nil
	}))
	after := db.Stats()
	diff := after.Sub(&s)
	require.Equal(t, txStats.GetPageCount(), diff.TxStats.GetPageCount())
	require.Equal(t, txStats.GetSplit(), diff.TxStats.GetSplit())
	require.Equal(t, txStats.GetSpill(), diff.TxStats.GetSpill())
	require.Equal(t, txStats.GetWrite(), diff.TxStats.GetWrite())
	require.Equal(t, txStats.GetNodeCount(), diff.TxStats.GetNodeCount())
	require.Equal(t, txStats.GetCursorCount(), diff.TxStats.GetCursorCount())
}

// The per-transaction counters of fixed workloads, as bbolt counts them.
func TestTx_Stats_Workload(t *testing.T) {
	db := statsOpen(t, 4096)
	var got []bolt.TxStats
	record := func(fn func(tx *bolt.Tx)) {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			fn(tx)
			tx.OnCommit(func() {
				s := tx.Stats()
				// Durations vary; NodeDeref counts nodes copied off the
				// mapping when it is replaced, and bolt's mapping policy is
				// its own (SPEC: readers never block a remap).
				s.RebalanceTime, s.SpillTime, s.WriteTime, s.NodeDeref = 0, 0, 0, 0
				got = append(got, s)
			})
			return nil
		}))
	}
	record(func(tx *bolt.Tx) {
		b, err := tx.CreateBucket([]byte("w"))
		require.NoError(t, err)
		for i := 0; i < 1000; i++ {
			require.NoError(t, b.Put(u64key(uint64(i)), make([]byte, 100)))
		}
	})
	record(func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("w"))
		for i := 0; i < 1000; i += 3 {
			require.NoError(t, b.Delete(u64key(uint64(i))))
		}
		require.NotNil(t, b.Get(u64key(1)))
	})
	record(func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("w"))
		for i := 0; i < 1000; i++ {
			require.NoError(t, b.Delete(u64key(uint64(i))))
		}
	})
	// Write counts one per page written (each page is its own pwrite in
	// bbolt, overflow pages included in their page's write) plus one for
	// the meta page; checked on its own below.
	writes := make([]int64, len(got))
	for i := range got {
		writes[i], got[i].Write = got[i].Write, 0
	}
	require.Equal(t, []bolt.TxStats{
		{PageCount: 65, PageAlloc: 65 * 4096, CursorCount: 1003, NodeCount: 2, Split: 61, Spill: 64},
		{PageCount: 65, PageAlloc: 65 * 4096, CursorCount: 337, NodeCount: 64, Rebalance: 62, Spill: 64},
		{PageCount: 2, PageAlloc: 2 * 4096, CursorCount: 1002, NodeCount: 64, Rebalance: 122, Spill: 1},
	}, got)
	t.Run("Write", func(t *testing.T) {
		// 64 data pages + freelist + meta; 64 + freelist + meta; the root
		// leaf + freelist + meta.
		require.Equal(t, []int64{66, 66, 3}, writes)
	})
}

func TestStats_Sub(t *testing.T) {
	a := bolt.Stats{
		TxStats:   bolt.TxStats{PageCount: 3, PageAlloc: 4, Write: 5, WriteTime: time.Second},
		FreePageN: 4, PendingPageN: 5, FreeAlloc: 6, FreelistInuse: 7, TxN: 8, OpenTxN: 9,
	}
	b := bolt.Stats{
		TxStats:   bolt.TxStats{PageCount: 10, PageAlloc: 40, Write: 6, WriteTime: 3 * time.Second},
		FreePageN: 14, PendingPageN: 15, FreeAlloc: 16, FreelistInuse: 17, TxN: 28, OpenTxN: 29,
	}
	require.Equal(t, bolt.Stats{
		TxStats:   bolt.TxStats{PageCount: 7, PageAlloc: 36, Write: 1, WriteTime: 2 * time.Second},
		FreePageN: 14, PendingPageN: 15, FreeAlloc: 16, FreelistInuse: 17, // copied from b
		TxN:     20,
		OpenTxN: 0,
	}, b.Sub(&a))
	require.Equal(t, b, b.Sub(nil))
}

func TestTxStats_GetInc(t *testing.T) {
	var s bolt.TxStats
	require.EqualValues(t, 1, s.IncPageCount(1))
	require.EqualValues(t, 5, s.IncPageCount(4))
	require.EqualValues(t, 5, s.GetPageCount())
	require.EqualValues(t, 2, s.IncPageAlloc(2))
	require.EqualValues(t, 3, s.IncCursorCount(3))
	require.EqualValues(t, 100, s.IncNodeCount(100))
	require.EqualValues(t, 101, s.IncNodeDeref(101))
	require.EqualValues(t, 1000, s.IncRebalance(1000))
	require.Equal(t, 1001*time.Second, s.IncRebalanceTime(1001*time.Second))
	require.EqualValues(t, 10000, s.IncSplit(10000))
	require.EqualValues(t, 10001, s.IncSpill(10001))
	require.Equal(t, 10001*time.Second, s.IncSpillTime(10001*time.Second))
	require.EqualValues(t, 100000, s.IncWrite(100000))
	require.Equal(t, 100001*time.Second, s.IncWriteTime(100001*time.Second))
	require.EqualValues(t, 99999, s.IncWrite(-1))
	want := bolt.TxStats{
		PageCount: 5, PageAlloc: 2, CursorCount: 3, NodeCount: 100, NodeDeref: 101,
		Rebalance: 1000, RebalanceTime: 1001 * time.Second, Split: 10000, Spill: 10001,
		SpillTime: 10001 * time.Second, Write: 99999, WriteTime: 100001 * time.Second,
	}
	require.Equal(t, want, s)
	require.EqualValues(t, 2, s.GetPageAlloc())
	require.EqualValues(t, 3, s.GetCursorCount())
	require.EqualValues(t, 100, s.GetNodeCount())
	require.EqualValues(t, 101, s.GetNodeDeref())
	require.EqualValues(t, 1000, s.GetRebalance())
	require.Equal(t, 1001*time.Second, s.GetRebalanceTime())
	require.EqualValues(t, 10000, s.GetSplit())
	require.EqualValues(t, 10001, s.GetSpill())
	require.Equal(t, 10001*time.Second, s.GetSpillTime())
	require.EqualValues(t, 99999, s.GetWrite())
	require.Equal(t, 100001*time.Second, s.GetWriteTime())

	other := bolt.TxStats{PageCount: 1, PageAlloc: 1, CursorCount: 1, NodeCount: 1, NodeDeref: 1,
		Rebalance: 1, RebalanceTime: time.Second, Split: 1, Spill: 1, SpillTime: time.Second,
		Write: 1, WriteTime: time.Second}
	require.Equal(t, bolt.TxStats{
		PageCount: 4, PageAlloc: 1, CursorCount: 2, NodeCount: 99, NodeDeref: 100,
		Rebalance: 999, RebalanceTime: 1000 * time.Second, Split: 9999, Spill: 10000,
		SpillTime: 10000 * time.Second, Write: 99998, WriteTime: 100000 * time.Second,
	}, s.Sub(&other))

	// Concurrent increments are not lost.
	var shared bolt.TxStats
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 1000; i++ {
				shared.IncCursorCount(1)
				shared.IncWriteTime(time.Nanosecond)
			}
			done <- struct{}{}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	require.EqualValues(t, 4000, shared.GetCursorCount())
	require.Equal(t, 4000*time.Nanosecond, shared.GetWriteTime())
}

func TestDB_Stats_NoStatistics(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoStatistics: true})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		require.NoError(t, err)
		return b.Put([]byte("k"), []byte("v"))
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).Delete([]byte("k"))
	}))
	tx, err := db.Begin(false)
	require.NoError(t, err)
	require.Equal(t, bolt.Stats{}, db.Stats())
	require.NoError(t, tx.Rollback())
	require.Equal(t, bolt.Stats{}, db.Stats())
	// The transaction's own counters still work.
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		tx.Bucket([]byte("b")).Cursor()
		s := tx.Stats()
		require.Positive(t, s.GetCursorCount())
		return nil
	}))
}

// Stats stay readable after Close and keep their last values.
func TestDB_Stats_AfterClose(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("b"))
		return err
	}))
	require.NoError(t, db.View(func(*bolt.Tx) error { return nil }))
	before := db.Stats()
	db.MustClose()
	require.Equal(t, before, db.Stats())
}

func TestDB_NoStatistics(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoStatistics: true})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, mustCreate(t, tx, nil, "b").Put([]byte("k"), []byte("v")))
	})
	tx, err := db.Begin(false)
	require.NoError(t, err)
	mustView(t, db, func(tx *bolt.Tx) {})
	require.Equal(t, bolt.Stats{}, db.Stats())
	require.NoError(t, tx.Rollback())
	require.Equal(t, bolt.Stats{}, db.Stats())

	// The counters still work without the option.
	db.MustReopenWith(nil)
	mustView(t, db, func(tx *bolt.Tx) {})
	require.Equal(t, 1, db.Stats().TxN)
}
