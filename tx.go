package bolt

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"time"
)

// Tx is a read-only or read/write transaction on the database.
//
// A read-only transaction sees the database as of the last commit before it
// began, for its whole life, however many commits follow. A read/write
// transaction is the only writer of its DB while it lives. A Tx, and the
// buckets and cursors it hands out, must not be used from several
// goroutines at once. Every transaction must end with Commit or Rollback:
// an open read-only transaction keeps the pages it can see from being
// reused, so the file grows, and Close waits for it.
//
// Slices returned by a transaction are valid only until it ends. In a
// read-only transaction they point into a read-only mapping of the file, so
// writing to them crashes the process.
//
// When a transaction meets a damaged page, calls that cannot return an error
// (Get, cursor moves) behave as if the data ended there, and the
// transaction remembers the error: ForEach returns it, View and Update
// return it unless fn returned an error of its own, and Commit rolls back
// and returns it.
type Tx struct {
	// stats comes first: its int64 fields are updated atomically, which
	// on 32-bit platforms needs 8-byte alignment, guaranteed only for the
	// first word of an allocated struct.
	stats TxStats

	writable bool
	managed  bool // run by Update or View, which own Commit and Rollback
	db       *DB
	meta     meta // the snapshot this tx reads; a writer edits its copy
	root     Bucket
	snap     *snapshot       // the committed state this tx began on
	mapping  *mapping        // the mapping this tx reads pages through
	pages    map[Pgid][]byte // pages written by this commit, by id
	handlers []func()        // OnCommit
	err      error           // first damage met; the tx cannot commit
	roots    rootClaims      // where each opened bucket root was found
	pageSize int

	// free lists, sorted, the free and pending pages of a read-only
	// transaction's own snapshot, read once by Page (freeRead says it has
	// been). A reader never consults the writer's free list: the writer
	// changes it concurrently, and it describes a later state.
	free     []Pgid
	freeRead bool

	// reused lists the runs this commit took from the free list, and
	// spilled the nodes it wrote, so that checkReused can tell whether a
	// reused page is still reachable.
	reused  []pageRun
	spilled []*node

	// WriteFlag, when not zero, makes WriteTo (and Copy, CopyFile) read
	// the pages through a second handle on the database file, opened with
	// os.O_RDONLY|WriteFlag (through Options.OpenFile, if set) and closed
	// at the end; syscall.O_DIRECT, on Linux, keeps a backup from evicting
	// the page cache. Zero reads through the DB's open file.
	WriteFlag int
}

func (tx *Tx) init(db *DB, s *snapshot, writable bool) {
	tx.db = db
	tx.writable = writable
	tx.pageSize = db.pageSize
	tx.snap = s
	tx.meta = s.meta
	tx.mapping = s.mapping
	tx.root.init(tx, tx.meta.root)
	if writable {
		tx.pages = make(map[Pgid][]byte)
		tx.meta.txid++
		tx.reused, tx.spilled = db.reusedScratch[:0], db.spilledScratch[:0]
	}
}

// ID returns the transaction id: for a writer, the id its commit will have;
// for a reader, the id of the commit it sees. It returns -1 for a nil or
// finished transaction.
func (tx *Tx) ID() int {
	if tx == nil || tx.db == nil {
		return -1
	}
	return int(tx.meta.txid)
}

// DB returns the database the transaction belongs to, nil once it ended.
func (tx *Tx) DB() *DB { return tx.db }

// Size returns the size in bytes of the database as this transaction sees
// it: the high-water mark times the page size, not the file size.
func (tx *Tx) Size() int64 { return int64(tx.meta.pgid) * int64(tx.pageSize) }

// Writable reports whether the transaction can change the database.
func (tx *Tx) Writable() bool { return tx.writable }

// Cursor returns a cursor over the top-level bucket names; its values are
// always nil.
func (tx *Tx) Cursor() *Cursor { return tx.root.Cursor() }

// Stats returns a copy of the transaction's counters.
func (tx *Tx) Stats() TxStats { return tx.stats.load() }

// Bucket returns the top-level bucket name, or nil if it does not exist.
func (tx *Tx) Bucket(name []byte) *Bucket { return tx.root.Bucket(name) }

// CreateBucket creates a top-level bucket; see Bucket.CreateBucket.
func (tx *Tx) CreateBucket(name []byte) (*Bucket, error) { return tx.root.CreateBucket(name) }

// CreateBucketIfNotExists returns the top-level bucket name, creating it if
// needed; see Bucket.CreateBucketIfNotExists.
func (tx *Tx) CreateBucketIfNotExists(name []byte) (*Bucket, error) {
	return tx.root.CreateBucketIfNotExists(name)
}

// DeleteBucket deletes a top-level bucket; see Bucket.DeleteBucket.
func (tx *Tx) DeleteBucket(name []byte) error { return tx.root.DeleteBucket(name) }

// ForEach calls fn for every top-level bucket, in name order. The first
// error fn returns stops the walk and is returned.
func (tx *Tx) ForEach(fn func(name []byte, b *Bucket) error) error {
	return tx.root.ForEach(func(k, _ []byte) error {
		return fn(k, tx.root.Bucket(k))
	})
}

// OnCommit registers fn to run after the transaction commits successfully,
// once the writer lock is released. Handlers run in registration order;
// none run on rollback or on a failed commit.
func (tx *Tx) OnCommit(fn func()) { tx.handlers = append(tx.handlers, fn) }

// Commit writes every change to disk and ends the transaction. Inside Update
// it panics: Update commits for you. It returns ErrTxClosed on a finished
// transaction and ErrTxNotWritable on a read-only one (which stays open).
// Any other failure rolls the transaction back and returns the error; the
// transaction is then finished. A failure before the meta page is written
// leaves the last commit as the file's state (the file may have grown, and
// pages no meta reaches may hold this commit's data). If writing or syncing
// the meta page fails, the file may or may not hold this commit: readers
// keep seeing the previous one, and the next write transaction re-reads
// both meta pages and continues from the newest valid one, which may be
// this commit's (see DB.Begin).
func (tx *Tx) Commit() (err error) {
	if tx.managed {
		panic("managed tx commit not allowed")
	}
	if tx.db == nil {
		return ErrTxClosed
	}
	if !tx.writable {
		return ErrTxNotWritable
	}
	// A panic inside commit (StrictMode's, or a bug) must not leave the
	// writer lock held, nor lose the pages the spill took from the free
	// list: roll back as a failed commit does, and let the panic go on.
	defer func() {
		if tx.db != nil {
			tx.rollback(true)
		}
	}()
	if err := tx.commit(); err != nil {
		tx.rollback(true)
		return err
	}
	handlers := tx.handlers
	tx.close()
	for _, fn := range handlers {
		fn()
	}
	return nil
}

// commit runs the commit protocol. On error the caller rolls back. Until
// writeMeta, whatever was written is unreachable and the file's state is
// the previous commit's; an error from writeMeta poisons the DB instead,
// since the meta page may have reached the disk (db.recoverMeta).
func (tx *Tx) commit() error {
	db := tx.db
	if tx.err != nil {
		return tx.err
	}
	start := time.Now()
	if err := tx.root.rebalance(); err != nil {
		return tx.recordErr(err)
	}
	if tx.stats.GetRebalance() > 0 {
		tx.stats.IncRebalanceTime(time.Since(start))
	}

	hwm := tx.meta.pgid
	start = time.Now()
	if err := tx.root.spill(); err != nil {
		return tx.recordErr(err)
	}
	tx.stats.IncSpillTime(time.Since(start))
	tx.meta.root.root = tx.root.root

	if tx.meta.freelist != pgidNoFreelist {
		if err := tx.freePage(tx.meta.freelist); err != nil {
			return err
		}
	}
	if db.NoFreelistSync {
		tx.meta.freelist = pgidNoFreelist
	} else if err := tx.writeFreelist(); err != nil {
		return err
	}
	if tx.err != nil {
		return tx.err
	}
	if err := tx.checkReused(); err != nil {
		return err
	}

	if tx.meta.pgid > hwm {
		if err := db.grow(int(tx.meta.pgid+1) * db.pageSize); err != nil {
			return err
		}
	}

	start = time.Now()
	if err := tx.writePages(hwm); err != nil {
		return err
	}
	if db.StrictMode {
		if errs := tx.checkAll(); len(errs) > 0 {
			panic("check fail: " + errors.Join(errs...).Error())
		}
	}
	// Readers that begin after this commit need the new pages mapped; map
	// them before the meta makes them reachable.
	if err := db.ensureMapped(int(tx.meta.pgid) * db.pageSize); err != nil {
		return err
	}
	if err := tx.writeMeta(); err != nil {
		return err
	}
	tx.stats.IncWriteTime(time.Since(start))
	db.publish(&tx.meta)
	return nil
}

// writeFreelist allocates pages for the free list as it stands (free and
// pending ids, including this commit's) and serializes it there.
func (tx *Tx) writeFreelist() error {
	fl := tx.db.freelist
	buf, id, err := tx.allocate(fl.size()/tx.pageSize + 1)
	if err != nil {
		return err
	}
	freelistWrite(buf, fl.serialized())
	tx.meta.freelist = id
	return nil
}

// Rollback discards every change and ends the transaction. Inside Update or
// View it panics. It returns ErrTxClosed on a finished transaction.
func (tx *Tx) Rollback() error {
	if tx.managed {
		panic("managed tx rollback not allowed")
	}
	if tx.db == nil {
		return ErrTxClosed
	}
	tx.rollback(false)
	return nil
}

// rollback ends the transaction without committing. After a failed commit
// (reload) the pages the commit took from the free list are lost track of,
// so the free list is rebuilt from the last committed state.
func (tx *Tx) rollback(reload bool) {
	if tx.db == nil {
		return
	}
	// Deferred so that the writer lock is released even if reloading
	// panics (a memory fault on a file truncated under the DB).
	defer tx.close()
	if tx.writable {
		db := tx.db
		db.freelist.rollback(tx.meta.txid)
		if reload {
			if err := db.reloadFreelist(); err != nil {
				db.poison(err)
			}
		}
	}
}

// close releases the transaction's locks and mapping and folds its counters
// into the DB's.
func (tx *Tx) close() {
	db := tx.db
	if db == nil {
		return
	}
	if tx.writable {
		db.statlock.Lock()
		db.stats.FreePageN = db.freelist.freeCount()
		db.stats.PendingPageN = db.freelist.pendingCount()
		db.stats.FreeAlloc = (db.stats.FreePageN + db.stats.PendingPageN) * db.pageSize
		db.stats.FreelistInuse = db.freelist.size()
		db.statlock.Unlock()
		db.stats.TxStats.add(&tx.stats)
		clear(tx.spilled) // let the nodes go
		db.reusedScratch, db.spilledScratch = tx.reused[:0], tx.spilled[:0]
		db.rwtx = nil
		db.rwlock.Unlock()
	} else {
		db.stats.TxStats.add(&tx.stats)
		db.removeReader(tx)
	}
	for _, buf := range tx.pages {
		if len(buf) == db.pageSize {
			db.pagePool.Put(buf)
		}
	}
	tx.db = nil
	tx.snap = nil
	tx.mapping = nil
	tx.pages = nil
	tx.free = nil
	tx.reused = nil
	tx.spilled = nil
	tx.root = Bucket{tx: tx}
	tx.root.bucketHeader = &tx.root.hdr
}

// page returns the page with the given id as this transaction sees it: a
// page written by this commit, or the page in the mapping. It fails on an id
// at or beyond the high-water mark, or on a page that names another id.
func (tx *Tx) page(id Pgid) (*page, error) {
	if tx.pages != nil { // nil in a read-only tx: skip the map call
		if buf, ok := tx.pages[id]; ok {
			return pageAt(buf), nil
		}
	}
	if id >= tx.meta.pgid {
		return nil, corruptf(id, "beyond high-water mark %d", tx.meta.pgid)
	}
	data := tx.mapping.data
	off := uint64(id) * uint64(tx.pageSize)
	if off+uint64(tx.pageSize) > uint64(len(data)) {
		return nil, corruptf(id, "beyond the end of the mapped file")
	}
	p := pageAt(data[off:])
	if p.id != id {
		return nil, corruptf(id, "header names page %d", p.id)
	}
	if end := off + (uint64(p.overflow)+1)*uint64(tx.pageSize); end > uint64(len(data)) || end > uint64(tx.meta.pgid)*uint64(tx.pageSize) {
		return nil, corruptf(id, "overflow %d runs past the high-water mark", p.overflow)
	}
	if err := p.validate(p.span(tx.pageSize), false); err != nil {
		return nil, err
	}
	return p, nil
}

// freePage puts page id (with its overflow) on this transaction's pending
// list.
func (tx *Tx) freePage(id Pgid) error {
	p, err := tx.page(id)
	if err != nil {
		return tx.recordErr(err)
	}
	if err := tx.db.freelist.free(tx.meta.txid, p); err != nil {
		return tx.recordErr(err)
	}
	return nil
}

// allocate returns a zeroed buffer for count contiguous pages, taken from the
// free list or else from the high-water mark, with its header's id and
// overflow set. The buffer is written at commit.
func (tx *Tx) allocate(count int) ([]byte, Pgid, error) {
	db := tx.db
	id := db.freelist.allocate(tx.meta.txid, count)
	if id != 0 {
		tx.reused = append(tx.reused, pageRun{start: id, n: count})
	}
	if id == 0 {
		id = tx.meta.pgid
		minsz := (int(id) + count + 1) * db.pageSize
		if err := db.checkMaxSize(minsz); err != nil {
			return nil, 0, err
		}
		if minsz >= db.datasz {
			sz, err := db.mmapSize(max(minsz, db.fileSizeOrZero()))
			if err != nil {
				return nil, 0, err
			}
			db.datasz = sz
		}
		tx.meta.pgid += Pgid(count)
	}
	var buf []byte
	if count == 1 {
		buf = db.pagePool.Get().([]byte)
		clear(buf)
	} else {
		buf = make([]byte, count*db.pageSize)
	}
	p := pageAt(buf)
	p.id = id
	p.overflow = uint32(count - 1)
	tx.pages[id] = buf
	tx.stats.IncPageCount(int64(count))
	tx.stats.IncPageAlloc(int64(count * db.pageSize))
	return buf, id, nil
}

// pageRun is a run of n contiguous pages starting at start; seen marks
// the run once checkReused has met the pointer to it.
type pageRun struct {
	start Pgid
	n     int
	seen  bool
}

// pageFilter is a set of page ids that may say yes for an id not in it but
// never no for one in it: bit id mod 64*len(f) is set for each member.
type pageFilter []uint64

// reset returns f emptied and sized for n members, with at least eight bits
// each, so that an id outside the set finds its bit clear seven times in
// eight or more. It reuses f's array when it can.
func (f pageFilter) reset(n int) pageFilter {
	words := 8
	for words*64 < 8*n {
		words *= 2
	}
	if cap(f) < words {
		return make(pageFilter, words)
	}
	f = f[:words]
	clear(f)
	return f
}

func (f pageFilter) bit(id Pgid) (word int, mask uint64) {
	b := uint64(id) & uint64(64*len(f)-1) // len(f) is a power of two
	return int(b / 64), 1 << (b % 64)
}

func (f pageFilter) add(id Pgid) {
	w, m := f.bit(id)
	f[w] |= m
}

func (f pageFilter) mayHold(id Pgid) bool {
	w, m := f.bit(id)
	return f[w]&m != 0
}

// checkReused fails the commit, before anything is written, if a page it
// took from the free list is still reachable: the free list was damaged,
// listing a live page, and writing would overwrite live data. What the
// commit can see cheaply is checked: every reused run must be pointed at
// exactly once, at its first page, by the meta or by an element of a node
// this commit wrote (child pointers of branches, bucket roots in leaves).
// A second pointer is an element this commit left untouched that still
// leads to the page. A live page reachable only through pages this commit
// did not rewrite goes unnoticed (README, Known Issues); Check reports it
// as "reachable freed".
func (tx *Tx) checkReused() error {
	if len(tx.reused) == 0 {
		return nil
	}
	slices.SortFunc(tx.reused, func(a, b pageRun) int { return cmp.Compare(a.start, b.start) })
	pages := 0
	for _, r := range tx.reused {
		pages += r.n
	}
	db := tx.db
	db.reusedFilter = db.reusedFilter.reset(pages)
	for _, r := range tx.reused {
		for id := r.start; id < r.start+Pgid(r.n); id++ {
			db.reusedFilter.add(id)
		}
	}
	if err := tx.refReused(tx.meta.root.root); err != nil {
		return err
	}
	if tx.meta.freelist != pgidNoFreelist {
		if err := tx.refReused(tx.meta.freelist); err != nil {
			return err
		}
	}
	for _, n := range tx.spilled {
		for i := range n.inodes {
			in := &n.inodes[i]
			var id Pgid
			switch {
			case !n.isLeaf:
				id = in.pgid
			case in.flags&bucketLeafFlag != 0 && len(in.value) >= bucketHeaderSize:
				id = bucketHeaderOf(in.value).root
			}
			if id == 0 {
				continue
			}
			if err := tx.refReused(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// refReused counts a pointer to page id for checkReused: the first to the
// start of a reused run is the one the commit made; any other pointer into
// a reused run means the run is live.
func (tx *Tx) refReused(id Pgid) error {
	if !tx.db.reusedFilter.mayHold(id) {
		// Most pointers a commit's branches hold lead to pages it did
		// not take: one bit test instead of a binary search each.
		return nil
	}
	runs := tx.reused
	i, found := slices.BinarySearchFunc(runs, id, func(r pageRun, id Pgid) int { return cmp.Compare(r.start, id) })
	if !found {
		// id may lie inside the run before it.
		if i == 0 || id >= runs[i-1].start+Pgid(runs[i-1].n) {
			return nil
		}
	} else if !runs[i].seen {
		runs[i].seen = true
		return nil
	}
	return corruptf(id, "taken from the free list by this commit, is still reachable: the free list lists a live page")
}

// writePages writes this commit's pages in id order, then syncs the data.
// Pages appended to the file by this commit (at or past hwm, the high-water
// mark before it) go out in runs, one vectored write per run of adjacent
// pages, cut where a page id is a multiple of writeRunPages; every other
// page, rewrites of reused pages and each page with overflow (one buffer
// already), is a write of its own. TxStats.Write still counts pages, as
// bbolt's does.
//
// Why runs: a sequential insert appends tens of adjacent pages per commit,
// and one pwrite each cost as much as the data sync. Why the page cache is
// readied first (cacheBasePages): on Linux 6.x a write into pages nothing
// has cached builds a folio as large as the write, and every later commit
// that rewrites one page of such a folio pays for the whole folio when it
// syncs (kernel CPU in writeback, not disk bytes). With the appended pages
// cached as base pages beforehand, a random-delete workload spent as much
// system time in fdatasync as bbolt's one-page writes do, instead of 60%
// more. Chosen by measurement (README, Performance).
func (tx *Tx) writePages(hwm Pgid) error {
	db := tx.db
	ids := make([]Pgid, 0, len(tx.pages))
	for id := range tx.pages {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	onePage := func(id Pgid) bool { return len(tx.pages[id]) == db.pageSize }
	if vw, ok := db.file.(vectorWriter); ok {
		readyAppends(vw, ids, hwm, onePage, int64(db.pageSize))
	}
	var run [][]byte
	for i := 0; i < len(ids); {
		j := i + 1
		if ids[i] >= hwm && onePage(ids[i]) {
			for j < len(ids) && ids[j] == ids[j-1]+1 && ids[j]%writeRunPages != 0 && onePage(ids[j]) {
				j++
			}
		}
		off := int64(ids[i]) * int64(db.pageSize)
		var err error
		if j-i == 1 {
			err = writeAll(db.file, tx.pages[ids[i]], off)
		} else {
			run = run[:0]
			for _, id := range ids[i:j] {
				run = append(run, tx.pages[id])
			}
			err = writeRun(db.file, run, off)
		}
		if err != nil {
			return err
		}
		tx.stats.IncWrite(int64(j - i))
		i = j
	}
	if !db.NoSync || ignoreNoSync {
		if err := db.file.Datasync(); err != nil {
			return err
		}
	}
	return nil
}

// readyAppends asks vw to cache as base pages the one-page pages among ids
// (sorted) at or past hwm, in spans of adjacent ids that end at each page
// with overflow: such a page is one write of its own, as in bbolt, and
// readying it would only zero memory its write then fills. A lone page is
// skipped, since a one-page write caches a base page anyway.
func readyAppends(vw vectorWriter, ids []Pgid, hwm Pgid, onePage func(Pgid) bool, pageSize int64) {
	i, _ := slices.BinarySearch(ids, hwm)
	for i < len(ids) {
		j := i
		for j < len(ids) && onePage(ids[j]) {
			j++
		}
		if j-i > 1 {
			vw.cacheBasePages(int64(ids[i])*pageSize, int64(ids[j-1]-ids[i]+1)*pageSize)
		}
		i = j + 1 // past the page with overflow that ended the span
	}
}

// writeRunPages bounds a run of appended pages joined into one write, and
// aligns it: runs are cut where the page id is a multiple of it. With the
// pages readied as base pages the cut no longer bounds folio sizes on its
// own; it keeps runs at the size measured (4, 8 and 16 measured alike on
// sequential insert) and bounds the folios a run can build on a kernel
// whose read-ahead caches large folios. See writePages.
var writeRunPages Pgid = 4

// writeAll writes buf at off in chunks of less than maxAllocSize.
func writeAll(f dataFile, buf []byte, off int64) error {
	for len(buf) > 0 {
		chunk := buf[:min(len(buf), maxAllocSize-1)]
		if _, err := f.WriteAt(chunk, off); err != nil {
			return err
		}
		off += int64(len(chunk))
		buf = buf[len(chunk):]
	}
	return nil
}

// vectorWriter is a dataFile that writes several buffers, end to end in
// the file, in one call (pwritev on Linux).
type vectorWriter interface {
	writevAt(bufs [][]byte, off int64) error
	// cacheBasePages has the page cache hold [off, off+n) in base pages,
	// before runs are written there (see writePages). It is advice: a
	// failure changes nothing but speed.
	cacheBasePages(off, n int64)
}

// writeRun writes bufs, end to end in the file from off. A dataFile without
// a vectored write gets them joined into one buffer.
func writeRun(f dataFile, bufs [][]byte, off int64) error {
	if vw, ok := f.(vectorWriter); ok {
		return vw.writevAt(bufs, off)
	}
	return writeAll(f, slices.Concat(bufs...), off)
}

// unwritten returns what is left of bufs once the first n bytes are
// written: whole buffers dropped, the first one left sliced.
func unwritten(bufs [][]byte, n int) [][]byte {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if len(bufs) > 0 && n > 0 {
		bufs[0] = bufs[0][n:]
	}
	return bufs
}

// writeMeta writes this commit's meta to page txid%2 and syncs it: the
// moment the commit becomes durable.
func (tx *Tx) writeMeta() error {
	db := tx.db
	buf := make([]byte, db.pageSize)
	p := pageAt(buf)
	p.id = Pgid(tx.meta.txid % 2)
	p.flags = metaPageFlag
	tx.meta.checksum = tx.meta.sum64()
	putMeta(buf[pageHeaderSize:], &tx.meta)
	if _, err := db.file.WriteAt(buf, int64(p.id)*int64(db.pageSize)); err != nil {
		db.poison(fmt.Errorf("meta page write failed: %w", err))
		return err
	}
	if !db.NoSync || ignoreNoSync {
		if err := db.file.Datasync(); err != nil {
			db.poison(fmt.Errorf("meta page sync failed: %w", err))
			return err
		}
	}
	tx.stats.IncWrite(1)
	return nil
}

// recordErr remembers the first error that makes the transaction unable to
// commit (Commit returns it), and returns err.
func (tx *Tx) recordErr(err error) error {
	if tx.err == nil {
		tx.err = err
	}
	return err
}

// internalErr records an internal inconsistency (a bug, not damage on
// disk) as the transaction's error, and returns it.
func (tx *Tx) internalErr(what string) error {
	return tx.recordErr(fmt.Errorf("bolt: internal error: %s", what))
}

func errTooDeep(id Pgid) error {
	return corruptf(id, "tree deeper than %d levels (a cycle?)", maxTreeDepth)
}

func errEmptyBranch(ref *elemRef) error {
	if ref.page != nil {
		return corruptf(ref.page.id, "branch page with no elements")
	}
	return fmt.Errorf("%w: branch node with no elements", ErrCorrupt)
}

// ignoreNoSync is true where NoSync must be ignored because the OS has no
// unified buffer cache: writes through the file are not seen in the mapping
// until synced.
const ignoreNoSync = runtime.GOOS == "openbsd"

// walkPages calls fn for every page of the committed tree under id, depth
// first, with its depth below the start.
func (tx *Tx) walkPages(id Pgid, depth int, fn func(*page, int) error) error {
	if depth > maxTreeDepth {
		return errTooDeep(id)
	}
	p, err := tx.page(id)
	if err != nil {
		return err
	}
	if err := fn(p, depth); err != nil {
		return err
	}
	if p.isBranch() {
		for i := 0; i < int(p.count); i++ {
			if err := tx.walkPages(p.branchElement(i).pgid, depth+1, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteTo writes a consistent copy of the database, as this transaction
// sees it, to w: two meta pages made from the transaction's meta, then the
// file's pages up to the high-water mark, Size() bytes in all. Other
// transactions may run meanwhile; a read-only transaction makes a hot
// backup. The copy opens as a database of its own.
//
// Pages are read through the DB's open file, or, when WriteFlag is set,
// through a new handle opened with it.
func (tx *Tx) WriteTo(w io.Writer) (n int64, err error) {
	if tx.db == nil {
		return 0, ErrTxClosed
	}
	var src io.ReaderAt = tx.db.file
	if tx.WriteFlag != 0 {
		f, err := tx.db.openFile(tx.db.path, os.O_RDONLY|tx.WriteFlag, 0)
		if err != nil {
			return 0, err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		if sameFile(f, tx.db.osf) {
			src = f
		}
	}

	buf := make([]byte, tx.pageSize)
	for i := 0; i < 2; i++ {
		clear(buf)
		p := pageAt(buf)
		p.id, p.flags = Pgid(i), metaPageFlag
		m := tx.meta
		m.txid -= txid(i)
		m.checksum = m.sum64()
		putMeta(buf[pageHeaderSize:], &m)
		written, err := w.Write(buf)
		n += int64(written)
		if err != nil {
			return n, fmt.Errorf("meta %d copy: %s", i, err)
		}
	}
	rest := tx.Size() - 2*int64(tx.pageSize)
	copied, err := io.CopyN(w, io.NewSectionReader(src, 2*int64(tx.pageSize), rest), rest)
	n += copied
	return n, err
}

// sameFile reports whether two open files are the same file on disk.
func sameFile(a, b *os.File) bool {
	ai, err := a.Stat()
	if err != nil {
		return false
	}
	bi, err := b.Stat()
	if err != nil {
		return false
	}
	return os.SameFile(ai, bi)
}

// Copy writes a copy of the database to w.
//
// Deprecated: Use WriteTo.
func (tx *Tx) Copy(w io.Writer) error {
	_, err := tx.WriteTo(w)
	return err
}

// CopyFile writes a copy of the database to the file at path, created or
// truncated with mode.
func (tx *Tx) CopyFile(path string, mode os.FileMode) error {
	if tx.db == nil {
		return ErrTxClosed
	}
	f, err := tx.db.openFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := tx.WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// PageInfo describes one page, as returned by Tx.Page.
type PageInfo struct {
	// ID is the page id.
	ID int
	// Type is "branch", "leaf", "meta" or "freelist"; "free" for a page in
	// the free list; "unknown<XX>", XX the flags in hex, for anything else.
	Type string
	// Count is the page header's element count (for a free-list page, the
	// number of free ids, or 0xFFFF when they overflow it).
	Count int
	// OverflowCount is the number of pages after this one that its data
	// spills into.
	OverflowCount int
}

// Page describes page id as stored in the file (changes of the current
// commit are not seen). A page is "free" if the free list of the
// transaction's own snapshot lists it: for a writer the free list as it
// stands, for a reader the one its commit wrote. It returns nil, nil for an
// id at or beyond the high-water mark, ErrTxClosed on a finished
// transaction, ErrFreePagesNotLoaded on a read-only DB whose free list is
// not loaded (as bbolt; Check loads it), and an error wrapping ErrCorrupt
// if the free list of a reader's snapshot cannot be read.
func (tx *Tx) Page(id int) (*PageInfo, error) {
	if tx.db == nil {
		return nil, ErrTxClosed
	}
	if id < 0 || Pgid(id) >= tx.meta.pgid {
		return nil, nil
	}
	if tx.db.readOnly && !tx.db.freelistLoaded() {
		return nil, ErrFreePagesNotLoaded
	}
	off := id * tx.pageSize
	if off+pageHeaderSize > len(tx.mapping.data) {
		return nil, corruptf(Pgid(id), "beyond the end of the mapped file")
	}
	p := pageAt(tx.mapping.data[off:])
	info := &PageInfo{ID: id, Count: int(p.count), OverflowCount: int(p.overflow), Type: p.typ()}
	free, err := tx.isFree(Pgid(id))
	if err != nil {
		return nil, err
	}
	if free {
		info.Type = "free"
	}
	return info, nil
}

// isFree reports whether page id is free or pending in this transaction's
// snapshot. The writer owns the DB's free list and asks it. So does a
// reader of a read-only DB, where no writer exists: the list, once loaded
// (Page checked that under freelistLoad), describes the one meta every
// reader sees and never changes. A reader of a writable DB reads the free
// list its own meta names, once.
func (tx *Tx) isFree(id Pgid) (bool, error) {
	if tx.writable || tx.db.readOnly {
		return tx.db.freelist.freed(id), nil
	}
	if !tx.freeRead {
		ids, err := tx.freeIDs()
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				err = fmt.Errorf("%w: free list of txid %d: %v", ErrCorrupt, tx.meta.txid, err)
			}
			return false, err
		}
		slices.Sort(ids)
		tx.free, tx.freeRead = ids, true
	}
	_, found := slices.BinarySearch(tx.free, id)
	return found, nil
}

// freelistLoaded reports whether the free list is loaded. A read-only DB
// loads it lazily (ensureFreelist), under freelistLoad.
func (db *DB) freelistLoaded() bool {
	db.freelistLoad.Lock()
	defer db.freelistLoad.Unlock()
	return db.freelist != nil
}

// MoveBucket moves the bucket child from src to dst, where a nil src or dst
// means the top level. See Bucket.MoveBucket.
func (tx *Tx) MoveBucket(child []byte, src *Bucket, dst *Bucket) error {
	if src == nil {
		src = &tx.root
	}
	if dst == nil {
		dst = &tx.root
	}
	return src.MoveBucket(child, dst)
}

// Inspect returns the tree of all buckets; see Bucket.Inspect.
func (tx *Tx) Inspect() BucketStructure { return tx.root.Inspect() }
