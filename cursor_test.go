package bolt_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

type kvPair struct{ k, v []byte }

// fillBucket creates bucket name holding key(i) -> val(i) for i in [0, n).
func fillBucket(t testing.TB, db *testDB, name string, n int, key, val func(i int) []byte) {
	t.Helper()
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b, err := tx.CreateBucketIfNotExists([]byte(name))
		require.NoError(t, err)
		for i := 0; i < n; i++ {
			require.NoError(t, b.Put(key(i), val(i)))
		}
	})
}

func fmtKey(i int) []byte { return []byte(fmt.Sprintf("%05d", i)) }

func TestCursor_Seek(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		for _, k := range []string{"foo", "bar", "baz"} {
			require.NoError(t, b.Put([]byte(k), []byte("v-"+k)))
		}
		sub := mustCreate(t, tx, b, "bkt")
		require.NoError(t, sub.Put([]byte("x"), []byte("y")))
	})
	tests := []struct {
		seek  []byte
		wantK string
		wantV []byte
	}{
		{[]byte("bar"), "bar", []byte("v-bar")},
		{[]byte("bas"), "baz", []byte("v-baz")},
		{[]byte("ba"), "bar", []byte("v-bar")},
		{[]byte(""), "bar", []byte("v-bar")},
		{nil, "bar", []byte("v-bar")},
		{[]byte("bkt"), "bkt", nil},
		{[]byte("bk"), "bkt", nil},
		{[]byte("c"), "foo", []byte("v-foo")},
		{[]byte("foo"), "foo", []byte("v-foo")},
		{[]byte("foo\x00"), "", nil},
		{[]byte("zzz"), "", nil},
	}
	for _, writable := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("writable=%v/seek=%q", writable, tt.seek), func(t *testing.T) {
				tx, err := db.Begin(writable)
				require.NoError(t, err)
				defer func() { require.NoError(t, tx.Rollback()) }()
				k, v := tx.Bucket([]byte("b")).Cursor().Seek(tt.seek)
				if tt.wantK == "" {
					require.Nil(t, k)
					require.Nil(t, v)
					return
				}
				require.Equal(t, []byte(tt.wantK), k)
				require.Equal(t, tt.wantV, v)
			})
		}
	}
}

func TestCursor_Seek_PastEndThenPrev(t *testing.T) {
	for _, n := range []int{3, 2000} { // leaf root, and a tree of pages
		t.Run(fmt.Sprintf("keys=%d", n), func(t *testing.T) {
			db := mustOpenDB(t, nil)
			fillBucket(t, db, "b", n, fmtKey, fmtKey)
			mustView(t, db, func(tx *bolt.Tx) {
				c := tx.Bucket([]byte("b")).Cursor()
				k, v := c.Seek([]byte("99999"))
				require.Nil(t, k)
				require.Nil(t, v)
				k, v = c.Prev()
				require.Equal(t, fmtKey(n-1), k)
				require.Equal(t, fmtKey(n-1), v)
				k, _ = c.Prev()
				require.Equal(t, fmtKey(n-2), k)
			})
		})
	}
}

func TestCursor_Seek_EvenKeys(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		for i := 0; i < 10000; i += 2 {
			require.NoError(t, b.Put(u64key(uint64(i)), u64key(uint64(i*3))))
		}
	})
	mustView(t, db, func(tx *bolt.Tx) {
		c := tx.Bucket([]byte("b")).Cursor()
		for i := 0; i < 10000; i++ {
			k, v := c.Seek(u64key(uint64(i)))
			if i == 9999 {
				require.Nil(t, k)
				require.Nil(t, v)
				continue
			}
			want := uint64(i + i%2)
			require.Equal(t, u64key(want), k, "seek %d", i)
			require.Equal(t, u64key(want*3), v, "seek %d", i)
		}
	})
}

func TestCursor_Delete_WhileIterating(t *testing.T) {
	t.Run("PageBackedDeletesAll", func(t *testing.T) {
		db := mustOpenDB(t, nil)
		fillBucket(t, db, "b", 10, fmtKey, fmtKey)
		mustUpdate(t, db, func(tx *bolt.Tx) {
			c := tx.Bucket([]byte("b")).Cursor()
			n := 0
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				require.NoError(t, c.Delete())
				n++
			}
			require.Equal(t, 10, n)
		})
		mustView(t, db, func(tx *bolt.Tx) {
			k, _ := tx.Bucket([]byte("b")).Cursor().First()
			require.Nil(t, k)
			require.Equal(t, 0, tx.Bucket([]byte("b")).Stats().KeyN)
		})
	})
	t.Run("NodeBackedSkipsEveryOther", func(t *testing.T) {
		// Once the leaf is an in-memory node, Delete shifts its entries
		// and the following Next steps over one key.
		db := mustOpenDB(t, nil)
		mustUpdate(t, db, func(tx *bolt.Tx) {
			b := mustCreate(t, tx, nil, "b")
			for i := 0; i < 10; i++ {
				require.NoError(t, b.Put(fmtKey(i), fmtKey(i)))
			}
			c := b.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				require.NoError(t, c.Delete())
			}
		})
		mustView(t, db, func(tx *bolt.Tx) {
			var left []string
			require.NoError(t, tx.Bucket([]byte("b")).ForEach(func(k, _ []byte) error {
				left = append(left, string(k))
				return nil
			}))
			require.Equal(t, []string{"00001", "00003", "00005", "00007", "00009"}, left)
		})
	})
	t.Run("FirstHalfOfPages", func(t *testing.T) {
		db := mustOpenDB(t, nil)
		fillBucket(t, db, "b", 1000, fmtKey, func(int) []byte { return make([]byte, 100) })
		mustUpdate(t, db, func(tx *bolt.Tx) {
			mustCreate(t, tx, tx.Bucket([]byte("b")), "zsub")
		})
		mustUpdate(t, db, func(tx *bolt.Tx) {
			c := tx.Bucket([]byte("b")).Cursor()
			bound := fmtKey(500)
			for k, _ := c.First(); string(k) < string(bound); k, _ = c.Next() {
				require.NoError(t, c.Delete())
			}
			k, v := c.Seek([]byte("zsub"))
			require.Equal(t, []byte("zsub"), k)
			require.Nil(t, v)
			requireErrIs(t, berrors.ErrIncompatibleValue, c.Delete())
		})
		mustView(t, db, func(tx *bolt.Tx) {
			b := tx.Bucket([]byte("b"))
			require.Equal(t, 501, b.Stats().KeyN, "500 values plus the sub-bucket")
			k, _ := b.Cursor().First()
			require.Equal(t, fmtKey(500), k)
			require.NotNil(t, b.Bucket([]byte("zsub")))
		})
	})
}

func TestCursor_SkipsEmptyLeaves(t *testing.T) {
	tests := []struct {
		name     string
		from, to int // deleted range
		reverse  bool
		want     int
	}{
		{"FirstNextAfterDeletingHead", 0, 600, false, 400},
		{"LastPrevAfterDeletingTail", 200, 1000, true, 200},
		{"FirstNextAfterDeletingTail", 200, 1000, false, 200},
		{"LastPrevAfterDeletingHead", 0, 600, true, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpenDB(t, nil)
			fillBucket(t, db, "b", 1000, func(i int) []byte { return u64key(uint64(i)) },
				func(int) []byte { return []byte{} })
			mustUpdate(t, db, func(tx *bolt.Tx) {
				b := tx.Bucket([]byte("b"))
				for i := tt.from; i < tt.to; i++ {
					require.NoError(t, b.Delete(u64key(uint64(i))))
				}
				c := b.Cursor()
				var keys [][]byte
				if tt.reverse {
					for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
						keys = append(keys, k)
					}
				} else {
					for k, _ := c.First(); k != nil; k, _ = c.Next() {
						keys = append(keys, k)
					}
				}
				require.Len(t, keys, tt.want)
				first, last := 0, tt.from-1
				if tt.from == 0 {
					first, last = tt.to, 999
				}
				if tt.reverse {
					first, last = last, first
				}
				require.Equal(t, u64key(uint64(first)), keys[0])
				require.Equal(t, u64key(uint64(last)), keys[len(keys)-1])
			})
		})
	}
}

func TestCursor_RunOffEnds(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	fillBucket(t, db, "b", 1000, fmtKey, fmtKey)
	mustView(t, db, func(tx *bolt.Tx) {
		c := tx.Bucket([]byte("b")).Cursor()
		expect := func(want int, k, v []byte) {
			t.Helper()
			if want < 0 {
				require.Nil(t, k)
				require.Nil(t, v)
				return
			}
			require.Equal(t, fmtKey(want), k)
			require.Equal(t, fmtKey(want), v)
		}

		k, v := c.Seek(fmtKey(1))
		expect(1, k, v)
		for i := 2; i < 1000; i++ {
			k, v = c.Next()
			expect(i, k, v)
		}
		for i := 0; i < 5; i++ {
			k, v = c.Next()
			expect(-1, k, v)
		}
		// The cursor stayed on the last key, so Prev gives the one before.
		for i := 998; i >= 0; i-- {
			k, v = c.Prev()
			expect(i, k, v)
		}
		for i := 0; i < 5; i++ {
			k, v = c.Prev()
			expect(-1, k, v)
		}
		// The cursor stayed on the first key, so Next gives the second.
		for i := 1; i < 1000; i++ {
			k, v = c.Next()
			expect(i, k, v)
		}

		k, v = c.Last()
		expect(999, k, v)
		k, v = c.Next()
		expect(-1, k, v)
		k, v = c.Prev()
		expect(998, k, v)
		k, v = c.First()
		expect(0, k, v)
		k, v = c.Prev()
		expect(-1, k, v)
		k, v = c.Next()
		expect(1, k, v)
	})
}

func TestCursor_Bucket(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		require.Same(t, b, b.Cursor().Bucket())
		sub := mustCreate(t, tx, b, "sub")
		require.Same(t, sub, sub.Cursor().Bucket())
	})
	mustView(t, db, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("b"))
		require.Same(t, b, b.Cursor().Bucket())
	})
}

func TestCursor_EmptyBucket(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		c := b.Cursor()
		k, v := c.First()
		require.Nil(t, k)
		require.Nil(t, v)
		k, _ = c.Last()
		require.Nil(t, k)
	})
	for _, writable := range []bool{false, true} {
		tx, err := db.Begin(writable)
		require.NoError(t, err)
		c := tx.Bucket([]byte("b")).Cursor()
		for name, move := range map[string]func() ([]byte, []byte){
			"First": c.First, "Last": c.Last, "Next": c.Next, "Prev": c.Prev,
			"Seek": func() ([]byte, []byte) { return c.Seek([]byte("a")) },
		} {
			k, v := move()
			require.Nil(t, k, "%s (writable=%v)", name, writable)
			require.Nil(t, v, "%s (writable=%v)", name, writable)
		}
		require.NoError(t, tx.Rollback())
	}
}

func TestCursor_Restart(t *testing.T) {
	db := mustOpenDB(t, nil)
	fillBucket(t, db, "b", 3, fmtKey, fmtKey)
	mustView(t, db, func(tx *bolt.Tx) {
		c := tx.Bucket([]byte("b")).Cursor()
		for round := 0; round < 4; round++ {
			k, _ := c.First()
			require.Equal(t, fmtKey(0), k)
			k, _ = c.Next()
			require.Equal(t, fmtKey(1), k)
		}
		for round := 0; round < 4; round++ {
			k, _ := c.Last()
			require.Equal(t, fmtKey(2), k)
			k, _ = c.Prev()
			require.Equal(t, fmtKey(1), k)
		}
	})
}

func TestCursor_BucketEntriesHaveNilValue(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		for _, name := range []string{"a", "c", "e"} {
			sub := mustCreate(t, tx, b, name)
			require.NoError(t, sub.Put([]byte("k"), []byte("v")))
		}
		require.NoError(t, b.Put([]byte("b"), []byte("value")))
		require.NoError(t, b.Put([]byte("d"), []byte{}))
	})
	want := []kvPair{{[]byte("a"), nil}, {[]byte("b"), []byte("value")}, {[]byte("c"), nil}, {[]byte("d"), []byte{}}, {[]byte("e"), nil}}
	for _, writable := range []bool{false, true} {
		tx, err := db.Begin(writable)
		require.NoError(t, err)
		c := tx.Bucket([]byte("b")).Cursor()
		var fwd, back []kvPair
		for k, v := c.First(); k != nil; k, v = c.Next() {
			fwd = append(fwd, kvPair{k, v})
		}
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			back = append([]kvPair{{k, v}}, back...)
		}
		require.Equal(t, want, fwd)
		require.Equal(t, want, back)
		k, v := c.Seek([]byte("c"))
		require.Equal(t, []byte("c"), k)
		require.Nil(t, v)
		k, v = c.Last()
		require.Equal(t, []byte("e"), k)
		require.Nil(t, v)
		k, v = c.First()
		require.Equal(t, []byte("a"), k)
		require.Nil(t, v)
		require.NoError(t, tx.Rollback())
	}
}

func TestCursor_Iterate_MatchesModel(t *testing.T) {
	// A fixed mix of sizes and orders: forward and reverse iteration over a
	// multi-page bucket must give the sorted keys, after commit and, going
	// forward, also after deletes in the same tx. (Reverse iteration over a
	// leaf emptied in the same tx is TestCursor_Prev_SkipsEmptiedLeafInMiddle: bbolt stops
	// there.)
	db := mustOpenDB(t, nil)
	const n = 3000
	model := map[string]string{}
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		for i := 0; i < n; i++ {
			j := (uint64(i) * 2654435761) % 1000003
			k := fmt.Sprintf("%x", j)
			v := fmt.Sprintf("%0*d", i%300, i)
			require.NoError(t, b.Put([]byte(k), []byte(v)))
			model[k] = v
		}
	})
	check := func(b *bolt.Bucket, reverse bool) {
		t.Helper()
		var fwd []string
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			require.Equal(t, model[string(k)], string(v))
			fwd = append(fwd, string(k))
		}
		require.Len(t, fwd, len(model))
		for i := 1; i < len(fwd); i++ {
			require.Less(t, fwd[i-1], fwd[i])
		}
		if !reverse {
			return
		}
		i := len(fwd) - 1
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			require.Equal(t, fwd[i], string(k))
			i--
		}
		require.Equal(t, -1, i)
	}
	mustView(t, db, func(tx *bolt.Tx) { check(tx.Bucket([]byte("b")), true) })
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("b"))
		i := 0
		for k := range model {
			if i%4 != 0 {
				require.NoError(t, b.Delete([]byte(k)))
				delete(model, k)
			}
			i++
		}
		check(b, false)
	})
	mustView(t, db, func(tx *bolt.Tx) { check(tx.Bucket([]byte("b")), true) })
}

func TestCursor_AfterTxClosed_Panics(t *testing.T) {
	db := mustOpenDB(t, nil)
	fillBucket(t, db, "b", 3, fmtKey, fmtKey)
	moves := map[string]func(c *bolt.Cursor){
		"First": func(c *bolt.Cursor) { c.First() },
		"Last":  func(c *bolt.Cursor) { c.Last() },
		"Next":  func(c *bolt.Cursor) { c.Next() },
		"Prev":  func(c *bolt.Cursor) { c.Prev() },
		"Seek":  func(c *bolt.Cursor) { c.Seek([]byte("00001")) },
	}
	for name, move := range moves {
		for _, writable := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/writable=%v", name, writable), func(t *testing.T) {
				tx, err := db.Begin(writable)
				require.NoError(t, err)
				c := tx.Bucket([]byte("b")).Cursor()
				c.First()
				require.NoError(t, tx.Rollback())
				requirePanicContains(t, "tx closed", func() { move(c) })
			})
		}
	}
}

// Divergence from bbolt: Last/Prev in a write tx must step over a leaf emptied by deletes in the
// middle of the tree, as First/Next do. (bbolt v1.5.0 returns nil there:
// with 200 of 1000 keys deleted from the middle, Last/Prev yields 400 keys.)
func TestCursor_Prev_SkipsEmptiedLeafInMiddle(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	fillBucket(t, db, "b", 1000, fmtKey, func(int) []byte { return []byte{} })
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("b"))
		for i := 400; i < 600; i++ {
			require.NoError(t, b.Delete(fmtKey(i)))
		}
		c := b.Cursor()
		n := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		require.Equal(t, 800, n)
		var keys []string
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			keys = append(keys, string(k))
		}
		require.Equal(t, 800, len(keys))
		require.Equal(t, "00600", keys[399])
		require.Equal(t, "00399", keys[400])
	})
}

// TestCursor_Delete_NotPositioned: Delete on a cursor that was never moved
// returns an error from that call (bbolt panics), and the transaction stays
// usable: later changes commit. A cursor past the end deletes nothing.
func TestCursor_Delete_NotPositioned(t *testing.T) {
	db := mustOpenDB(t, nil)
	fillBucket(t, db, "b", 10, fmtKey, func(int) []byte { return []byte("v") })
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		err := b.Cursor().Delete()
		require.Error(t, err)
		require.Contains(t, err.Error(), "not positioned")

		c := b.Cursor()
		k, _ := c.Seek([]byte("zzz"))
		require.Nil(t, k)
		require.NoError(t, c.Delete(), "past the end: nothing to delete")

		return b.Put([]byte("after"), []byte("x"))
	}))
	mustView(t, db, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("b"))
		require.Equal(t, []byte("x"), b.Get([]byte("after")))
		require.Equal(t, 11, b.Stats().KeyN)
	})
}
