package bolt

import (
	"math"
	"slices"
)

// freelist tracks which pages below the high-water mark hold nothing live.
//
// A page freed by transaction T is not reusable at once: readers that began
// before T may still be walking it. It waits in pending[T] until no open
// reader can see it (release, releaseRange), and only then joins avail, from
// which allocate hands out runs. On disk the two sets are not told apart: a
// freelist page lists free and pending ids alike, since after a restart no
// reader from before it exists.
//
// Invariant: cache holds exactly the ids in avail and in every pending list,
// and no id appears twice among them.
type freelist struct {
	avail   freeSet             // free and reusable
	allocs  map[Pgid]txid       // first page of a run -> the tx that allocated it
	pending map[txid]*txPending // freed, waiting for older readers to finish
	cache   map[Pgid]struct{}   // every id in avail or pending

	// scratch is reused by every commit to gather the pending ids and the
	// whole list it serializes, so that a commit allocates neither.
	scratch, scratchAll []Pgid
}

// txPending lists the pages one transaction freed, each with the id of the
// transaction that had allocated it (0 when unknown, e.g. loaded from disk).
type txPending struct {
	ids              []Pgid
	alloctx          []txid
	lastReleaseBegin txid
}

func newFreelist(typ FreelistType) *freelist {
	var free freeSet = &arrayFree{}
	if typ == FreelistMapType {
		free = newSpanFree()
	}
	return &freelist{
		avail:   free,
		allocs:  make(map[Pgid]txid),
		pending: make(map[txid]*txPending),
		cache:   make(map[Pgid]struct{}),
	}
}

func (f *freelist) freeCount() int { return f.avail.count() }

func (f *freelist) pendingCount() int {
	n := 0
	for _, txp := range f.pending {
		n += len(txp.ids)
	}
	return n
}

// count is the number of ids a freelist page written now would hold.
func (f *freelist) count() int { return f.freeCount() + f.pendingCount() }

// size is the serialized size of the freelist page written now.
func (f *freelist) size() int { return freelistSize(f.count()) }

// allocate takes a run of n contiguous free pages for transaction tx and
// returns its first id, or 0 when no run is long enough.
func (f *freelist) allocate(tx txid, n int) Pgid {
	if n <= 0 {
		return 0
	}
	start := f.avail.take(n)
	if start == 0 {
		return 0
	}
	for j := Pgid(0); j < Pgid(n); j++ {
		delete(f.cache, start+j)
	}
	f.allocs[start] = tx
	return start
}

// free puts the logical page p (with its overflow) on tx's pending list. It
// fails, changing nothing, when the page is a meta page or already free:
// either means the tree references a page twice, i.e. the file is damaged.
func (f *freelist) free(tx txid, p *page) error {
	if p.id <= 1 {
		return corruptf(p.id, "a meta page cannot be freed")
	}
	last := p.id + Pgid(p.overflow)
	if last < p.id {
		return corruptf(p.id, "overflow %d wraps", p.overflow)
	}
	for id := p.id; id <= last; id++ {
		if _, ok := f.cache[id]; ok {
			return corruptf(id, "already freed")
		}
	}
	allocTx, ok := f.allocs[p.id]
	if ok {
		delete(f.allocs, p.id)
	} else if p.flags == freelistPageFlag {
		// The freelist page is rewritten by every commit, so the one being
		// freed was written by the previous transaction.
		allocTx = tx - 1
	}
	txp := f.pending[tx]
	if txp == nil {
		txp = &txPending{}
		f.pending[tx] = txp
	}
	for id := p.id; id <= last; id++ {
		txp.ids = append(txp.ids, id)
		txp.alloctx = append(txp.alloctx, allocTx)
		f.cache[id] = struct{}{}
	}
	return nil
}

// release makes reusable every page freed by a transaction with id <= tx.
func (f *freelist) release(tx txid) {
	var m []Pgid
	for tid, txp := range f.pending {
		if tid <= tx {
			m = append(m, txp.ids...)
			delete(f.pending, tid)
		}
	}
	f.merge(m)
}

// releaseRange makes reusable the pages that were both allocated and freed by
// transactions in [begin, end]: no reader outside that range ever saw them,
// and the caller guarantees no reader inside it exists.
func (f *freelist) releaseRange(begin, end txid) {
	if begin > end {
		return
	}
	var m []Pgid
	for tid, txp := range f.pending {
		if tid < begin || tid > end || txp.lastReleaseBegin == begin {
			continue
		}
		for i := 0; i < len(txp.ids); i++ {
			if atx := txp.alloctx[i]; atx < begin || atx > end {
				continue
			}
			m = append(m, txp.ids[i])
			last := len(txp.ids) - 1
			txp.ids[i], txp.alloctx[i] = txp.ids[last], txp.alloctx[last]
			txp.ids, txp.alloctx = txp.ids[:last], txp.alloctx[:last]
			i--
		}
		txp.lastReleaseBegin = begin
		if len(txp.ids) == 0 {
			delete(f.pending, tid)
		}
	}
	f.merge(m)
}

// releaseForReaders frees every pending page that no reader in readers (the
// txids of open read transactions, in any order) can see.
func (f *freelist) releaseForReaders(readers []txid) {
	slices.Sort(readers)
	minid := txid(math.MaxUint64)
	if len(readers) > 0 {
		minid = readers[0]
	}
	if minid > 0 {
		f.release(minid - 1)
	}
	for _, t := range readers {
		// t-1 would wrap for a reader at txid 0 (a fresh file whose meta 1
		// is damaged), releasing everything.
		if t > 0 {
			f.releaseRange(minid, t-1)
		}
		minid = t + 1
	}
	f.releaseRange(minid, math.MaxUint64)
}

// rollback forgets what transaction tx freed. Pages it had itself allocated
// are free again; the others go back to being owned by their allocator.
func (f *freelist) rollback(tx txid) {
	txp := f.pending[tx]
	if txp == nil {
		return
	}
	var m []Pgid
	for i, id := range txp.ids {
		delete(f.cache, id)
		switch atx := txp.alloctx[i]; atx {
		case 0:
		case tx:
			m = append(m, id)
		default:
			f.allocs[id] = atx
		}
	}
	delete(f.pending, tx)
	for _, id := range m {
		f.cache[id] = struct{}{}
	}
	f.merge(m)
}

// freed reports whether id is free or pending.
func (f *freelist) freed(id Pgid) bool {
	_, ok := f.cache[id]
	return ok
}

// merge adds ids, already present in cache, to avail.
func (f *freelist) merge(ids []Pgid) {
	if len(ids) == 0 {
		return
	}
	slices.Sort(ids)
	f.avail.add(ids)
}

// mergeSorted appends the merge of sorted a and b to dst. One side is
// usually short (a commit's few freed pages against the whole free list),
// so runs of the long side are found by binary search and copied whole.
func mergeSorted(dst, a, b []Pgid) []Pgid {
	if len(a) < len(b) {
		a, b = b, a
	}
	dst = slices.Grow(dst, len(a)+len(b))
	for _, id := range b {
		i, _ := slices.BinarySearch(a, id)
		dst = append(dst, a[:i]...)
		dst = append(dst, id)
		a = a[i:]
	}
	return append(dst, a...)
}

// all returns every free and pending id, sorted: the freelist page contents.
func (f *freelist) all() []Pgid {
	out, _ := f.appendAll(nil, nil)
	return out
}

// appendAll appends the sorted ids of all() to dst, gathering the pending
// ids in scratch; it returns both slices, grown. It only reads f, so that
// Tx.Check may call all() from several goroutines at once.
func (f *freelist) appendAll(dst, scratch []Pgid) (out, pending []Pgid) {
	pending = scratch[:0]
	for _, txp := range f.pending {
		pending = append(pending, txp.ids...)
	}
	slices.Sort(pending)
	return mergeSorted(dst, f.avail.sorted(), pending), pending
}

// serialized returns all() in buffers the freelist reuses, valid until the
// next call: only the writer's commit calls it, so that a commit allocates
// neither.
func (f *freelist) serialized() []Pgid {
	f.scratchAll, f.scratch = f.appendAll(f.scratchAll[:0], f.scratch)
	return f.scratchAll
}

// load replaces the free ids with ids (which it keeps), dropping any that are
// pending in memory, and rebuilds the cache. It fails on an id outside
// [2, hwm) or a repeated id.
func (f *freelist) load(ids []Pgid, hwm Pgid) error {
	slices.Sort(ids)
	for i, id := range ids {
		if id < 2 || id >= hwm {
			return corruptf(id, "in the free list but outside [2, %d)", hwm)
		}
		if i > 0 && ids[i-1] == id {
			return corruptf(id, "in the free list twice")
		}
	}
	f.cache = make(map[Pgid]struct{}, len(ids))
	for _, txp := range f.pending {
		for _, id := range txp.ids {
			f.cache[id] = struct{}{}
		}
	}
	kept := ids[:0]
	for _, id := range ids {
		if _, ok := f.cache[id]; !ok {
			kept = append(kept, id)
		}
	}
	f.avail.reset(kept)
	for _, id := range kept {
		f.cache[id] = struct{}{}
	}
	return nil
}

// freeIDs returns the free and pending page ids of this transaction's
// snapshot: the writer's in-memory free list, or for a reader the freelist
// page its meta names (or, without one, every unreachable page).
func (tx *Tx) freeIDs() ([]Pgid, error) {
	if tx.writable {
		return tx.db.freelist.all(), nil
	}
	if tx.meta.freelist == pgidNoFreelist {
		return tx.unreachablePages()
	}
	p, err := tx.page(tx.meta.freelist)
	if err != nil {
		return nil, err
	}
	ids, err := p.freelistPageIDs((int(p.overflow) + 1) * tx.pageSize)
	if err != nil {
		return nil, err
	}
	return append([]Pgid(nil), ids...), nil
}

// holdNew moves every free id not in before into pending[tx], so that pages
// freed by a commit the free list learned of only from disk are not reused
// while readers that began before it may still read them.
func (f *freelist) holdNew(before map[Pgid]struct{}, tx txid) {
	var kept, held []Pgid
	for _, id := range f.avail.sorted() {
		if _, ok := before[id]; ok {
			kept = append(kept, id)
		} else {
			held = append(held, id)
		}
	}
	f.avail.reset(kept)
	if len(held) == 0 {
		return
	}
	txp := f.pending[tx]
	if txp == nil {
		txp = &txPending{}
		f.pending[tx] = txp
	}
	for _, id := range held {
		txp.ids = append(txp.ids, id)
		txp.alloctx = append(txp.alloctx, 0)
	}
}

// freeSet holds the free, reusable page ids. The cache of the freelist
// answers membership; a freeSet only has to hand out runs.
type freeSet interface {
	count() int
	// take removes a run of n contiguous ids and returns its first, or 0.
	take(n int) Pgid
	// add inserts ids, sorted and none present yet.
	add(ids []Pgid)
	// sorted returns every id, ascending; the caller must not modify it.
	sorted() []Pgid
	// reset replaces the contents with ids, sorted and unique.
	reset(ids []Pgid)
}

// arrayFree is a sorted array of ids. It hands out the lowest run that
// fits, which keeps files compact and page counts identical to bbolt's, at
// the cost of a linear scan per allocation.
type arrayFree struct{ ids []Pgid }

func (a *arrayFree) count() int       { return len(a.ids) }
func (a *arrayFree) sorted() []Pgid   { return a.ids }
func (a *arrayFree) reset(ids []Pgid) { a.ids = ids }

// add merges sorted ids into a.ids in place, from the back: each id moves
// the run of larger ids above it up in one copy, so adding a commit's few
// pages to a long list neither allocates nor moves ids one by one.
func (a *arrayFree) add(ids []Pgid) {
	n := len(a.ids)
	a.ids = slices.Grow(a.ids, len(ids))[:n+len(ids)]
	hi := n // a.ids[hi:n] of the old ids have moved up already
	for j := len(ids) - 1; j >= 0; j-- {
		p, _ := slices.BinarySearch(a.ids[:hi], ids[j])
		copy(a.ids[p+j+1:hi+j+1], a.ids[p:hi])
		a.ids[p+j] = ids[j]
		hi = p
	}
}

func (a *arrayFree) take(n int) Pgid {
	if len(a.ids) < n {
		return 0
	}
	var start Pgid
	for i, id := range a.ids {
		if i == 0 || id != a.ids[i-1]+1 {
			start = id
		}
		if id-start+1 == Pgid(n) {
			if i+1 == n {
				// The lowest ids, the common case: drop them from the
				// front instead of moving every id above them down.
				// add reallocates once the front's capacity is lost.
				a.ids = a.ids[n:]
			} else {
				a.ids = append(a.ids[:i+1-n], a.ids[i+1:]...)
			}
			return start
		}
	}
	return 0
}

// spanFree keeps free runs ("spans") indexed by size and by both ends, so
// that allocation and freeing take constant time whatever the number of
// free pages: an exact-size span if there is one, else a piece of any
// larger span (not necessarily the lowest).
type spanFree struct {
	bySize   map[uint64]map[Pgid]struct{} // span size -> starts
	forward  map[Pgid]uint64              // start -> size
	backward map[Pgid]uint64              // last id -> size
	n        int
	cached   []Pgid // sorted(), valid until the next change
}

func newSpanFree() *spanFree {
	return &spanFree{
		bySize:   make(map[uint64]map[Pgid]struct{}),
		forward:  make(map[Pgid]uint64),
		backward: make(map[Pgid]uint64),
	}
}

func (s *spanFree) count() int { return s.n }

func (s *spanFree) addSpan(start Pgid, size uint64) {
	starts := s.bySize[size]
	if starts == nil {
		starts = make(map[Pgid]struct{})
		s.bySize[size] = starts
	}
	starts[start] = struct{}{}
	s.forward[start] = size
	s.backward[start+Pgid(size)-1] = size
}

func (s *spanFree) delSpan(start Pgid, size uint64) {
	delete(s.forward, start)
	delete(s.backward, start+Pgid(size)-1)
	starts := s.bySize[size]
	delete(starts, start)
	if len(starts) == 0 {
		delete(s.bySize, size)
	}
}

func (s *spanFree) take(n int) Pgid {
	want := uint64(n)
	for start := range s.bySize[want] {
		s.delSpan(start, want)
		s.n -= n
		s.cached = nil
		return start
	}
	for size, starts := range s.bySize {
		if size < want {
			continue
		}
		for start := range starts {
			s.delSpan(start, size)
			s.addSpan(start+Pgid(n), size-want)
			s.n -= n
			s.cached = nil
			return start
		}
	}
	return 0
}

func (s *spanFree) add(ids []Pgid) {
	for _, id := range ids {
		start, size := id, uint64(1)
		if prev, ok := s.backward[id-1]; ok && id > 0 {
			start = id - Pgid(prev)
			s.delSpan(start, prev)
			size += prev
		}
		if next, ok := s.forward[id+1]; ok {
			s.delSpan(id+1, next)
			size += next
		}
		s.addSpan(start, size)
	}
	s.n += len(ids)
	s.cached = nil
}

func (s *spanFree) sorted() []Pgid {
	if s.cached != nil || s.n == 0 {
		return s.cached
	}
	ids := make([]Pgid, 0, s.n)
	for start, size := range s.forward {
		for i := Pgid(0); i < Pgid(size); i++ {
			ids = append(ids, start+i)
		}
	}
	slices.Sort(ids)
	s.cached = ids
	return ids
}

func (s *spanFree) reset(ids []Pgid) {
	clear(s.bySize)
	clear(s.forward)
	clear(s.backward)
	s.n = 0
	s.cached = nil
	s.add(ids)
}
