package bolt

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// raCall is one range read-ahead asked for: bytes [off, off+n) of a
// mapping of mapLen bytes, and the leaf steps the cursor had made then.
type raCall struct {
	off, n, mapLen int
	step           int
}

// raRecorder stands in for the kernel's read-ahead calls: it records every
// range asked for and answers residency queries with resident.
type raRecorder struct {
	mu       sync.Mutex
	calls    []raCall
	queries  int
	step     int
	resident bool
}

func (r *raRecorder) seams() *seams {
	return &seams{
		willNeed: func(data []byte, off, n int) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.calls = append(r.calls, raCall{off: off, n: n, mapLen: len(data), step: r.step})
		},
		resident: func(data []byte, off int) bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.queries++
			return r.resident
		},
	}
}

func (r *raRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.queries, r.step = nil, 0, 0
}

// raKey is the key of record i: ascending with i.
func raKey(i int) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(i))
	return k
}

// makeRAFile writes n records of 100-byte values in ascending order into a
// new file, in commits of 5000, and returns its path.
func makeRAFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ra.db")
	db, err := Open(path, 0o600, &Options{PageSize: 4096, NoSync: true})
	require.NoError(t, err)
	val := make([]byte, 100)
	for lo := 0; lo < n; lo += 5000 {
		require.NoError(t, db.Update(func(tx *Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			for i := lo; i < min(lo+5000, n); i++ {
				if err := b.Put(raKey(i), val); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	require.NoError(t, db.Close())
	return path
}

// raLeaves returns the leaf ids of bucket b in key order and the depth of
// its leaves.
func raLeaves(t *testing.T, tx *Tx, name string) ([]Pgid, int) {
	t.Helper()
	b := tx.Bucket([]byte(name))
	require.NotNil(t, b)
	var leaves []Pgid
	depth := -1
	require.NoError(t, tx.walkPages(b.root, 0, func(p *page, d int) error {
		if p.isLeaf() {
			leaves = append(leaves, p.id)
			if depth >= 0 && d != depth {
				return fmt.Errorf("leaf %d at depth %d, others at %d", p.id, d, depth)
			}
			depth = d
		}
		return nil
	}))
	return leaves, depth
}

// pagesOf returns the page ids the calls cover, each call checked to lie
// page-aligned inside its mapping and below the high-water mark.
func pagesOf(t *testing.T, calls []raCall, hwm Pgid) map[Pgid]bool {
	t.Helper()
	ps := os.Getpagesize()
	got := map[Pgid]bool{}
	for _, c := range calls {
		require.Zero(t, c.off%ps, "range %+v not page-aligned", c)
		require.True(t, c.off >= 0 && c.n > 0 && c.off+c.n <= c.mapLen, "range %+v outside the mapping", c)
		require.LessOrEqual(t, c.off+c.n, int(hwm)*4096, "range %+v past the high-water mark %d", c, hwm)
		for off := c.off; off < c.off+c.n; off += 4096 {
			got[Pgid(off/4096)] = true
		}
	}
	return got
}

// A cold scan asks for the leaves ahead of the cursor in windows that start
// at raFirstWindow after the cursor's second leaf-to-leaf step and double
// each time the cursor has used half, up to raMaxWindow; nothing else but
// pages joined into those ranges and the branch pages ahead.
func TestReadAhead_Scan_AsksForLeavesAhead(t *testing.T) {
	const n = 120000
	path := makeRAFile(t, n)
	rec := &raRecorder{}
	db, err := open(path, 0o600, nil, rec.seams())
	require.NoError(t, err)
	defer db.Close()

	require.NoError(t, db.View(func(tx *Tx) error {
		leaves, depth := raLeaves(t, tx, "b")
		require.GreaterOrEqual(t, depth, 2, "the test needs branches above the leaf parents")
		require.Greater(t, len(leaves), 2*raMaxWindow)
		pos := map[Pgid]int{}
		for i, id := range leaves {
			pos[id] = i
		}
		rec.reset()

		c := tx.Bucket([]byte("b")).Cursor()
		keys := 0
		leaf := 0 // index in leaves of the cursor's leaf
		var windows []int
		asked := 0 // leaves[0:asked] are the leaves asked for or passed
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			require.Equal(t, raKey(keys), k)
			keys++
			id := c.leafID()
			if id == leaves[leaf] {
				continue
			}
			leaf++
			require.Equal(t, leaves[leaf], id, "the cursor moves through the leaves in order")
			rec.mu.Lock()
			rec.step = leaf
			calls := rec.calls
			rec.calls = nil
			rec.mu.Unlock()
			asked = max(asked, leaf+1)
			if leaf < raStartAfter {
				require.Empty(t, calls, "no read-ahead before step %d", raStartAfter)
				continue
			}
			got := pagesOf(t, calls, tx.meta.pgid)
			// The leaves asked for now are the next ones in key order.
			var now []int
			for id := range got {
				if i, ok := pos[id]; ok {
					now = append(now, i)
				}
			}
			if len(now) == 0 {
				continue
			}
			lo, hi := now[0], now[0]
			for _, i := range now {
				lo, hi = min(lo, i), max(hi, i)
			}
			require.Equal(t, asked, lo, "step %d: asked from leaf %d", leaf, lo)
			require.Equal(t, hi-lo+1, len(now), "step %d: leaves %d..%d asked for with gaps", leaf, lo, hi)
			asked = hi + 1
			windows = append(windows, asked-1-leaf)
		}
		require.Equal(t, n, keys)
		require.NoError(t, tx.err)
		// The window: 4 leaves ahead, then 8, 16, ... 256, then 256 each
		// time the cursor is 128 leaves in.
		want := []int{raFirstWindow}
		for w := 2 * raFirstWindow; w <= raMaxWindow; w *= 2 {
			want = append(want, w)
		}
		require.GreaterOrEqual(t, len(windows), len(want)+1)
		require.Equal(t, want, windows[:len(want)])
		for _, w := range windows[len(want) : len(windows)-1] {
			require.Equal(t, raMaxWindow, w)
		}
		require.Equal(t, len(leaves), asked, "every leaf was asked for")
		return nil
	}))
}

// Point lookups and short ranges ask for nothing, and a scan of a resident
// file asks the cache a few questions and advises nothing.
func TestReadAhead_PointsAndWarm_AskNothing(t *testing.T) {
	const n = 60000
	path := makeRAFile(t, n)
	rec := &raRecorder{}
	db, err := open(path, 0o600, nil, rec.seams())
	require.NoError(t, err)
	defer db.Close()

	require.NoError(t, db.View(func(tx *Tx) error {
		b := tx.Bucket([]byte("b"))
		for i := 0; i < n; i += 7 {
			require.Len(t, b.Get(raKey(i)), 100)
		}
		c := b.Cursor()
		for i := 0; i < n; i += 997 {
			k, _ := c.Seek(raKey(i))
			require.Equal(t, raKey(i), k)
			for j := 0; j < 10; j++ { // two leaves at most: a half-full leaf holds 15
				c.Next()
			}
		}
		return nil
	}))
	require.Empty(t, rec.calls)
	require.Zero(t, rec.queries)

	rec.resident = true
	require.NoError(t, db.View(func(tx *Tx) error {
		leaves, _ := raLeaves(t, tx, "b")
		c := tx.Bucket([]byte("b")).Cursor()
		keys := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys++
		}
		require.Equal(t, n, keys)
		// Two questions per look: after 8 leaves, 16, ... raMaxSkip,
		// then once per raMaxSkip leaves.
		require.LessOrEqual(t, rec.queries, 2*(7+len(leaves)/raMaxSkip+1))
		require.Greater(t, rec.queries, 0)
		return nil
	}))
	require.Empty(t, rec.calls)

	// The next scan starts where the last look left off: one look per
	// raMaxSkip leaves from the start.
	rec.reset()
	require.NoError(t, db.View(func(tx *Tx) error {
		leaves, _ := raLeaves(t, tx, "b")
		c := tx.Bucket([]byte("b")).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
		}
		require.LessOrEqual(t, rec.queries, 2*(len(leaves)/raMaxSkip+1))
		return nil
	}))
	require.Empty(t, rec.calls)
}

// A branch page whose children point past the high-water mark and past the
// file gives ErrCorrupt when the cursor gets there; read-ahead asks only
// for pages inside the mapping and below the high-water mark.
func TestReadAhead_DamagedBranch_ErrCorruptAndNoAdviceOutside(t *testing.T) {
	const n = 120000
	path := makeRAFile(t, n)

	// Find a leaf parent some way into the bucket and point two of its
	// children past the end.
	db, err := Open(path, 0o600, nil)
	require.NoError(t, err)
	var victim Pgid
	var hwm Pgid
	require.NoError(t, db.View(func(tx *Tx) error {
		hwm = tx.meta.pgid
		b := tx.Bucket([]byte("b"))
		var parents []Pgid
		err := tx.walkPages(b.root, 0, func(p *page, _ int) error {
			if p.isBranch() && p.count > 10 {
				if c, err := tx.page(p.branchElement(0).pgid); err == nil && c.isLeaf() {
					parents = append(parents, p.id)
				}
			}
			return nil
		})
		victim = parents[len(parents)/2]
		return err
	}))
	require.NoError(t, db.Close())

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	buf := make([]byte, 4096)
	_, err = f.ReadAt(buf, int64(victim)*4096)
	require.NoError(t, err)
	p := pageAt(buf)
	p.branchElement(5).pgid = hwm + 3       // past the high-water mark, inside the file's mapping
	p.branchElement(6).pgid = Pgid(1) << 40 // far past the file and any mapping
	_, err = f.WriteAt(buf, int64(victim)*4096)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	rec := &raRecorder{}
	db, err = open(path, 0o600, &Options{ReadOnly: true}, rec.seams())
	require.NoError(t, err)
	defer db.Close()
	keys := 0
	err = db.View(func(tx *Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys++
		}
		return nil
	})
	require.ErrorIs(t, err, ErrCorrupt)
	require.Less(t, keys, n)
	require.NotEmpty(t, rec.calls, "the scan read ahead before it met the damage")
	pagesOf(t, rec.calls, hwm)

	// Check walks the same tree with its own read-ahead.
	rec.reset()
	require.NoError(t, db.View(func(tx *Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		require.NotEmpty(t, errs)
		return nil
	}))
	require.NotEmpty(t, rec.calls)
	pagesOf(t, rec.calls, hwm)
}

// advise clips every range to the mapping and the high-water mark and
// widens it to OS pages inside them.
func TestReadAhead_Advise_ClipsToMappingAndHighWater(t *testing.T) {
	ps := os.Getpagesize()
	var got [][2]int
	tx := &Tx{
		db:       &DB{willNeedFn: func(data []byte, off, n int) { got = append(got, [2]int{off, n}) }},
		mapping:  &mapping{data: make([]byte, 16*ps)},
		pageSize: 1024,
	}
	for _, tc := range []struct {
		name       string
		hwm        Pgid // in 1 KiB pages
		start, end uint64
		want       [][2]int
	}{
		{"inside", 64, 1024, 3072, [][2]int{{0, ps}}},
		{"widened to OS pages", 64, uint64(ps) + 1024, uint64(2*ps) + 1, [][2]int{{ps, 2 * ps}}},
		{"clipped to the high-water mark", 10, 0, uint64(8 * ps), [][2]int{{0, 10 * 1024}}},
		{"clipped to the mapping", 1 << 20, uint64(15 * ps), uint64(40 * ps), [][2]int{{15 * ps, ps}}},
		{"past the mapping", 1 << 20, uint64(16 * ps), uint64(17 * ps), nil},
		{"past the high-water mark", 8, uint64(3 * ps), uint64(4 * ps), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			tx.meta.pgid = tc.hwm
			tx.advise(tc.start, tc.end)
			require.Equal(t, tc.want, got)
		})
	}
}

// ForceReadAhead makes db read ahead as if no page were ever resident, so
// that the randomized and corruption suites, whose files are warm, run
// every read-ahead path, madvise included. Each range is checked to lie
// inside its mapping, page-aligned; a range outside panics, which those
// suites report. It must be called before the first transaction.
func ForceReadAhead(db *DB) {
	ps := os.Getpagesize()
	db.residentFn = func([]byte, int) bool { return false }
	db.willNeedFn = func(data []byte, off, n int) {
		if off < 0 || n <= 0 || off%ps != 0 || off+n > len(data) {
			panic(fmt.Sprintf("read-ahead of [%d, %d) outside the mapping of %d bytes", off, off+n, len(data)))
		}
		forcedReadAheads.Add(1)
		willNeedAt(data, off, n)
	}
}

// forcedReadAheads counts the ranges asked for by DBs under ForceReadAhead.
var forcedReadAheads atomic.Int64

// ForcedReadAheads returns how many ranges DBs under ForceReadAhead asked
// for, so a suite can check that it ran read-ahead at all.
func ForcedReadAheads() int64 { return forcedReadAheads.Load() }
