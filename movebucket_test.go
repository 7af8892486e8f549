package bolt_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// mvDump renders a bucket's whole subtree, one line per key: plain pairs as
// path=hexvalue, nested buckets as path/ with their sequence, in key order.
// Two buckets with equal dumps hold the same keys, values, nested buckets
// and sequences.
func mvDump(b *bolt.Bucket) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "seq=%d\n", b.Sequence())
	mvDumpInto(&sb, b, "")
	return sb.String()
}

func mvDumpInto(sb *strings.Builder, b *bolt.Bucket, prefix string) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		path := prefix + hex.EncodeToString(k)
		if v == nil {
			if child := b.Bucket(k); child != nil {
				fmt.Fprintf(sb, "%s/ seq=%d\n", path, child.Sequence())
				mvDumpInto(sb, child, path+"/")
				continue
			}
		}
		fmt.Fprintf(sb, "%s=%s\n", path, mvValue(v))
	}
}

// mvValue shows short values in full and long ones by length and checksum.
func mvValue(v []byte) string {
	if len(v) <= 16 {
		return hex.EncodeToString(v)
	}
	return fmt.Sprintf("len%d/crc%08x", len(v), crc32.ChecksumIEEE(v))
}

// mvDumpDB renders every top-level bucket of the database.
func mvDumpDB(tb testing.TB, db *bolt.DB) string {
	tb.Helper()
	var sb strings.Builder
	require.NoError(tb, db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			fmt.Fprintf(&sb, "[%x]\n%s", name, mvDump(b))
			return nil
		})
	}))
	return sb.String()
}

// mvPath opens the bucket at path, starting from the root; an empty path
// gives nil, which MoveBucket on a Tx reads as the root bucket.
func mvPath(tx *bolt.Tx, path ...string) *bolt.Bucket {
	if len(path) == 0 {
		return nil
	}
	b := tx.Bucket([]byte(path[0]))
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket([]byte(name))
	}
	return b
}

// mvCreatePath creates (if needed) every bucket along path.
func mvCreatePath(tb testing.TB, tx *bolt.Tx, path ...string) *bolt.Bucket {
	tb.Helper()
	b, err := tx.CreateBucketIfNotExists([]byte(path[0]))
	require.NoError(tb, err)
	for _, name := range path[1:] {
		b, err = b.CreateBucketIfNotExists([]byte(name))
		require.NoError(tb, err)
	}
	return b
}

// mvFillInline gives b a few small pairs (so it stays inline) and a sequence.
func mvFillInline(tb testing.TB, b *bolt.Bucket, seq uint64) {
	tb.Helper()
	require.NoError(tb, b.Put([]byte("a"), []byte("1")))
	require.NoError(tb, b.Put([]byte("b"), []byte{}))
	require.NoError(tb, b.Put([]byte("c"), []byte("three")))
	require.NoError(tb, b.SetSequence(seq))
}

// mvFillLarge gives b enough data to need pages of its own, a nested
// page-backed bucket holding an inline one, an empty value, an overflow
// value and sequences at every level.
func mvFillLarge(tb testing.TB, b *bolt.Bucket) {
	tb.Helper()
	for i := 0; i < 400; i++ {
		require.NoError(tb, b.Put(u64key(uint64(i)), patterned(40+i%50, byte(i))))
	}
	require.NoError(tb, b.Put([]byte("empty"), []byte{}))
	require.NoError(tb, b.Put([]byte("huge"), patterned(3*4096+123, 9)))
	require.NoError(tb, b.SetSequence(77))
	n1, err := b.CreateBucket([]byte("n1"))
	require.NoError(tb, err)
	for i := 0; i < 200; i++ {
		require.NoError(tb, n1.Put(u64key(uint64(i)), patterned(60, byte(i+1))))
	}
	require.NoError(tb, n1.SetSequence(5))
	n2, err := n1.CreateBucket([]byte("n2"))
	require.NoError(tb, err)
	mvFillInline(tb, n2, 3)
	_, err = b.CreateBucket([]byte("emptychild"))
	require.NoError(tb, err)
}

func TestMoveBucket_ErrorOrder(t *testing.T) {
	// Layout shared by every case:
	//   src ⊃ {child (bucket), val (plain), samename (bucket)}
	//   dst ⊃ {samename (bucket), val (plain), other (bucket)}
	setup := func(t *testing.T, path string) *testDB {
		db := mustOpenDBAt(t, path, nil)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			src := mvCreatePath(t, tx, "src")
			child, err := src.CreateBucket([]byte("child"))
			require.NoError(t, err)
			mvFillInline(t, child, 1)
			require.NoError(t, src.Put([]byte("val"), []byte("v")))
			_, err = src.CreateBucket([]byte("samename"))
			require.NoError(t, err)
			dst := mvCreatePath(t, tx, "dst")
			_, err = dst.CreateBucket([]byte("samename"))
			require.NoError(t, err)
			require.NoError(t, dst.Put([]byte("val"), []byte("w")))
			_, err = dst.CreateBucket([]byte("other"))
			return err
		}))
		return db
	}

	// Cases whose two buckets live in one read-write transaction.
	sameTx := []struct {
		name     string
		src, dst []string // nil means the root
		key      string
		want     error
	}{
		{"missing key", []string{"src"}, []string{"dst"}, "nosuch", berrors.ErrBucketNotFound},
		{"missing key beats same bucket", []string{"src"}, []string{"src"}, "nosuch", berrors.ErrBucketNotFound},
		{"source key is a value", []string{"src"}, []string{"dst"}, "val", berrors.ErrIncompatibleValue},
		{"source value beats same bucket", []string{"src"}, []string{"src"}, "val", berrors.ErrIncompatibleValue},
		{"same bucket", []string{"src"}, []string{"src"}, "child", berrors.ErrSameBuckets},
		{"same bucket beats existing key", []string{"src"}, []string{"src"}, "samename", berrors.ErrSameBuckets},
		{"root to root", nil, nil, "src", berrors.ErrSameBuckets},
		{"destination has the bucket", []string{"src"}, []string{"dst"}, "samename", berrors.ErrBucketExists},
		{"destination has a value", []string{"dst"}, []string{"src"}, "val", berrors.ErrIncompatibleValue},
		{"nested to root", []string{"dst"}, nil, "other", nil},
		{"root into nested", nil, []string{"dst", "other"}, "src", nil},
	}
	for _, tc := range sameTx {
		t.Run(tc.name, func(t *testing.T) {
			db := setup(t, filepath.Join(t.TempDir(), "db"))
			before := mvDumpDB(t, db.DB)
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				err := tx.MoveBucket([]byte(tc.key), mvPath(tx, tc.src...), mvPath(tx, tc.dst...))
				if tc.want == nil {
					require.NoError(t, err)
					return nil
				}
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, tc.want, err, "bbolt returns the error value itself")
				return nil
			}))
			if tc.want != nil {
				require.Equal(t, before, mvDumpDB(t, db.DB), "a failed move changes nothing")
			}
		})
	}

	t.Run("root given as a bucket pointer is the same bucket as nil", func(t *testing.T) {
		db := setup(t, filepath.Join(t.TempDir(), "db"))
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			root := tx.Cursor().Bucket()
			require.Equal(t, berrors.ErrSameBuckets, tx.MoveBucket([]byte("src"), nil, root))
			require.Equal(t, berrors.ErrSameBuckets, tx.MoveBucket([]byte("src"), root, nil))
			require.Equal(t, berrors.ErrSameBuckets, root.MoveBucket([]byte("src"), root))
			return nil
		}))
	})

	t.Run("closed source", func(t *testing.T) {
		db := setup(t, filepath.Join(t.TempDir(), "db"))
		ro, err := db.Begin(false)
		require.NoError(t, err)
		closedSrc := ro.Bucket([]byte("src"))
		require.NoError(t, ro.Rollback())
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			require.Equal(t, berrors.ErrTxClosed, closedSrc.MoveBucket([]byte("child"), tx.Bucket([]byte("dst"))))
			require.Equal(t, berrors.ErrTxClosed, tx.MoveBucket([]byte("child"), closedSrc, nil))
			return nil
		}))
		// Closed beats not writable on the other side.
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, berrors.ErrTxClosed, closedSrc.MoveBucket([]byte("child"), tx.Bucket([]byte("dst"))))
			return nil
		}))
	})

	t.Run("closed destination", func(t *testing.T) {
		db := setup(t, filepath.Join(t.TempDir(), "db"))
		rw, err := db.Begin(true)
		require.NoError(t, err)
		closedDst := rw.Bucket([]byte("dst"))
		require.NoError(t, rw.Rollback())
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			require.Equal(t, berrors.ErrTxClosed, tx.Bucket([]byte("src")).MoveBucket([]byte("child"), closedDst))
			require.Equal(t, berrors.ErrTxClosed, tx.MoveBucket([]byte("nosuch"), nil, closedDst))
			return nil
		}))
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, berrors.ErrTxClosed, tx.Bucket([]byte("src")).MoveBucket([]byte("child"), closedDst))
			return nil
		}))
	})

	t.Run("closed on both sides", func(t *testing.T) {
		db := setup(t, filepath.Join(t.TempDir(), "db"))
		tx, err := db.Begin(true)
		require.NoError(t, err)
		src, dst := tx.Bucket([]byte("src")), tx.Bucket([]byte("dst"))
		require.NoError(t, tx.Commit())
		require.Equal(t, berrors.ErrTxClosed, src.MoveBucket([]byte("child"), dst))
		require.Equal(t, berrors.ErrTxClosed, tx.MoveBucket([]byte("child"), src, dst))
		require.Equal(t, berrors.ErrTxClosed, tx.MoveBucket([]byte("child"), nil, dst))
	})

	t.Run("read-only transactions", func(t *testing.T) {
		db := setup(t, filepath.Join(t.TempDir(), "db"))
		// Both sides in one read-only tx.
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, berrors.ErrTxNotWritable, tx.MoveBucket([]byte("child"), tx.Bucket([]byte("src")), tx.Bucket([]byte("dst"))))
			require.Equal(t, berrors.ErrTxNotWritable, tx.MoveBucket([]byte("nosuch"), nil, nil))
			return nil
		}))
		// One side read-only, the other in a writable tx of the same DB: the
		// writability check comes before the different-tx check, and before
		// the key is even looked at.
		ro, err := db.Begin(false)
		require.NoError(t, err)
		defer func() { require.NoError(t, ro.Rollback()) }()
		roSrc, roDst := ro.Bucket([]byte("src")), ro.Bucket([]byte("dst"))
		// (Rolled back rather than committed: a commit that grows the mmap
		// would wait for the open reader in bbolt.)
		tx, err := db.Begin(true)
		require.NoError(t, err)
		rwSrc, rwDst := tx.Bucket([]byte("src")), tx.Bucket([]byte("dst"))
		require.Equal(t, berrors.ErrTxNotWritable, roSrc.MoveBucket([]byte("child"), rwDst))
		require.Equal(t, berrors.ErrTxNotWritable, rwSrc.MoveBucket([]byte("child"), roDst))
		require.Equal(t, berrors.ErrTxNotWritable, rwSrc.MoveBucket([]byte("nosuch"), roDst))
		require.Equal(t, berrors.ErrTxNotWritable, tx.MoveBucket([]byte("child"), nil, roDst))
		require.Equal(t, berrors.ErrTxNotWritable, tx.MoveBucket([]byte("src"), roSrc, nil))
		require.NoError(t, tx.Rollback())
	})

	t.Run("different database files", func(t *testing.T) {
		dir := t.TempDir()
		a := setup(t, filepath.Join(dir, "a"))
		b := setup(t, filepath.Join(dir, "b"))
		txA, err := a.Begin(true)
		require.NoError(t, err)
		defer func() { require.NoError(t, txA.Rollback()) }()
		txB, err := b.Begin(true)
		require.NoError(t, err)
		defer func() { require.NoError(t, txB.Rollback()) }()
		srcA, dstB := txA.Bucket([]byte("src")), txB.Bucket([]byte("dst"))
		require.Equal(t, berrors.ErrDifferentDB, srcA.MoveBucket([]byte("child"), dstB))
		// Checked before the key, the kind of the key and the destination.
		require.Equal(t, berrors.ErrDifferentDB, srcA.MoveBucket([]byte("nosuch"), dstB))
		require.Equal(t, berrors.ErrDifferentDB, srcA.MoveBucket([]byte("val"), dstB))
		require.Equal(t, berrors.ErrDifferentDB, srcA.MoveBucket([]byte("samename"), dstB))
		require.Equal(t, berrors.ErrDifferentDB, txA.MoveBucket([]byte("src"), nil, dstB))
		// A read-only side still reports ErrTxNotWritable first.
		roB, err := b.Begin(false)
		require.NoError(t, err)
		defer func() { require.NoError(t, roB.Rollback()) }()
		require.Equal(t, berrors.ErrTxNotWritable, srcA.MoveBucket([]byte("child"), roB.Bucket([]byte("dst"))))
		require.NotNil(t, txA.Bucket([]byte("src")).Bucket([]byte("child")), "nothing moved")
	})

	t.Run("different transactions with one path", func(t *testing.T) {
		// Two writable transactions whose DBs report the same Path: two
		// files, each opened by the same relative path from a different
		// working directory. (Moving the first file aside and creating a
		// second at its path would do too, but Windows renames no file
		// that is open.) The paths compare equal, so only the transaction
		// identity tells them apart.
		t.Chdir(t.TempDir())
		first := setup(t, "db")
		t.Chdir(t.TempDir())
		second := setup(t, "db")
		require.Equal(t, "db", first.Path())
		require.Equal(t, first.Path(), second.Path())

		tx1, err := first.Begin(true)
		require.NoError(t, err)
		defer func() { require.NoError(t, tx1.Rollback()) }()
		tx2, err := second.Begin(true)
		require.NoError(t, err)
		defer func() { require.NoError(t, tx2.Rollback()) }()
		require.Equal(t, berrors.ErrDifferentDB, tx1.Bucket([]byte("src")).MoveBucket([]byte("child"), tx2.Bucket([]byte("dst"))))
		require.Equal(t, berrors.ErrDifferentDB, tx1.MoveBucket([]byte("nosuch"), nil, tx2.Bucket([]byte("dst"))))
		require.Equal(t, berrors.ErrDifferentDB, tx2.MoveBucket([]byte("src"), tx1.Cursor().Bucket(), nil))
	})
}

func TestMoveBucket_PreservesContents(t *testing.T) {
	paths := []struct {
		name     string
		src, dst []string
	}{
		{"nested to nested", []string{"s1", "s2"}, []string{"d1", "d2"}},
		{"siblings under one parent", []string{"gp", "s"}, []string{"gp", "d"}},
		{"top level into nested", nil, []string{"d1", "d2"}},
		{"nested to top level", []string{"s1", "s2"}, nil},
		{"into a parent", []string{"s1", "s2"}, []string{"s1"}},
		{"into a sibling of the source", []string{"s1"}, []string{"s1", "s2"}},
	}
	kinds := []struct {
		name   string
		fill   func(testing.TB, *bolt.Bucket)
		inline bool
	}{
		{"inline", func(tb testing.TB, b *bolt.Bucket) { mvFillInline(tb, b, 42) }, true},
		{"empty", func(testing.TB, *bolt.Bucket) {}, true},
		{"paged", mvFillLarge, false},
	}
	for _, p := range paths {
		for _, k := range kinds {
			t.Run(p.name+"/"+k.name, func(t *testing.T) {
				db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
				key := []byte("moving")
				var want string
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					// Neighbours on both sides, so the moved key is not alone.
					var parent *bolt.Bucket
					if len(p.src) > 0 {
						parent = mvCreatePath(t, tx, p.src...)
					}
					if len(p.dst) > 0 {
						d := mvCreatePath(t, tx, p.dst...)
						require.NoError(t, d.Put([]byte("movinf"), []byte("before")))
						require.NoError(t, d.Put([]byte("movinh"), []byte("after")))
					}
					var b *bolt.Bucket
					var err error
					if parent == nil {
						b, err = tx.CreateBucket(key)
					} else {
						b, err = parent.CreateBucket(key)
					}
					require.NoError(t, err)
					k.fill(t, b)
					return nil
				}))
				require.NoError(t, db.View(func(tx *bolt.Tx) error {
					var b *bolt.Bucket
					if src := mvPath(tx, p.src...); src == nil {
						b = tx.Bucket(key)
					} else {
						b = src.Bucket(key)
					}
					require.Equal(t, k.inline, b.Root() == 0, "root %d", b.Root())
					want = mvDump(b)
					return nil
				}))
				others := func(tx *bolt.Tx) string {
					// Everything except the moved bucket.
					var sb strings.Builder
					require.NoError(t, tx.ForEach(func(name []byte, b *bolt.Bucket) error {
						if bytes.Equal(name, key) {
							return nil
						}
						fmt.Fprintf(&sb, "[%x]\n", name)
						c := b.Cursor()
						for k, v := c.First(); k != nil; k, v = c.Next() {
							if bytes.Equal(k, key) {
								continue
							}
							fmt.Fprintf(&sb, "%x=%x\n", k, v)
							if v == nil {
								sub := b.Bucket(k)
								sc := sub.Cursor()
								for k2, v2 := sc.First(); k2 != nil; k2, v2 = sc.Next() {
									if !bytes.Equal(k2, key) {
										fmt.Fprintf(&sb, "  %x=%x\n", k2, v2)
									}
								}
							}
						}
						return nil
					}))
					return sb.String()
				}
				var othersBefore string
				require.NoError(t, db.View(func(tx *bolt.Tx) error { othersBefore = others(tx); return nil }))

				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					src, dst := mvPath(tx, p.src...), mvPath(tx, p.dst...)
					require.NoError(t, tx.MoveBucket(key, src, dst))
					if src == nil {
						require.Nil(t, tx.Bucket(key), "gone from the source")
					} else {
						require.Nil(t, src.Bucket(key), "gone from the source")
					}
					var moved *bolt.Bucket
					if dst == nil {
						moved = tx.Bucket(key)
					} else {
						moved = dst.Bucket(key)
					}
					require.NotNil(t, moved)
					require.Equal(t, want, mvDump(moved), "same transaction")
					return nil
				}))
				mustCheck(t, db.DB)
				db.MustReopen()
				mustCheck(t, db.DB)
				require.NoError(t, db.View(func(tx *bolt.Tx) error {
					src, dst := mvPath(tx, p.src...), mvPath(tx, p.dst...)
					if src == nil {
						require.Nil(t, tx.Bucket(key))
					} else {
						require.Nil(t, src.Bucket(key))
					}
					var moved *bolt.Bucket
					if dst == nil {
						moved = tx.Bucket(key)
					} else {
						moved = dst.Bucket(key)
					}
					require.NotNil(t, moved)
					require.Equal(t, want, mvDump(moved), "after commit and reopen")
					require.Equal(t, k.inline, moved.Root() == 0)
					require.Equal(t, othersBefore, others(tx), "nothing else changed")
					return nil
				}))
				// The moved bucket stays fully usable.
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					dst := mvPath(tx, p.dst...)
					var moved *bolt.Bucket
					if dst == nil {
						moved = tx.Bucket(key)
					} else {
						moved = dst.Bucket(key)
					}
					require.NoError(t, moved.Put([]byte("later"), []byte("x")))
					return nil
				}))
			})
		}
	}
}

// A move and a move back within one transaction leave the file exactly as
// consistent as before, and a bucket can be moved twice before commit.
func TestMoveBucket_ChainInOneTx(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	var want string
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		mvCreatePath(t, tx, "a")
		mvCreatePath(t, tx, "b")
		mvCreatePath(t, tx, "c")
		m := mvCreatePath(t, tx, "a", "m")
		mvFillLarge(t, m)
		return nil
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		want = mvDump(mvPath(tx, "a", "m"))
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		a, b, c := mvPath(tx, "a"), mvPath(tx, "b"), mvPath(tx, "c")
		require.NoError(t, a.MoveBucket([]byte("m"), b))
		require.NoError(t, b.MoveBucket([]byte("m"), c))
		require.Equal(t, berrors.ErrBucketNotFound, a.MoveBucket([]byte("m"), b))
		return nil
	}))
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, mvPath(tx, "a", "m"))
		require.Nil(t, mvPath(tx, "b", "m"))
		require.Equal(t, want, mvDump(mvPath(tx, "c", "m")))
		return nil
	}))
	mustCheck(t, db.DB)
}

// A rolled-back move leaves everything where it was.
func TestMoveBucket_Rollback(t *testing.T) {
	db := mustOpenDB(t, nil)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		mvCreatePath(t, tx, "dst")
		mvFillLarge(t, mvCreatePath(t, tx, "src", "m"))
		return nil
	}))
	before := mvDumpDB(t, db.DB)
	tx, err := db.Begin(true)
	require.NoError(t, err)
	require.NoError(t, tx.MoveBucket([]byte("m"), tx.Bucket([]byte("src")), tx.Bucket([]byte("dst"))))
	require.NoError(t, tx.Rollback())
	require.Equal(t, before, mvDumpDB(t, db.DB))
	mustCheck(t, db.DB)
}

// Divergence from bbolt: moving a bucket that was opened and changed earlier
// in the same transaction keeps those changes. bbolt moves the bucket's last
// committed value and drops the opened child, so its changes vanish, and pages
// the child had already freed (a nested bucket it deleted) stay referenced by
// the moved value: bbolt's Check then reports "reachable freed".
func TestMoveBucket_KeepsChangesMadeEarlierInTx(t *testing.T) {
	for _, tc := range []struct {
		name string
		fill func(testing.TB, *bolt.Bucket)
	}{
		{"inline", func(tb testing.TB, b *bolt.Bucket) { mvFillInline(tb, b, 42) }},
		{"paged", mvFillLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				mvCreatePath(t, tx, "dst")
				tc.fill(t, mvCreatePath(t, tx, "src", "m"))
				return nil
			}))
			var want string
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				m := mvPath(tx, "src", "m")
				require.NoError(t, m.Put([]byte("added"), []byte("in this tx")))
				require.NoError(t, m.Delete([]byte("a")))
				require.NoError(t, m.Delete(u64key(7)))
				_, err := m.NextSequence()
				require.NoError(t, err)
				nested, err := m.CreateBucket([]byte("new nested"))
				require.NoError(t, err)
				require.NoError(t, nested.Put([]byte("k"), []byte("v")))
				if n1 := m.Bucket([]byte("n1")); n1 != nil {
					require.NoError(t, n1.Put([]byte("deep"), []byte("change")))
				}
				want = mvDump(m)

				require.NoError(t, tx.MoveBucket([]byte("m"), mvPath(tx, "src"), mvPath(tx, "dst")))
				require.Equal(t, want, mvDump(mvPath(tx, "dst", "m")), "same transaction")
				return nil
			}))
			mustCheck(t, db.DB)
			db.MustReopen()
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				require.Nil(t, mvPath(tx, "src", "m"))
				require.Equal(t, want, mvDump(mvPath(tx, "dst", "m")), "after reopen")
				return nil
			}))
		})
	}
}

// Divergence from bbolt: a bucket created in the same transaction moves with
// its contents.
func TestMoveBucket_CreatedInSameTx(t *testing.T) {
	db := mustOpenDB(t, nil)
	var want string
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		dst := mvCreatePath(t, tx, "dst")
		m := mvCreatePath(t, tx, "src", "m")
		mvFillLarge(t, m)
		want = mvDump(m)
		require.NoError(t, tx.MoveBucket([]byte("m"), mvPath(tx, "src"), dst))
		return nil
	}))
	mustCheck(t, db.DB)
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, mvPath(tx, "src", "m"))
		require.Equal(t, want, mvDump(mvPath(tx, "dst", "m")))
		return nil
	}))
}

// Divergence from bbolt: deleting a nested bucket and then moving its parent
// in one transaction
// leaves no freed page reachable.
func TestMoveBucket_AfterDeletingNestedBucket(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: 4096})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		mvCreatePath(t, tx, "dst")
		mvFillLarge(t, mvCreatePath(t, tx, "src", "m"))
		return nil
	}))
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		m := mvPath(tx, "src", "m")
		require.NoError(t, m.DeleteBucket([]byte("n1")))
		return tx.MoveBucket([]byte("m"), mvPath(tx, "src"), mvPath(tx, "dst"))
	}))
	mustCheck(t, db.DB)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, mvPath(tx, "dst", "m", "n1"))
		require.NotNil(t, mvPath(tx, "dst", "m", "emptychild"))
		return nil
	}))
}
