package bolt_test

import (
	"bytes"
	"math/rand"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// freelistModel is the expected content of bucket "data".
type freelistModel map[string][]byte

// freelistVerify compares bucket "data" with the model, in key order.
func freelistVerify(tb testing.TB, db *bolt.DB, model freelistModel) {
	tb.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	require.NoError(tb, db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("data"))
		if b == nil {
			require.Empty(tb, model)
			return nil
		}
		c := b.Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			require.Less(tb, i, len(keys), "extra key %x", k)
			require.Equal(tb, keys[i], string(k))
			require.True(tb, bytes.Equal(model[keys[i]], v), "value of %x", k)
			i++
		}
		require.Equal(tb, len(keys), i, "missing keys")
		return nil
	}))
	require.NoError(tb, db.View(checkTx))
}

// freelistRandomTx applies ops random puts and deletes to bucket "data" and
// the model in one transaction.
func freelistRandomTx(tb testing.TB, db *bolt.DB, rnd *rand.Rand, model freelistModel, ops int) {
	tb.Helper()
	require.NoError(tb, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("data"))
		require.NoError(tb, err)
		for i := 0; i < ops; i++ {
			k := u64key(uint64(rnd.Intn(3000)))
			if rnd.Intn(3) == 0 {
				require.NoError(tb, b.Delete(k))
				delete(model, string(k))
				continue
			}
			size := rnd.Intn(300)
			if rnd.Intn(50) == 0 {
				size = 5000 + rnd.Intn(20000) // overflow pages
			}
			v := patterned(size, byte(rnd.Intn(256)))
			require.NoError(tb, b.Put(k, v))
			model[string(k)] = v
		}
		return nil
	}))
}

func TestFreelistType_Map_RandomWorkload(t *testing.T) {
	rnd := rand.New(rand.NewSource(int64(bolt.TestSeed(t))))
	opts := &bolt.Options{FreelistType: bolt.FreelistMapType, NoSync: true, PageSize: 4096}
	db := mustOpenDB(t, opts)
	require.Equal(t, bolt.FreelistMapType, db.FreelistType)
	model := freelistModel{}
	for round := 0; round < 4; round++ {
		for i := 0; i < 8; i++ {
			freelistRandomTx(t, db.DB, rnd, model, 200)
		}
		freelistVerify(t, db.DB, model)
		if round%2 == 1 {
			db.MustReopen()
			require.Equal(t, bolt.FreelistMapType, db.FreelistType)
			freelistVerify(t, db.DB, model)
		}
	}
	// The same workload without a freelist page: rebuilt by scanning.
	db.MustReopenWith(&bolt.Options{FreelistType: bolt.FreelistMapType, NoFreelistSync: true, NoSync: true})
	for i := 0; i < 8; i++ {
		freelistRandomTx(t, db.DB, rnd, model, 200)
	}
	freelistVerify(t, db.DB, model)
	db.MustReopen()
	freelistVerify(t, db.DB, model)
}

// Deleting and reinserting the same data over and over reuses the freed
// pages: the file stops growing.
func TestFreelistType_ReusesFreedPages(t *testing.T) {
	for _, typ := range []bolt.FreelistType{bolt.FreelistMapType, bolt.FreelistArrayType} {
		t.Run(string(typ), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			db := mustOpenDBAt(t, path, &bolt.Options{FreelistType: typ, NoSync: true, PageSize: 4096})
			insert := func(cycle int) {
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucketIfNotExists([]byte("data"))
					require.NoError(t, err)
					for i := 0; i < 1000; i++ {
						require.NoError(t, b.Put(u64key(uint64(i)), patterned(200, byte(i+cycle))))
					}
					require.NoError(t, b.Put([]byte("big"), patterned(40000, byte(cycle))))
					return nil
				}))
			}
			remove := func() {
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					return tx.DeleteBucket([]byte("data"))
				}))
			}
			var sizes []int64
			for cycle := 0; cycle < 8; cycle++ {
				insert(cycle)
				remove()
				sizes = append(sizes, fileSize(t, path))
				if cycle == 4 {
					db.MustReopen()
				}
			}
			stats := db.Stats()
			require.Positive(t, stats.FreePageN+stats.PendingPageN, "the deleted pages are free")
			require.Equal(t, sizes[2], sizes[len(sizes)-1], "file sizes per cycle: %v", sizes)
			insert(99)
			mustCheck(t, db.DB)
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				require.Equal(t, patterned(40000, 99), tx.Bucket([]byte("data")).Get([]byte("big")))
				return nil
			}))
		})
	}
}

// The free-list type is an in-memory choice: a file written with one type
// opens with the other and sees the same free pages.
func TestFreelistType_SwitchAcrossReopen(t *testing.T) {
	rnd := rand.New(rand.NewSource(int64(bolt.TestSeed(t))))
	model := freelistModel{}
	path := filepath.Join(t.TempDir(), "db")
	types := []bolt.FreelistType{bolt.FreelistArrayType, bolt.FreelistMapType, "", bolt.FreelistMapType, "unknown", bolt.FreelistArrayType}
	db := mustOpenDBAt(t, path, &bolt.Options{FreelistType: types[0], NoSync: true})
	for i, typ := range types {
		if i > 0 {
			before := db.Stats()
			db.MustReopenWith(&bolt.Options{FreelistType: typ, NoSync: true})
			after := db.Stats()
			require.Equal(t, before.FreePageN+before.PendingPageN, after.FreePageN,
				"free pages after switching to %q", typ)
		}
		require.Equal(t, typ, db.FreelistType)
		freelistVerify(t, db.DB, model)
		for j := 0; j < 3; j++ {
			freelistRandomTx(t, db.DB, rnd, model, 300)
		}
		// Make sure some pages are free when the type changes.
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("data"))
			for k := 0; k < 3000; k += 7 {
				require.NoError(t, b.Delete(u64key(uint64(k))))
				delete(model, string(u64key(uint64(k))))
			}
			return nil
		}))
		freelistVerify(t, db.DB, model)
	}
	db.MustReopenWith(&bolt.Options{FreelistType: bolt.FreelistMapType, ReadOnly: true})
	freelistVerify(t, db.DB, model)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, len(model), tx.Bucket([]byte("data")).Stats().KeyN)
		return nil
	}))
}
