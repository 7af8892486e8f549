package bolt

import (
	"encoding/binary"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// openRecorded opens a database at path whose file calls rec logs.
func openRecorded(t *testing.T, path string) (*DB, *recordingFile) {
	t.Helper()
	rec := &recordingFile{}
	db, err := open(path, 0o600, nil, &seams{wrap: rec.wrap})
	require.NoError(t, err)
	return db, rec
}

// putKeys puts the keys from..to-1 (big-endian uint64s) in bucket "b" in
// one transaction, with value(i) as the value of key i.
func putKeys(t *testing.T, db *DB, from, to int, value func(i int) []byte) {
	t.Helper()
	require.NoError(t, db.Update(func(tx *Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("b"))
		if err != nil {
			return err
		}
		for i := from; i < to; i++ {
			if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(i)), value(i)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// zeros returns a value function of n zero bytes.
func zeros(n int) func(int) []byte { return func(int) []byte { return make([]byte, n) } }

// TestTx_WritePages_RunsCutAtBoundaries checks how a commit writes its
// pages: adjacent one-page pages go out together, runs are cut exactly
// where a page id is a multiple of writeRunPages (so no write, and no
// page-cache folio it creates, spans such a boundary), a page with
// overflow is a write of its own, and every page is written exactly once.
func TestTx_WritePages_RunsCutAtBoundaries(t *testing.T) {
	db, rec := openRecorded(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	ps := int64(db.pageSize)

	rec.setTag(1)
	// About 120 fresh leaves, adjacent in the file, and one value that
	// needs overflow pages, in the middle of them.
	putKeys(t, db, 0, 12000, func(i int) []byte {
		if i == 6000 {
			return make([]byte, 5*int(ps))
		}
		return make([]byte, 32)
	})
	s := db.Stats()
	written := s.TxStats.GetWrite()

	// The data writes of the commit: after the growth and its sync, before
	// the first Datasync.
	var writes []fileOp
	for _, op := range rec.log() {
		if op.tag != 1 {
			continue
		}
		if op.kind == opDatasync {
			break
		}
		if op.kind == opWriteAt {
			writes = append(writes, op)
		}
	}
	require.NotEmpty(t, writes)

	pages, joined, overflowSeen := int64(0), 0, false
	for i, w := range writes {
		require.Zero(t, w.off%ps, "write %d at a page boundary", i)
		require.Zero(t, int64(len(w.data))%ps, "write %d in whole pages", i)
		first, n := Pgid(w.off/ps), Pgid(int64(len(w.data))/ps)
		if i > 0 {
			prev := writes[i-1]
			require.GreaterOrEqual(t, w.off, prev.off+int64(len(prev.data)), "writes sorted, not overlapping")
		}
		p := pageAt(w.data)
		require.Equal(t, first, p.id, "write %d starts with the page it is written at", i)
		if p.overflow > 0 {
			overflowSeen = true
			require.Equal(t, Pgid(p.overflow+1), n, "a page with overflow is its own write")
			pages++
			continue
		}
		// A run: one-page pages with consecutive ids, within one aligned
		// block of writeRunPages pages.
		for k := Pgid(0); k < n; k++ {
			q := pageAt(w.data[int64(k)*ps:])
			require.Equal(t, first+k, q.id)
			require.Zero(t, q.overflow, "a page with overflow inside run %d", i)
		}
		require.Equal(t, first/writeRunPages, (first+n-1)/writeRunPages, "write %d (pages %d..%d) crosses a multiple of %d", i, first, first+n-1, writeRunPages)
		if n > 1 {
			joined++
		}
		// A run is cut only where it must be: if the page after it was
		// written too, as a one-page page, the cut is at a boundary.
		if i+1 < len(writes) {
			next := writes[i+1]
			nextID := Pgid(next.off / ps)
			if nextID == first+n && pageAt(next.data).overflow == 0 {
				require.Zero(t, nextID%writeRunPages, "run %d cut at page %d, not at a boundary", i, nextID)
			}
		}
		pages += int64(n)
	}
	require.True(t, overflowSeen, "the commit wrote the large value")
	require.Greater(t, joined, 4, "adjacent pages were joined")
	require.Equal(t, written-1, pages, "TxStats.Write counts pages (and the meta page), as bbolt's does")
}

// TestTx_WritePages_RunSizes runs the commit above's check of run sizes
// for other values of writeRunPages, 1 (one write per page) included, and
// checks that the file reads back the same.
func TestTx_WritePages_RunSizes(t *testing.T) {
	defer func(k Pgid) { writeRunPages = k }(writeRunPages)
	for _, k := range []Pgid{1, 3, 64} {
		writeRunPages = k
		path := filepath.Join(t.TempDir(), "db")
		db, rec := openRecorded(t, path)
		rec.setTag(1)
		putKeys(t, db, 0, 5000, zeros(40))
		longest := 0
		for _, op := range rec.log() {
			if op.tag == 1 && op.kind == opWriteAt {
				n := len(op.data) / db.pageSize
				longest = max(longest, n)
				first := Pgid(op.off) / Pgid(db.pageSize)
				require.Equal(t, first/k, (first+Pgid(n)-1)/k, "k=%d: write at page %d of %d pages", k, first, n)
			}
		}
		require.Equal(t, int(k), longest, "k=%d: the longest write", k)
		require.NoError(t, db.Close())

		db = mustOpenPlain(t, path)
		require.NoError(t, db.View(func(tx *Tx) error {
			require.Equal(t, 5000, tx.Bucket([]byte("b")).Stats().KeyN)
			return nil
		}))
		require.NoError(t, db.Close())
	}
}

func TestUnwritten(t *testing.T) {
	bufs := func() [][]byte { return [][]byte{[]byte("abc"), []byte("defg"), []byte("hijkl")} }
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{0, []string{"abc", "defg", "hijkl"}},
		{2, []string{"c", "defg", "hijkl"}},
		{3, []string{"defg", "hijkl"}},
		{5, []string{"fg", "hijkl"}},
		{11, []string{"l"}},
		{12, nil},
	} {
		var got []string
		for _, b := range unwritten(bufs(), tc.n) {
			got = append(got, string(b))
		}
		require.Equal(t, tc.want, got, "n=%d", tc.n)
	}
}

// TestTx_WritePages_RewritesStaySingle checks that pages a commit takes
// from the free list, below the previous high-water mark, are written one
// per call even when adjacent: only appends are joined, so rewrites never
// build page-cache folios larger than a page (see writePages).
func TestTx_WritePages_RewritesStaySingle(t *testing.T) {
	db, rec := openRecorded(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	ps := int64(db.pageSize)

	putKeys(t, db, 0, 8000, zeros(32))
	// Free many pages, and let the free list release them.
	putKeys(t, db, 0, 8000, zeros(8))
	putKeys(t, db, 8000, 8001, zeros(8))
	var hwm Pgid
	require.NoError(t, db.View(func(tx *Tx) error { hwm = tx.meta.pgid; return nil }))

	rec.setTag(2)
	putKeys(t, db, 0, 8000, zeros(16)) // rewrites every leaf, into pages from the free list
	reused, appended := 0, 0
	for _, op := range rec.log() {
		if op.tag != 2 || op.kind != opWriteAt || op.off < 2*ps {
			continue
		}
		first := Pgid(op.off / ps)
		if first < hwm {
			reused++
			require.Equal(t, ps*int64(pageAt(op.data).overflow+1), int64(len(op.data)), "a reused page at %d written alone", first)
		} else {
			appended++
		}
	}
	require.Greater(t, reused, 10, "the commit rewrote pages from the free list")
	t.Logf("%d reused-page writes, %d appended writes", reused, appended)
}

// TestPageFilter: every member is found, whatever its id, and most ids
// that are not members are not, with the table sized for the members.
func TestPageFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var f pageFilter
	for _, n := range []int{0, 1, 100, 5000} {
		f = f.reset(n)
		in := map[Pgid]bool{}
		for len(in) < n {
			id := Pgid(2 + rng.Uint64N(1<<40))
			in[id] = true
			f.add(id)
		}
		for id := range in {
			require.True(t, f.mayHold(id), "n=%d: member %d not found", n, id)
		}
		wrong := 0
		for range 10000 {
			if id := Pgid(2 + rng.Uint64N(1<<40)); !in[id] && f.mayHold(id) {
				wrong++
			}
		}
		require.Less(t, wrong, 10000/6, "n=%d: %d of 10000 non-members reported", n, wrong)
	}
	// reset empties a reused table.
	f = f.reset(10)
	require.False(t, f.mayHold(3))
	f.add(3)
	f = f.reset(10)
	require.False(t, f.mayHold(3), "reset kept a member")
}

// readyRecorder is a vectorWriter that records cacheBasePages calls.
type readyRecorder struct{ spans [][2]int64 }

func (r *readyRecorder) writevAt([][]byte, int64) error { return nil }
func (r *readyRecorder) cacheBasePages(off, n int64) {
	r.spans = append(r.spans, [2]int64{off, n})
}

// TestReadyAppends: only appended one-page pages are readied, in spans
// that stop at each page with overflow; rewrites below the high-water mark
// and lone appended pages are left alone.
func TestReadyAppends(t *testing.T) {
	const ps = 4096
	overflow := map[Pgid]bool{13: true, 20: true} // 13..15 and 20..22
	onePage := func(id Pgid) bool { return !overflow[id] }
	for _, tc := range []struct {
		ids  []Pgid
		want [][2]int64
	}{
		{[]Pgid{2, 3, 10, 11, 12, 13, 16, 17, 20, 23}, [][2]int64{{10 * ps, 3 * ps}, {16 * ps, 2 * ps}}},
		{[]Pgid{2, 3, 4}, nil}, // rewrites only
		{[]Pgid{5, 10}, nil},   // one appended page
		{[]Pgid{13, 16, 17}, [][2]int64{{16 * ps, 2 * ps}}},
		{[]Pgid{10, 11, 13}, [][2]int64{{10 * ps, 2 * ps}}},
	} {
		var r readyRecorder
		readyAppends(&r, tc.ids, 10, onePage, ps)
		require.Equal(t, tc.want, r.spans, "ids %v", tc.ids)
	}
}
