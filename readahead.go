// Read-ahead: asking the kernel for the pages a reader is about to need.
//
// The mapping is advised MADV_RANDOM (mmap_unix.go says which measurements
// chose it), so a page fault reads the one page it needs and no more: point
// lookups on a file larger than memory read nothing they do not use. A scan
// of a cold file would then wait for one 4 KiB read per leaf, at a few tens
// of MiB/s whatever the disk. It does not have to: the branch pages it walks
// already name the leaves that come next. So readers that walk leaf after
// leaf ask for those leaves ahead of time with MADV_WILLNEED, which starts
// asynchronous reads of exactly the ranges asked for, and the disk has many
// reads in flight instead of one:
//
//   - A cursor that steps from leaf to leaf (Next) raStartAfter times in a
//     row starts a walk of its own through the branch pages ahead of it,
//     which asks for the next raFirstWindow leaves. Each time the cursor
//     has used half of the leaves it has ahead, the window doubles, up to
//     raMaxWindow, and the walk asks for leaves up to it. So the leaves
//     asked for and never used are at most about as many as the cursor
//     used, and a Get, a Seek or a range within two leaves asks for none.
//     The walk ahead reads branch pages only, and asks for the next branch
//     page of the level above the leaves when it enters one, so that it
//     does not wait for it either.
//   - Whole-file readers know they will read everything: Check asks for the
//     children of each branch it enters, and those of the next branch too;
//     Compact, ForEach and the CLI's whole-file commands scan with cursors;
//     loading the free list asks for its overflow pages. WriteTo reads the
//     file with read(2), where the kernel's own read-ahead applies.
//
// Each request is a batch: page ids sorted, ids at most raJoinGap pages
// apart joined into one range, each range clipped to the mapping and to the
// high-water mark (so to the file) and widened to OS page boundaries inside
// them. Before advising a batch, its lowest and highest page are looked up
// in the page cache (mincore, one page each); if both are resident nothing
// is asked, and a cursor stops walking ahead for 8 leaves, twice as many
// each time it finds the cache warm again, up to raMaxSkip, before it looks
// again; the next scan over the same mapping starts where the last look
// left off. So a scan of a warm file makes two mincore calls per raMaxSkip
// leaves and no madvise at all. Read-ahead changes what is in
// the page cache, never what is read: nothing it reads is returned, and a
// page it cannot read (an id past the file, a damaged branch) only ends it,
// leaving the reader to meet the damage and report it as it would anyway.
//
// Only Linux has it (mmap_linux.go); elsewhere pageResident says every page
// is resident and nothing is advised.

package bolt

import (
	"os"
	"slices"
)

const (
	// raStartAfter is how many leaf-to-leaf steps in a row make a cursor
	// read ahead.
	raStartAfter = 2
	// raFirstWindow is how many leaves a cursor asks for first.
	raFirstWindow = 4
	// raMaxWindow bounds the leaves a cursor keeps asked for ahead of it:
	// 1 MiB of 4 KiB leaves, more than a disk needs to stay busy, little
	// enough not to crowd out a small page cache.
	raMaxWindow = 256
	// raJoinGap is how many pages apart two ids may be and still be asked
	// for in one range: reading a few pages between (overflow pages, a
	// branch) costs less than another request.
	raJoinGap = 4
	// raMaxSkip bounds how many leaves a cursor steps without looking at
	// the page cache once it found the leaves ahead resident: the cost of
	// looking is one walk ahead and two mincore calls per raMaxSkip leaves
	// of a warm scan; the cost of not looking, if the rest of the file is
	// cold after all, is at most raMaxSkip faults of one page each.
	raMaxSkip = 1024
)

// willNeedAt is the DB's default willNeedFn: MADV_WILLNEED on the bytes
// [off, off+n) of the mapping data. Slicing data bounds the range to the
// mapping even if a caller got it wrong.
func willNeedAt(data []byte, off, n int) { adviseWillNeed(data[off : off+n]) }

// residentAt is the DB's default residentFn: whether the OS page at off in
// the mapping data is in the page cache.
func residentAt(data []byte, off int) bool { return pageResident(data[off:]) }

// raLevel is one branch level of the walk ahead: a page and the child the
// walk is on.
type raLevel struct {
	page  *page
	index int
}

// readahead is the read-ahead state of one cursor: a walk through the
// branch pages ahead of it, and the leaves asked for that the cursor has
// not reached yet, in key order.
type readahead struct {
	tx     *Tx
	levels [maxTreeDepth]raLevel
	depth  int    // branch levels above the leaves
	active bool   // the walk ahead matches the cursor's position
	done   bool   // the walk ahead ended: the bucket's end, or a page it could not read
	window int    // leaves to have asked for ahead of the cursor at the next refill
	warm   uint32 // leaves the cursor last skipped because the cache held the leaves ahead

	// ring holds the leaf ids asked for and not yet reached: count of
	// them from head.
	ring  [raMaxWindow]Pgid
	head  int
	count int

	batch []Pgid // scratch for the ids of one request
}

// leafID is the id of the leaf page the cursor is on, or 0 when it is on
// none (no position, an inline bucket, a node).
func (c *Cursor) leafID() Pgid {
	if c.n == 0 {
		return 0
	}
	if p := c.top().page; p != nil && p != c.bucket.page {
		return p.id
	}
	return 0
}

// stepped is called by next each time it has moved from leaf from (an id,
// or 0) to a new leaf. It counts steps in a row, which are steps that leave
// the leaf the previous step reached, and reads ahead once there are
// enough.
func (c *Cursor) stepped(from Pgid) {
	to := c.leafID()
	if from != 0 && from == c.raLast {
		c.raRun++
	} else {
		c.raRun = 1
	}
	c.raLast = to
	if to == 0 || c.raRun < raStartAfter {
		return
	}
	if c.raRun == raStartAfter && c.raSkip == 0 {
		// A scan begins: if the last one found the cache warm, so is
		// this one likely to, and it need not look for a while either.
		c.raSkip = c.bucket.tx.mapping.raWarm.Load()
	}
	if c.raSkip > 0 {
		c.raSkip--
		return
	}
	c.readAhead(to)
}

// readAhead keeps the leaves after leaf to asked for. If the cursor is
// where the walk ahead expects it, it uses up one leaf of it; otherwise the
// cursor moved some other way meanwhile and the walk starts again from the
// cursor's path.
func (c *Cursor) readAhead(to Pgid) {
	ra := c.ra
	switch {
	case ra != nil && ra.active && ra.count > 0 && ra.ring[ra.head] == to:
		ra.head = (ra.head + 1) % len(ra.ring)
		ra.count--
		if ra.done || ra.count > ra.window/2 {
			return
		}
		ra.window = min(2*ra.window, raMaxWindow)
	default:
		if ra == nil {
			ra = &readahead{batch: make([]Pgid, 0, 2*raMaxWindow)}
			c.ra = ra
		}
		if !ra.start(c) {
			return
		}
	}
	hint := &ra.tx.mapping.raWarm
	if ra.fill() {
		ra.warm = 0
		if hint.Load() != 0 {
			hint.Store(0)
		}
		return
	}
	// The leaves ahead are resident: stop walking ahead for a while, a
	// longer while each time the cache is found warm, and then look again
	// from wherever the cursor is.
	ra.warm = min(max(2*ra.warm, 2*raFirstWindow, hint.Load()), raMaxSkip)
	c.raSkip = ra.warm
	hint.Store(ra.warm)
	ra.active = false
}

// start points the walk ahead at the cursor's leaf. It fails, leaving read-
// ahead off until the next step, when a branch on the path is a node of
// this transaction (its pages are already in memory).
func (ra *readahead) start(c *Cursor) bool {
	ra.tx = c.bucket.tx
	ra.active, ra.done = false, false
	ra.head, ra.count = 0, 0
	ra.window = raFirstWindow
	ra.depth = c.n - 1
	if ra.depth < 1 || ra.depth > len(ra.levels) {
		return false
	}
	for i := 0; i < ra.depth; i++ {
		r := c.at(i)
		if r.page == nil || r.page.flags != branchPageFlag {
			return false
		}
		ra.levels[i] = raLevel{page: r.page, index: r.index}
	}
	ra.active = true
	ra.batch = ra.batch[:0]
	ra.nextBranch()
	return true
}

// fill walks ahead until window leaves are asked for and asks for them,
// with the branch pages met on the way. It reports false if they were
// resident, so nothing was asked.
func (ra *readahead) fill() bool {
	for ra.count < ra.window {
		id, ok := ra.nextLeaf()
		if !ok {
			ra.done = true
			break
		}
		ra.ring[(ra.head+ra.count)%len(ra.ring)] = id
		ra.count++
		ra.batch = append(ra.batch, id)
	}
	asked := ra.tx.prefetch(ra.batch)
	ra.batch = ra.batch[:0]
	return asked
}

// nextLeaf moves the walk ahead to the next leaf and returns its id, or
// false at the end of the bucket or at a branch page it cannot read.
func (ra *readahead) nextLeaf() (Pgid, bool) {
	d := ra.depth - 1
	for d >= 0 && ra.levels[d].index+1 >= int(ra.levels[d].page.count) {
		d--
	}
	if d < 0 {
		return 0, false
	}
	ra.levels[d].index++
	for d+1 < ra.depth {
		l := &ra.levels[d]
		p, err := ra.tx.page(l.page.branchElement(l.index).pgid)
		if err != nil || p.flags != branchPageFlag || p.count == 0 {
			return 0, false
		}
		d++
		ra.levels[d] = raLevel{page: p}
		if d == ra.depth-1 {
			ra.nextBranch()
		}
	}
	l := &ra.levels[d]
	return l.page.branchElement(l.index).pgid, true
}

// nextBranch adds to the batch the branch page the walk ahead enters after
// the one it is on above the leaves, if it has the same parent.
func (ra *readahead) nextBranch() {
	if ra.depth < 2 {
		return
	}
	if l := &ra.levels[ra.depth-2]; l.index+1 < int(l.page.count) {
		ra.batch = append(ra.batch, l.page.branchElement(l.index+1).pgid)
	}
}

// prefetchChildren asks for the children of branch page p, into the
// scratch buf, which it returns for reuse.
func (tx *Tx) prefetchChildren(p *page, buf []Pgid) []Pgid {
	buf = buf[:0]
	if p.flags != branchPageFlag {
		return buf
	}
	for i := 0; i < int(p.count); i++ {
		buf = append(buf, p.branchElement(i).pgid)
	}
	tx.prefetch(buf)
	return buf
}

// prefetchUnder asks for the children of page id if it is a branch; a
// depth-first walk calls it for the branch it enters next, so that those
// are read while it walks the current one.
func (tx *Tx) prefetchUnder(id Pgid, buf []Pgid) []Pgid {
	p, err := tx.page(id)
	if err != nil {
		return buf
	}
	return tx.prefetchChildren(p, buf)
}

// prefetchOverflow asks for the overflow pages of page id (the free list,
// which is read whole).
func (tx *Tx) prefetchOverflow(id Pgid) {
	p, err := tx.page(id)
	if err != nil || p.overflow == 0 {
		return
	}
	ps := uint64(tx.pageSize)
	tx.advise(uint64(id+1)*ps, uint64(id)*ps+uint64(p.overflow+1)*ps)
}

// prefetch asks for the pages ids (the first page of each), unless the
// lowest and highest of them are resident, and reports whether it asked.
// It reorders ids.
func (tx *Tx) prefetch(ids []Pgid) bool {
	if len(ids) == 0 || tx.mapping == nil {
		return false
	}
	// Ids at or past the high-water mark come from damaged branches; the
	// reader reports them when it gets there.
	hwm := tx.meta.pgid
	n, lo, hi := 0, hwm, Pgid(0)
	for _, id := range ids {
		if id < hwm {
			ids[n] = id
			n++
			lo, hi = min(lo, id), max(hi, id)
		}
	}
	ids = ids[:n]
	if n == 0 {
		return false
	}
	ps := uint64(tx.pageSize)
	if tx.resident(uint64(lo)*ps) && tx.resident(uint64(hi)*ps) {
		return false
	}
	slices.Sort(ids)
	start, end := uint64(ids[0])*ps, uint64(ids[0]+1)*ps
	for _, id := range ids[1:] {
		off := uint64(id) * ps
		if off <= end+raJoinGap*ps {
			end = max(end, off+ps)
			continue
		}
		tx.advise(start, end)
		start, end = off, off+ps
	}
	tx.advise(start, end)
	return true
}

// resident reports whether the byte at off of the mapping is in the page
// cache; bytes past the mapping count as resident (nothing to ask for).
func (tx *Tx) resident(off uint64) bool {
	data := tx.mapping.data
	if off >= uint64(len(data)) {
		return true
	}
	off -= off % uint64(os.Getpagesize())
	return tx.db.residentFn(data, int(off))
}

// advise asks for the bytes [start, end) of the mapping, clipped to the
// mapping and to the high-water mark and widened to OS page boundaries
// within those limits: madvise never sees a byte outside the mapping.
func (tx *Tx) advise(start, end uint64) {
	data := tx.mapping.data
	limit := min(uint64(len(data)), uint64(tx.meta.pgid)*uint64(tx.pageSize))
	osPage := uint64(os.Getpagesize())
	start -= start % osPage
	if r := end % osPage; r != 0 {
		end += osPage - r
	}
	end = min(end, limit)
	if start >= end {
		return
	}
	tx.db.willNeedFn(data, int(start), int(end-start))
}
