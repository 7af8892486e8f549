package bolt_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

const checkPageSize = 4096

// checkErrs runs tx.Check with opts and returns every error's text.
func checkErrs(tx *bolt.Tx, opts ...bolt.CheckOption) []string {
	var out []string
	for err := range tx.Check(opts...) {
		out = append(out, err.Error())
	}
	return out
}

// checkOpenRaw opens path without the consistency check on cleanup that
// mustOpenDB adds: these tests damage their files on purpose.
func checkOpenRaw(tb testing.TB, path string, opts *bolt.Options) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// checkReadPage reads page id (one page, no overflow) from the file.
func checkReadPage(tb testing.TB, path string, id uint64) []byte {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	buf := make([]byte, checkPageSize)
	_, err = f.ReadAt(buf, int64(id)*checkPageSize)
	require.NoError(tb, err)
	require.Equal(tb, id, binary.NativeEndian.Uint64(buf[0:8]), "page header id")
	return buf
}

// checkWritePage writes buf back as page id.
func checkWritePage(tb testing.TB, path string, id uint64, buf []byte) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(tb, err)
	_, err = f.WriteAt(buf, int64(id)*checkPageSize)
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
}

// Page header: id u64, flags u16, count u16, overflow u32; then 16-byte
// elements. Branch element: pos u32, ksize u32, pgid u64. Leaf element:
// flags u32, pos u32, ksize u32, vsize u32. pos is relative to the element.
func checkPageFlags(p []byte) uint16 { return binary.NativeEndian.Uint16(p[8:10]) }
func checkPageCount(p []byte) int    { return int(binary.NativeEndian.Uint16(p[10:12])) }

func checkBranchChildren(tb testing.TB, p []byte) []uint64 {
	tb.Helper()
	require.Equal(tb, uint16(0x01), checkPageFlags(p), "branch page")
	var ids []uint64
	for i := 0; i < checkPageCount(p); i++ {
		e := 16 + 16*i
		ids = append(ids, binary.NativeEndian.Uint64(p[e+8:e+16]))
	}
	return ids
}

// checkLeafKey returns the offset and length of element i's key.
func checkLeafKey(p []byte, i int) (int, int) {
	e := 16 + 16*i
	pos := int(binary.NativeEndian.Uint32(p[e+4 : e+8]))
	ksize := int(binary.NativeEndian.Uint32(p[e+8 : e+12]))
	return e + pos, ksize
}

// checkFillData creates bucket "data" with 100 keys "%04d" → 100 zero bytes,
// about five leaf pages under one branch page, and returns the bucket's
// root page id.
func checkFillData(tb testing.TB, db *bolt.DB) uint64 {
	tb.Helper()
	require.NoError(tb, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		require.NoError(tb, err)
		for i := 0; i < 100; i++ {
			require.NoError(tb, b.Put([]byte(fmt.Sprintf("%04d", i)), make([]byte, 100)))
		}
		return nil
	}))
	var root uint64
	require.NoError(tb, db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket([]byte("data")).Root())
		return nil
	}))
	return root
}

func TestTx_Check_Fresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpenDBAt(t, path, nil)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.NoError(t, <-tx.Check())
		require.Empty(t, checkErrs(tx))
		require.Empty(t, checkErrs(tx, bolt.WithPageId(0)), "page 0 means the whole file")
		return nil
	}))
	db.MustReopen()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.NoError(t, <-tx.Check())
		return nil
	}))
	// Also from a writable tx.
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		require.NoError(t, <-tx.Check())
		return nil
	}))
}

func TestTx_Check_PageIdOutOfRange(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: checkPageSize})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		for _, id := range []uint64{1, 4, 1000} {
			require.Equal(t, []string{fmt.Sprintf("page ID (%d) out of range [2, 4)", id)},
				checkErrs(tx, bolt.WithPageId(id)))
		}
		// Page 3 (the empty root leaf) is in range and clean.
		require.Empty(t, checkErrs(tx, bolt.WithPageId(3)))
		return nil
	}))
}

// On a read-only DB the free list is loaded by the first Check; two Checks
// running at once on one tx both succeed.
func TestTx_Check_ConcurrentOnReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpenDBAt(t, path, nil)
	checkFillData(t, db.DB)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("data")).Delete([]byte("0050"))
	}))
	db.MustClose()

	ro := mustOpenDBAt(t, path, &bolt.Options{ReadOnly: true})
	require.NoError(t, ro.View(func(tx *bolt.Tx) error {
		_, err := tx.Page(2)
		require.Equal(t, berrors.ErrFreePagesNotLoaded, err)

		results := make(chan []string, 2)
		for i := 0; i < 2; i++ {
			go func() { results <- checkErrs(tx) }()
		}
		require.Empty(t, <-results)
		require.Empty(t, <-results)

		// The check loaded the free list.
		_, err = tx.Page(2)
		require.NoError(t, err)
		return nil
	}))
}

func TestTx_Check_CorruptLeaf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	root := checkFillData(t, db)
	require.NoError(t, db.Close())

	leaves := checkBranchChildren(t, checkReadPage(t, path, root))
	require.GreaterOrEqual(t, len(leaves), 3)
	victim := leaves[1]

	// Swap the first two keys of the victim leaf (all keys have 4 bytes).
	p := checkReadPage(t, path, victim)
	require.Equal(t, uint16(0x02), checkPageFlags(p), "leaf page")
	off0, n0 := checkLeafKey(p, 0)
	off1, n1 := checkLeafKey(p, 1)
	require.Equal(t, 4, n0)
	require.Equal(t, 4, n1)
	k0 := string(p[off0 : off0+4])
	k1 := string(p[off1 : off1+4])
	copy(p[off0:off0+4], k1)
	copy(p[off1:off1+4], k0)
	checkWritePage(t, path, victim, p)

	db = checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	hexOf := func(s string) string { return hex.EncodeToString([]byte(s)) }
	tx, err := db.Begin(false)
	require.NoError(t, err)
	defer func() { require.NoError(t, tx.Rollback()) }()
	msg := func(stack string) string {
		return fmt.Sprintf("key[1]=(hex)%s on leaf page(%d) needs to be > (found <) than previous element (hex)%s. Stack: %s",
			hexOf(k0), victim, hexOf(k1), stack)
	}

	t.Run("victim page", func(t *testing.T) {
		require.Equal(t, []string{msg(fmt.Sprintf("[%d]", victim))}, checkErrs(tx, bolt.WithPageId(victim)))
	})
	t.Run("other leaves", func(t *testing.T) {
		for _, id := range leaves {
			if id != victim {
				require.Empty(t, checkErrs(tx, bolt.WithPageId(id)), "leaf %d", id)
			}
		}
	})
	// From the bucket's root, and over the whole file, the stack is the
	// path from the root page of the bucket holding the victim: bbolt
	// starts a new stack for each bucket.
	t.Run("bucket root", func(t *testing.T) {
		require.Equal(t, []string{msg(fmt.Sprintf("[%d %d]", root, victim))}, checkErrs(tx, bolt.WithPageId(root)))
	})
	t.Run("whole file", func(t *testing.T) {
		require.Equal(t, []string{msg(fmt.Sprintf("[%d %d]", root, victim))}, checkErrs(tx))
	})
	t.Run("custom stringer", func(t *testing.T) {
		upper := checkUpperStringer{}
		want := fmt.Sprintf("key[1]=(hex)<%s> on leaf page(%d) needs to be > (found <) than previous element (hex)<%s>. Stack: [%d]",
			k0, victim, k1, victim)
		require.Equal(t, []string{want}, checkErrs(tx, bolt.WithPageId(victim), bolt.WithKVStringer(upper)))
		require.Equal(t, []string{want}, checkErrs(tx, bolt.WithKVStringer(upper), bolt.WithPageId(victim)))
	})
}

// A leaf whose last key is not below the next separator in its parent.
// bbolt's message shows the element before the offending key (not the
// separator it crossed). Checking from the leaf itself, with no parent in
// view, finds nothing.
func TestTx_Check_KeyBeyondAncestor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	root := checkFillData(t, db)
	require.NoError(t, db.Close())

	leaves := checkBranchChildren(t, checkReadPage(t, path, root))
	require.GreaterOrEqual(t, len(leaves), 3)
	victim := leaves[1]
	p := checkReadPage(t, path, victim)
	n := checkPageCount(p)
	require.Greater(t, n, 2)
	offLast, size := checkLeafKey(p, n-1)
	require.Equal(t, 4, size)
	offPrev, _ := checkLeafKey(p, n-2)
	prev := string(p[offPrev : offPrev+4])
	copy(p[offLast:offLast+4], "9999")
	checkWritePage(t, path, victim, p)

	db = checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Empty(t, checkErrs(tx, bolt.WithPageId(victim)))
		// The leaf's largest key then also breaks the order on the branch
		// page: bbolt names that error after the page the branch element
		// points to (the next leaf), and shows only the branch in the stack.
		hexOf := func(s string) string { return hex.EncodeToString([]byte(s)) }
		next := leaves[2]
		np := checkReadPage(t, path, next)
		off, _ := checkLeafKey(np, 0)
		nextFirst := string(np[off : off+4])
		want := []string{
			fmt.Sprintf("key[%d]=(hex)%s on leaf page(%d) needs to be < than key of the next element in ancestor (hex)%s. Pages stack: [%d %d]",
				n-1, hexOf("9999"), victim, hexOf(prev), root, victim),
			fmt.Sprintf("key[2]=(hex)%s on branch page(%d) needs to be > (found <) than previous element (hex)%s. Stack: [%d]",
				hexOf(nextFirst), next, hexOf("9999"), root),
		}
		require.Equal(t, want, checkErrs(tx, bolt.WithPageId(root)))
		return nil
	}))
}

type checkUpperStringer struct{}

func (checkUpperStringer) KeyToString(k []byte) string   { return "<" + strings.ToUpper(string(k)) + ">" }
func (checkUpperStringer) ValueToString(v []byte) string { return "[" + string(v) + "]" }

// Checking from a bucket's root page descends into its nested buckets.
func TestTx_Check_PageIdWithNestedBuckets(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{PageSize: checkPageSize})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		pb, err := tx.CreateBucket([]byte("parent"))
		require.NoError(t, err)
		for i := 0; i < 10; i++ {
			require.NoError(t, pb.Put([]byte(fmt.Sprintf("%04d", i)), []byte(fmt.Sprintf("value_%4d", i))))
		}
		cb, err := pb.CreateBucket([]byte("nested"))
		require.NoError(t, err)
		for i := 0; i < 2000; i++ {
			require.NoError(t, cb.Put([]byte(fmt.Sprintf("%04d", i)), []byte(fmt.Sprintf("value_%4d", i))))
		}
		_, err = cb.CreateBucket([]byte("inline"))
		return err
	}))
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		pb := tx.Bucket([]byte("parent"))
		require.NotZero(t, pb.Root())
		require.Empty(t, checkErrs(tx, bolt.WithPageId(uint64(pb.Root()))))
		require.Empty(t, checkErrs(tx, bolt.WithPageId(uint64(pb.Bucket([]byte("nested")).Root()))))
		return nil
	}))
}

// A bucket root whose page flags were zeroed is reported, not a crash.
func TestTx_Check_ZeroedRootFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	root := checkFillData(t, db)
	require.NoError(t, db.Close())

	p := checkReadPage(t, path, root)
	require.Equal(t, uint16(0x01), checkPageFlags(p))
	binary.NativeEndian.PutUint16(p[8:10], 0)
	checkWritePage(t, path, root, p)

	db = checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		errs := checkErrs(tx)
		require.NotEmpty(t, errs)
		require.Contains(t, strings.Join(errs, "\n"), "has unexpected type/flags: 0")

		first := <-tx.Check()
		require.Error(t, first)
		require.ErrorContains(t, first, "has unexpected type/flags: 0")
		return nil
	}))
}

func TestHexKVStringer(t *testing.T) {
	s := bolt.HexKVStringer()
	require.Equal(t, "deadbeef", s.KeyToString([]byte{0xde, 0xad, 0xbe, 0xef}))
	require.Equal(t, "00ff", s.ValueToString([]byte{0x00, 0xff}))
	require.Equal(t, "", s.KeyToString(nil))
	require.Equal(t, "", s.ValueToString([]byte{}))
}

// checkNewestMeta returns the root and freelist page ids of the newest meta
// of the file at path.
func checkNewestMeta(tb testing.TB, path string) (root, freelist uint64) {
	tb.Helper()
	ne := binary.NativeEndian
	m0, m1 := checkReadPage(tb, path, 0), checkReadPage(tb, path, 1)
	m := m0
	if ne.Uint64(m1[16+48:]) > ne.Uint64(m0[16+48:]) {
		m = m1
	}
	return ne.Uint64(m[16+16:]), ne.Uint64(m[16+32:])
}

// checkAddFree adds ids to the freelist page of the file at path (which
// must hold fewer than 0xFFFF ids and have room for them).
func checkAddFree(tb testing.TB, path string, ids ...uint64) {
	tb.Helper()
	ne := binary.NativeEndian
	_, fl := checkNewestMeta(tb, path)
	p := checkReadPage(tb, path, fl)
	require.Equal(tb, uint16(0x10), checkPageFlags(p), "freelist page")
	n := checkPageCount(p)
	var all []uint64
	for i := 0; i < n; i++ {
		all = append(all, ne.Uint64(p[16+8*i:]))
	}
	all = append(all, ids...)
	slices.Sort(all)
	ne.PutUint16(p[10:], uint16(len(all)))
	for i, id := range all {
		ne.PutUint64(p[16+8*i:], id)
	}
	checkWritePage(tb, path, fl, p)
}

// TestTx_Check_OverflowTailListedFree lists the last overflow page of a
// reachable leaf as free: a writer would hand it out and overwrite the
// value. Check reported only the first page of a logical page as "reachable
// freed".
func TestTx_Check_OverflowTailListedFree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("big"))
		require.NoError(t, err)
		return b.Put([]byte("k"), make([]byte, 3*checkPageSize))
	}))
	var root uint64
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket([]byte("big")).Root())
		return nil
	}))
	require.NoError(t, db.Close())
	overflow := binary.NativeEndian.Uint32(checkReadPage(t, path, root)[12:])
	require.Equal(t, uint32(3), overflow)
	tail := root + uint64(overflow)
	checkAddFree(t, path, tail)

	db = checkOpenRaw(t, path, &bolt.Options{ReadOnly: true})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Contains(t, checkErrs(tx), fmt.Sprintf("page %d: reachable freed", tail))
		return nil
	}))
}

// TestTx_Check_FreelistPageListedInItself lists the freelist page among
// the free pages: the next commit could write the new free list over the
// one it is reading. Check said nothing.
func TestTx_Check_FreelistPageListedInItself(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
	checkFillData(t, db)
	require.NoError(t, db.Close())
	_, fl := checkNewestMeta(t, path)
	checkAddFree(t, path, fl)

	db = checkOpenRaw(t, path, &bolt.Options{ReadOnly: true})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Contains(t, checkErrs(tx), fmt.Sprintf("page %d: reachable freed", fl))
		return nil
	}))
}

// TestTx_Check_DamagedInlineBucket damages the leaf image of an inline
// bucket in ways that make reading it fail (View returns ErrCorrupt);
// Check must report each too. It used to skip inline buckets.
func TestTx_Check_DamagedInlineBucket(t *testing.T) {
	ne := binary.NativeEndian
	for _, tc := range []struct {
		name   string
		damage func(img []byte) // the inline page image, header first
	}{
		{"flags-branch", func(img []byte) { ne.PutUint16(img[8:], 0x01) }},
		{"count-huge", func(img []byte) { ne.PutUint16(img[10:], 0xFFFF) }},
		{"element-beyond-value", func(img []byte) { ne.PutUint32(img[16+4:], 1<<20) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			db := checkOpenRaw(t, path, &bolt.Options{PageSize: checkPageSize})
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("inl"))
				require.NoError(t, err)
				return b.Put([]byte("key"), []byte("value"))
			}))
			require.NoError(t, db.Close())

			root, _ := checkNewestMeta(t, path)
			p := checkReadPage(t, path, root)
			require.Equal(t, uint16(0x02), checkPageFlags(p))
			require.Equal(t, 1, checkPageCount(p))
			koff, ksize := checkLeafKey(p, 0)
			require.Equal(t, "inl", string(p[koff:koff+ksize]))
			require.Equal(t, uint64(0), ne.Uint64(p[koff+ksize:]), "the bucket must be inline")
			tc.damage(p[koff+ksize+16:])
			checkWritePage(t, path, root, p)

			db = checkOpenRaw(t, path, &bolt.Options{ReadOnly: true})
			err := db.View(func(tx *bolt.Tx) error {
				if b := tx.Bucket([]byte("inl")); b != nil {
					_ = b.Get([]byte("key"))
				}
				return nil
			})
			require.ErrorIs(t, err, berrors.ErrCorrupt, "reading the bucket detects the damage")
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				errs := checkErrs(tx)
				require.NotEmpty(t, errs, "Check must report what reads detect")
				require.Contains(t, strings.Join(errs, "\n"), "inline bucket")
				return nil
			}))
		})
	}
}
