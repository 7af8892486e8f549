package bolt

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freelistTypes are the in-memory free lists; they differ only in which
// run allocate picks.
var freelistTypes = []FreelistType{FreelistArrayType, FreelistMapType}

// eachFreelistType runs fn as a subtest for every free list type.
func eachFreelistType(t *testing.T, fn func(t *testing.T, typ FreelistType)) {
	for _, typ := range freelistTypes {
		t.Run(string(typ), func(t *testing.T) { fn(t, typ) })
	}
}

// newTestFreelist returns a free list of type typ whose free ids are free,
// below a high-water mark of 1000.
func newTestFreelist(t testing.TB, typ FreelistType, free ...Pgid) *freelist {
	t.Helper()
	f := newFreelist(typ)
	require.NoError(t, f.load(slices.Clone(free), 1000))
	return f
}

// freeIDs returns the free (reusable) ids, sorted, as a new slice.
func freeIDs(f *freelist) []Pgid {
	return append([]Pgid{}, f.avail.sorted()...)
}

// freeAt records that transaction allocTx (0: unknown) allocated the
// logical page id (1+overflow pages) and transaction freeTx freed it.
func freeAt(t testing.TB, f *freelist, id Pgid, overflow uint32, allocTx, freeTx txid) {
	t.Helper()
	if allocTx != 0 {
		f.allocs[id] = allocTx
	}
	require.NoError(t, f.free(freeTx, &page{id: id, overflow: overflow}))
}

// pendingOf returns the ids transaction tx has pending, sorted.
func pendingOf(f *freelist, tx txid) []Pgid {
	txp := f.pending[tx]
	if txp == nil {
		return nil
	}
	ids := slices.Clone(txp.ids)
	slices.Sort(ids)
	return ids
}

// allPending returns every pending id, sorted.
func allPending(f *freelist) []Pgid {
	var ids []Pgid
	for _, txp := range f.pending {
		ids = append(ids, txp.ids...)
	}
	slices.Sort(ids)
	return ids
}

// requireFreelistInvariants checks the invariants freelist documents: free
// ids sorted and distinct, every pending list consistent, and cache holding
// exactly the free and pending ids, none twice.
func requireFreelistInvariants(t testing.TB, f *freelist) {
	t.Helper()
	free := f.avail.sorted()
	for i := 1; i < len(free); i++ {
		require.Less(t, free[i-1], free[i], "free ids not sorted and distinct: %v", free)
	}
	require.Equal(t, len(free), f.freeCount())
	seen := make(map[Pgid]struct{})
	for _, id := range free {
		seen[id] = struct{}{}
	}
	for tx, txp := range f.pending {
		require.Len(t, txp.alloctx, len(txp.ids), "pending[%d]", tx)
		require.NotEmpty(t, txp.ids, "pending[%d] is an empty list", tx)
		for _, id := range txp.ids {
			_, dup := seen[id]
			require.False(t, dup, "page %d listed twice", id)
			seen[id] = struct{}{}
		}
	}
	require.Equal(t, seen, f.cache, "cache")
	require.Equal(t, len(seen), f.count())
	if s, ok := f.avail.(*spanFree); ok {
		requireSpanInvariants(t, s)
	}
}

// requireSpanInvariants checks that the three indexes of s describe the same
// spans, that the spans are maximal (none touches another) and that they
// hold exactly the ids sorted() returns.
func requireSpanInvariants(t testing.TB, s *spanFree) {
	t.Helper()
	var ids []Pgid
	inSize := 0
	for _, starts := range s.bySize {
		require.NotEmpty(t, starts, "empty size class")
		inSize += len(starts)
	}
	require.Equal(t, len(s.forward), inSize, "bySize and forward disagree")
	require.Equal(t, len(s.forward), len(s.backward), "forward and backward disagree")
	for start, size := range s.forward {
		require.Positive(t, size, "span at %d", start)
		require.Contains(t, s.bySize[size], start, "span %d+%d missing from bySize", start, size)
		require.Equal(t, size, s.backward[start+Pgid(size)-1], "span %d+%d missing from backward", start, size)
		_, touches := s.forward[start+Pgid(size)]
		require.False(t, touches, "span %d+%d touches the next one", start, size)
		for i := Pgid(0); i < Pgid(size); i++ {
			ids = append(ids, start+i)
		}
	}
	slices.Sort(ids)
	require.Equal(t, len(ids), s.count())
	got := s.sorted()
	if len(ids) == 0 {
		require.Empty(t, got)
		return
	}
	require.Equal(t, ids, got, "sorted() is stale")
}

// freelistState is a deep copy of everything a free list holds.
type freelistState struct {
	free    []Pgid
	allocs  map[Pgid]txid
	pending map[txid]txPending
	cache   map[Pgid]struct{}
}

func snapshotFreelist(f *freelist) freelistState {
	s := freelistState{
		free:    freeIDs(f),
		allocs:  maps.Clone(f.allocs),
		pending: make(map[txid]txPending),
		cache:   maps.Clone(f.cache),
	}
	for tx, txp := range f.pending {
		s.pending[tx] = txPending{ids: slices.Clone(txp.ids), alloctx: slices.Clone(txp.alloctx), lastReleaseBegin: txp.lastReleaseBegin}
	}
	return s
}

func TestFreelist_Allocate_Array_LowestRun(t *testing.T) {
	f := newTestFreelist(t, FreelistArrayType, 3, 4, 5, 6, 7, 9, 12, 13, 18)
	for _, step := range []struct {
		n    int
		want Pgid
		left []Pgid
	}{
		{3, 3, []Pgid{6, 7, 9, 12, 13, 18}},
		{2, 6, []Pgid{9, 12, 13, 18}},
		{1, 9, []Pgid{12, 13, 18}},
		{2, 12, []Pgid{18}},
		{2, 0, []Pgid{18}},
		{1, 18, []Pgid{}},
		{1, 0, []Pgid{}},
	} {
		got := f.allocate(txid(10+step.n), step.n)
		require.Equal(t, step.want, got, "allocate(%d)", step.n)
		require.Equal(t, step.left, freeIDs(f), "after allocate(%d)", step.n)
		requireFreelistInvariants(t, f)
		if got != 0 {
			assert.Equal(t, txid(10+step.n), f.allocs[got], "allocator of %d", got)
			for i := 0; i < step.n; i++ {
				assert.False(t, f.freed(got+Pgid(i)), "page %d still free", got+Pgid(i))
			}
		}
	}
}

func TestFreelist_Allocate_Array_SkipsShortRuns(t *testing.T) {
	f := newTestFreelist(t, FreelistArrayType, 2, 4, 5, 7, 8, 9, 10, 20)
	assert.Equal(t, Pgid(7), f.allocate(1, 3))
	assert.Equal(t, []Pgid{2, 4, 5, 10, 20}, freeIDs(f))
	assert.Equal(t, Pgid(4), f.allocate(1, 2))
	assert.Equal(t, []Pgid{2, 10, 20}, freeIDs(f))
	requireFreelistInvariants(t, f)

	g := newTestFreelist(t, FreelistArrayType, 2, 4, 5, 6)
	assert.Equal(t, Pgid(4), g.allocate(1, 3), "run at the end")
	assert.Equal(t, []Pgid{2}, freeIDs(g))
	requireFreelistInvariants(t, g)
}

func TestFreelist_Allocate_Map_PrefersExactSpan(t *testing.T) {
	f := newTestFreelist(t, FreelistMapType, 2, 3, 4, 10, 11, 20)
	assert.Equal(t, Pgid(10), f.allocate(5, 2), "the one span of exactly 2")
	assert.Equal(t, []Pgid{2, 3, 4, 20}, freeIDs(f))
	assert.Equal(t, Pgid(20), f.allocate(5, 1), "the one span of exactly 1")
	assert.Equal(t, []Pgid{2, 3, 4}, freeIDs(f))
	requireFreelistInvariants(t, f)
	assert.Equal(t, Pgid(2), f.allocate(5, 2), "the front of a larger span")
	assert.Equal(t, []Pgid{4}, freeIDs(f))
	assert.Equal(t, Pgid(0), f.allocate(5, 2))
	assert.Equal(t, Pgid(4), f.allocate(5, 1))
	assert.Equal(t, Pgid(0), f.allocate(5, 1))
	assert.Equal(t, txid(5), f.allocs[4])
	requireFreelistInvariants(t, f)
}

func TestFreelist_Allocate_NothingToGive(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		for _, tc := range []struct {
			name string
			free []Pgid
			n    int
		}{
			{"empty", nil, 1},
			{"zero pages", []Pgid{2, 3}, 0},
			{"negative pages", []Pgid{2, 3}, -1},
			{"more than free", []Pgid{2, 3}, 3},
			{"no run long enough", []Pgid{2, 3, 5, 6, 8}, 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := newTestFreelist(t, typ, tc.free...)
				before := snapshotFreelist(f)
				assert.Equal(t, Pgid(0), f.allocate(1, tc.n))
				assert.Equal(t, before, snapshotFreelist(f))
			})
		}
	})
}

// runsOf returns the maximal runs of contiguous ids in the sorted free ids,
// as start -> length.
func runsOf(free []Pgid) map[Pgid]int {
	runs := make(map[Pgid]int)
	var start Pgid
	for i, id := range free {
		if i == 0 || id != free[i-1]+1 {
			start = id
		}
		runs[start]++
	}
	return runs
}

// TestFreelist_Allocate_Model allocates and frees random runs and checks
// every allocation against the free ids it was made from: a run of free ids
// is returned whenever one exists; the array type returns the lowest; the
// map type an exact-size span when there is one and otherwise the front of a
// larger span. Freed runs come back through release, merging with their
// neighbours.
func TestFreelist_Allocate_Model(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		const seed = 20240611
		rng := rand.New(rand.NewPCG(seed, uint64(len(typ))))
		for round := range 25 {
			var free []Pgid
			for id := Pgid(2); id < 150; id++ {
				if rng.IntN(3) > 0 {
					free = append(free, id)
				}
			}
			f := newTestFreelist(t, typ, free...)
			type run struct {
				start Pgid
				n     int
			}
			var allocated []run
			for step := range 40 {
				tx := txid(step + 1)
				where := fmt.Sprintf("seed %d round %d step %d", seed, round, step)
				if len(allocated) > 0 && rng.IntN(3) == 0 {
					i := rng.IntN(len(allocated))
					r := allocated[i]
					allocated = slices.Delete(allocated, i, i+1)
					require.NoError(t, f.free(tx, &page{id: r.start, overflow: uint32(r.n - 1)}), where)
					f.release(tx)
					for j := range r.n {
						free = append(free, r.start+Pgid(j))
					}
					slices.Sort(free)
				} else {
					n := 1 + rng.IntN(6)
					runs := runsOf(free)
					got := f.allocate(tx, n)

					var lowest Pgid
					exact := false
					for start, length := range runs {
						if length >= n {
							if lowest == 0 || start < lowest {
								lowest = start
							}
							exact = exact || length == n
						}
					}
					if lowest == 0 {
						if got != 0 {
							t.Fatalf("%s: allocate(%d) = %d from %v, which has no such run", where, n, got, free)
						}
						continue
					}
					if got == 0 {
						t.Fatalf("%s: allocate(%d) = 0 from %v", where, n, free)
					}
					for j := range n {
						if _, ok := slices.BinarySearch(free, got+Pgid(j)); !ok {
							t.Fatalf("%s: allocate(%d) = %d from %v: page %d is not free", where, n, got, free, got+Pgid(j))
						}
					}
					switch typ {
					case FreelistArrayType:
						if got != lowest {
							t.Fatalf("%s: allocate(%d) = %d from %v, want the lowest run %d", where, n, got, free, lowest)
						}
					case FreelistMapType:
						length, isStart := runs[got]
						if !isStart {
							t.Fatalf("%s: allocate(%d) = %d from %v: not the start of a span", where, n, got, free)
						}
						if exact && length != n {
							t.Fatalf("%s: allocate(%d) = %d from %v: split a span of %d though one of exactly %d exists", where, n, got, free, length, n)
						}
					}
					allocated = append(allocated, run{got, n})
					free = slices.DeleteFunc(free, func(id Pgid) bool { return id >= got && id < got+Pgid(n) })
				}
				if got := freeIDs(f); !slices.Equal(free, got) {
					t.Fatalf("%s: free ids %v, want %v", where, got, free)
				}
			}
			requireFreelistInvariants(t, f)
		}
	})
}

func TestFreelist_Free_GoesToPending(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 40)
		require.NoError(t, f.free(10, &page{id: 12, overflow: 2}))
		assert.Equal(t, []Pgid{12, 13, 14}, pendingOf(f, 10))
		assert.Equal(t, []txid{0, 0, 0}, f.pending[10].alloctx, "allocator unknown")
		for id := Pgid(11); id <= 15; id++ {
			assert.Equal(t, id >= 12 && id <= 14, f.freed(id), "freed(%d)", id)
		}
		assert.Equal(t, []Pgid{40}, freeIDs(f), "pending pages are not free yet")
		assert.Equal(t, 1, f.freeCount())
		assert.Equal(t, 3, f.pendingCount())
		assert.Equal(t, 4, f.count())
		assert.Equal(t, freelistSize(4), f.size())
		assert.Equal(t, Pgid(0), f.allocate(11, 2), "pending pages are not allocated")

		require.NoError(t, f.free(11, &page{id: 30}))
		assert.Equal(t, []Pgid{30}, pendingOf(f, 11))
		assert.Equal(t, []Pgid{12, 13, 14}, pendingOf(f, 10))
		requireFreelistInvariants(t, f)
	})
}

func TestFreelist_Free_RemembersAllocator(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 20, 21)
		require.Equal(t, Pgid(20), f.allocate(4, 2))
		require.NoError(t, f.free(6, &page{id: 20, overflow: 1}))
		assert.Equal(t, []txid{4, 4}, f.pending[6].alloctx)
		assert.NotContains(t, f.allocs, Pgid(20), "allocation record is consumed")

		// A freelist page is rewritten by every commit: the previous one
		// wrote it.
		require.NoError(t, f.free(9, &page{id: 30, flags: freelistPageFlag}))
		assert.Equal(t, []txid{8}, f.pending[9].alloctx)
		requireFreelistInvariants(t, f)
	})
}

func TestFreelist_Free_Errors(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		for _, tc := range []struct {
			name string
			p    page
		}{
			{"page 0", page{id: 0}},
			{"page 1", page{id: 1}},
			{"page 1 with overflow", page{id: 1, overflow: 3}},
			{"already pending", page{id: 10}},
			{"already free", page{id: 5}},
			{"overflow reaches a pending page", page{id: 8, overflow: 2}},
			{"overflow reaches a free page", page{id: 3, overflow: 2}},
			{"overflow wraps", page{id: math.MaxUint64 - 1, overflow: 3}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := newTestFreelist(t, typ, 5, 6)
				freeAt(t, f, 10, 0, 2, 3)
				f.allocs[8] = 7
				before := snapshotFreelist(f)
				p := tc.p
				err := f.free(4, &p)
				require.Error(t, err)
				assert.True(t, errors.Is(err, ErrCorrupt), "%v", err)
				assert.Equal(t, before, snapshotFreelist(f), "state changed")
				requireFreelistInvariants(t, f)
			})
		}
	})
}

func TestFreelist_Release(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 4, 9)
		freeAt(t, f, 12, 0, 0, 5)
		freeAt(t, f, 3, 0, 0, 7)
		freeAt(t, f, 10, 1, 0, 7)
		freeAt(t, f, 20, 0, 0, 9)

		f.release(4)
		assert.Equal(t, []Pgid{4, 9}, freeIDs(f), "nothing pending at or before tx 4")
		assert.Len(t, f.pending, 3)

		f.release(7)
		assert.Equal(t, []Pgid{3, 4, 9, 10, 11, 12}, freeIDs(f))
		assert.Equal(t, []Pgid{20}, allPending(f))
		assert.Equal(t, []Pgid{20}, pendingOf(f, 9))
		requireFreelistInvariants(t, f)
		// Released pages are reusable, merged with their free neighbours.
		assert.Equal(t, Pgid(9), f.allocate(10, 4))

		f.release(math.MaxUint64)
		assert.Equal(t, []Pgid{3, 4, 20}, freeIDs(f))
		assert.Empty(t, f.pending)
		requireFreelistInvariants(t, f)
	})
}

func TestFreelist_ReleaseRange(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 40)
		freeAt(t, f, 2, 0, 3, 7) // allocated before the range
		freeAt(t, f, 3, 0, 5, 7) // allocated and freed inside
		freeAt(t, f, 4, 0, 6, 9) // freed after the range
		freeAt(t, f, 5, 1, 8, 8) // allocated and freed by the range's last tx
		freeAt(t, f, 9, 0, 0, 7) // allocator unknown (loaded from disk)

		f.releaseRange(8, 5)
		assert.Equal(t, []Pgid{40}, freeIDs(f), "empty range releases nothing")

		f.releaseRange(5, 8)
		assert.Equal(t, []Pgid{3, 5, 6, 40}, freeIDs(f))
		assert.Equal(t, []Pgid{2, 9}, pendingOf(f, 7))
		assert.Nil(t, pendingOf(f, 8))
		assert.Equal(t, []Pgid{4}, pendingOf(f, 9))
		requireFreelistInvariants(t, f)

		f.releaseRange(9, 9)
		assert.Equal(t, []Pgid{4}, pendingOf(f, 9), "allocated by tx 6, before the range")

		f.releaseRange(6, 9)
		assert.Equal(t, []Pgid{3, 4, 5, 6, 40}, freeIDs(f))
		assert.Equal(t, []Pgid{2, 9}, allPending(f))

		f.releaseRange(1, math.MaxUint64)
		assert.Equal(t, []Pgid{2, 3, 4, 5, 6, 40}, freeIDs(f))
		assert.Equal(t, []Pgid{9}, allPending(f), "an unknown allocator may predate any reader")
		requireFreelistInvariants(t, f)
	})
}

// TestFreelist_ReleaseForReaders applies SPEC §4.4: with r the sorted reader
// txids, pages freed by tx <= r[0]-1 become free, and so do pages both
// allocated and freed inside one gap [r[i]+1, r[i+1]-1] or [r[last]+1, ∞).
func TestFreelist_ReleaseForReaders(t *testing.T) {
	scenario := []struct {
		id            Pgid
		allocTx, free txid // allocTx 0: unknown
		freelistPage  bool
	}{
		{id: 10, allocTx: 1, free: 2},
		{id: 11, allocTx: 0, free: 4},
		{id: 12, allocTx: 3, free: 4},
		{id: 13, allocTx: 5, free: 6},
		{id: 14, allocTx: 2, free: 6},
		{id: 15, allocTx: 8, free: 8},
		{id: 16, allocTx: 9, free: 10},
		{id: 17, allocTx: 7, free: 10},
		{id: 18, allocTx: 0, free: 10},
		{id: 19, free: 11, freelistPage: true}, // written by tx 10
	}
	all := []Pgid{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	cases := []struct {
		name    string
		readers []txid
		free    []Pgid
	}{
		{name: "no readers", free: all},
		// Released up to tx 4; gap [6, ∞).
		{name: "reader 5", readers: []txid{5}, free: []Pgid{10, 11, 12, 15, 16, 17, 19}},
		// Released up to tx 2; gaps [4, 7] and [9, ∞).
		{name: "readers 8 and 3", readers: []txid{8, 3}, free: []Pgid{10, 13, 16, 19}},
		// Released up to tx 2; gaps [4, 9] and [11, ∞).
		{name: "readers 3, 3 and 10", readers: []txid{3, 10, 3}, free: []Pgid{10, 13, 15}},
		// Released up to tx 10; gap [12, ∞) holds nothing.
		{name: "reader 11", readers: []txid{11}, free: []Pgid{10, 11, 12, 13, 14, 15, 16, 17, 18}},
		// Nothing is released by txid; gap [1, ∞). A page whose allocator
		// is unknown may be one the reader at txid 0 sees.
		{name: "reader 0", readers: []txid{0}, free: []Pgid{10, 12, 13, 14, 15, 16, 17, 19}},
		// Gaps [1, 4] and [6, ∞).
		{name: "readers 0 and 5", readers: []txid{5, 0}, free: []Pgid{10, 12, 15, 16, 17, 19}},
	}
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := newTestFreelist(t, typ, 40)
				for _, s := range scenario {
					if s.allocTx != 0 {
						f.allocs[s.id] = s.allocTx
					}
					p := &page{id: s.id}
					if s.freelistPage {
						p.flags = freelistPageFlag
					}
					require.NoError(t, f.free(s.free, p))
				}
				f.releaseForReaders(slices.Clone(tc.readers))
				// The next writer sees the same readers: nothing more may go.
				f.releaseForReaders(slices.Clone(tc.readers))
				assert.Equal(t, append(slices.Clone(tc.free), 40), freeIDs(f), "free")
				var wantPending []Pgid
				for _, id := range all {
					if !slices.Contains(tc.free, id) {
						wantPending = append(wantPending, id)
					}
				}
				assert.Equal(t, wantPending, allPending(f), "pending")
				requireFreelistInvariants(t, f)
			})
		}
	})
}

// TestFreelist_ReaderAtTxid0_KeepsItsPages opens a file whose meta 1 is
// damaged, so that readers start at txid 0, and checks that the pages such a
// reader uses are not reused under it by the write transactions after it
// began.
func TestFreelist_ReaderAtTxid0_KeepsItsPages(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		path := filepath.Join(t.TempDir(), "db")
		opts := &Options{PageSize: 4096, FreelistType: typ}
		db, err := Open(path, 0o600, opts)
		require.NoError(t, err)
		require.NoError(t, db.Close())

		file, err := os.OpenFile(path, os.O_RDWR, 0)
		require.NoError(t, err)
		sum := make([]byte, 1)
		_, err = file.ReadAt(sum, 4096+16+56)
		require.NoError(t, err)
		sum[0] ^= 0xFF
		_, err = file.WriteAt(sum, 4096+16+56)
		require.NoError(t, err)
		require.NoError(t, file.Close())

		db, err = Open(path, 0o600, opts)
		require.NoError(t, err)
		defer func() { require.NoError(t, db.Close()) }()

		reader, err := db.Begin(false)
		require.NoError(t, err)
		defer func() { _ = reader.Rollback() }()
		require.Equal(t, 0, reader.ID())
		require.Empty(t, reader.checkAll())

		// Tx 1 rewrites the root leaf (page 3) and the freelist (page 2),
		// which the reader still uses.
		require.NoError(t, db.Update(func(tx *Tx) error {
			_, err := tx.CreateBucket([]byte("a"))
			return err
		}))
		// Later writers must not get them back.
		for w := range 3 {
			require.NoError(t, db.Update(func(tx *Tx) error {
				assert.NotContains(t, freeIDs(db.freelist), Pgid(2), "tx %d", tx.ID())
				assert.NotContains(t, freeIDs(db.freelist), Pgid(3), "tx %d", tx.ID())
				for i := range 20 {
					b, err := tx.CreateBucket(fmt.Appendf(nil, "b%d-%02d", w, i))
					if err != nil {
						return err
					}
					if err := b.Put([]byte("k"), []byte("v")); err != nil {
						return err
					}
				}
				return nil
			}))
		}

		assert.Empty(t, reader.checkAll(), "the txid-0 reader's snapshot was overwritten")
		assert.Nil(t, reader.Bucket([]byte("b0-00")), "the txid-0 reader sees a later commit")
	})
}

func TestFreelist_Rollback(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 20, 21, 23, 50)
		own := f.allocate(10, 2)  // 20, 21: allocated by the rolled-back tx
		other := f.allocate(7, 1) // allocated by an earlier tx
		require.Equal(t, Pgid(20), own)
		require.Contains(t, []Pgid{23, 50}, other)
		freeAt(t, f, 30, 0, 0, 9) // pending for another tx: untouched

		require.NoError(t, f.free(10, &page{id: own, overflow: 1}))
		require.NoError(t, f.free(10, &page{id: other}))
		require.NoError(t, f.free(10, &page{id: 40})) // allocator unknown
		require.Equal(t, 5, f.pendingCount())

		f.rollback(10)
		assert.Nil(t, f.pending[10])
		want := []Pgid{20, 21, 23, 50}
		want = slices.DeleteFunc(want, func(id Pgid) bool { return id == other })
		assert.Equal(t, want, freeIDs(f), "its own pages are free again")
		assert.Equal(t, txid(7), f.allocs[other], "others go back to their allocator")
		assert.False(t, f.freed(other))
		assert.False(t, f.freed(40))
		assert.Equal(t, []Pgid{30}, pendingOf(f, 9))
		requireFreelistInvariants(t, f)
		assert.Equal(t, Pgid(20), f.allocate(11, 2), "the returned run is whole again")

		// The page is owned by tx 7 again, so freeing it later records that.
		require.NoError(t, f.free(12, &page{id: other}))
		assert.Equal(t, []txid{7}, f.pending[12].alloctx)

		before := snapshotFreelist(f)
		f.rollback(13)
		assert.Equal(t, before, snapshotFreelist(f), "rollback of a tx that freed nothing")
	})
}

func TestFreelist_All_Count_Size(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 9, 3)
		freeAt(t, f, 7, 0, 0, 5)
		freeAt(t, f, 4, 0, 0, 5)
		freeAt(t, f, 12, 0, 0, 6)
		freeAt(t, f, 2, 0, 0, 6)

		assert.Equal(t, []Pgid{2, 3, 4, 7, 9, 12}, f.all())
		assert.Equal(t, 2, f.freeCount())
		assert.Equal(t, 4, f.pendingCount())
		assert.Equal(t, 6, f.count())
		assert.Equal(t, 16+8*6, f.size())

		empty := newFreelist(typ)
		assert.Empty(t, empty.all())
		assert.Equal(t, 0, empty.count())
		assert.Equal(t, 16, empty.size())
	})
}

func TestFreelist_Size_CountOverflow(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		ids := make([]Pgid, 0xFFFE)
		for i := range ids {
			ids[i] = Pgid(2 + i)
		}
		f := newFreelist(typ)
		require.NoError(t, f.load(ids, 1<<20))
		assert.Equal(t, 16+8*0xFFFE, f.size())
		require.NoError(t, f.free(3, &page{id: 0x20000}))
		assert.Equal(t, 0xFFFF, f.count())
		assert.Equal(t, 16+8*(0xFFFF+1), f.size(), "count word added")
		assert.Len(t, f.all(), 0xFFFF)
	})
}

func TestFreelist_Freed(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 5)
		freeAt(t, f, 8, 1, 0, 3)
		for id, want := range map[Pgid]bool{0: false, 1: false, 4: false, 5: true, 6: false, 7: false, 8: true, 9: true, 10: false} {
			assert.Equal(t, want, f.freed(id), "freed(%d)", id)
		}
		require.Equal(t, Pgid(5), f.allocate(1, 1))
		assert.False(t, f.freed(5))
	})
}

func TestFreelist_Load(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newFreelist(typ)
		require.NoError(t, f.load([]Pgid{9, 3, 7, 8}, 10))
		assert.Equal(t, []Pgid{3, 7, 8, 9}, freeIDs(f), "sorted")
		requireFreelistInvariants(t, f)

		require.NoError(t, f.load([]Pgid{4}, 10))
		assert.Equal(t, []Pgid{4}, freeIDs(f), "load replaces, not merges")
		assert.False(t, f.freed(3))
		requireFreelistInvariants(t, f)

		require.NoError(t, f.load(nil, 10))
		assert.Empty(t, freeIDs(f))
		assert.Empty(t, f.cache)
		requireFreelistInvariants(t, f)
	})
}

func TestFreelist_Load_DropsPending(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		f := newTestFreelist(t, typ, 4)
		freeAt(t, f, 7, 0, 0, 5)
		freeAt(t, f, 11, 0, 0, 6)
		require.NoError(t, f.load([]Pgid{3, 7, 8, 9}, 20))
		assert.Equal(t, []Pgid{3, 8, 9}, freeIDs(f))
		assert.Equal(t, []Pgid{7, 11}, allPending(f))
		assert.Equal(t, []Pgid{3, 7, 8, 9, 11}, f.all())
		assert.True(t, f.freed(11), "pending ids stay freed")
		assert.False(t, f.freed(4))
		requireFreelistInvariants(t, f)
		// 7 is pending, so 7..9 is no run.
		assert.Equal(t, Pgid(0), f.allocate(7, 3))
	})
}

func TestFreelist_Load_Errors(t *testing.T) {
	eachFreelistType(t, func(t *testing.T, typ FreelistType) {
		for _, tc := range []struct {
			name string
			ids  []Pgid
		}{
			{"page 0", []Pgid{0, 5}},
			{"page 1", []Pgid{5, 1}},
			{"at the high-water mark", []Pgid{3, 20}},
			{"beyond the high-water mark", []Pgid{3, 1 << 40}},
			{"max id", []Pgid{math.MaxUint64}},
			{"duplicate", []Pgid{3, 8, 3}},
			{"duplicate adjacent", []Pgid{4, 4}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := newTestFreelist(t, typ, 5, 6)
				freeAt(t, f, 12, 0, 0, 3)
				before := snapshotFreelist(f)
				err := f.load(tc.ids, 20)
				require.Error(t, err)
				assert.True(t, errors.Is(err, ErrCorrupt), "%v", err)
				assert.Equal(t, before, snapshotFreelist(f), "state changed")
			})
		}
	})
}

// BenchmarkFreelist_AllocateCommit times one commit's worth of free-list
// work in a file with many scattered free pages: allocate 1,000 single
// pages, then free them and release them back. With the array free list
// every allocation takes the lowest free id, at the front of the array.
func BenchmarkFreelist_AllocateCommit(b *testing.B) {
	const free, perCommit = 100000, 1000
	for _, typ := range []FreelistType{FreelistArrayType, FreelistMapType} {
		b.Run(string(typ), func(b *testing.B) {
			ids := make([]Pgid, free)
			for i := range ids {
				ids[i] = Pgid(2 + 2*i) // every other page: no runs
			}
			f := newFreelist(typ)
			require.NoError(b, f.load(ids, Pgid(2+2*free)))
			got := make([]Pgid, perCommit)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tx := txid(i + 1)
				for j := range got {
					if got[j] = f.allocate(tx, 1); got[j] == 0 {
						b.Fatal("free list ran dry")
					}
				}
				for _, id := range got {
					if err := f.free(tx, &page{id: id}); err != nil {
						b.Fatal(err)
					}
				}
				f.release(tx)
			}
		})
	}
}
