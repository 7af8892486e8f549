// This file holds bolt's own idea: how readers and the writer share the file
// without waiting for each other.
//
// The file is read through read-only mappings (mapping). A committed state
// that readers can begin on is a snapshot: a meta and a mapping that covers
// every page the meta reaches. The writer publishes a new snapshot after each
// commit and whenever it maps the file anew (publish); a reader begins on the
// published snapshot with two atomic operations and no lock the writer takes
// (beginRO), counts itself in it, and uncounts itself when it ends
// (removeReader). The snapshot it replaced is retired, not dropped.
//
// Invariants:
//
//   - A mapping is unmapped only when its last reference goes: the DB's
//     current mapping holds one, and every snapshot over it holds one. So
//     a reader's pages stay mapped for as long as its snapshot lives, even
//     after the writer has grown the file and mapped it again (grow,
//     ensureMapped): readers never stall the writer, and the writer never
//     pulls the pages out from under a reader.
//   - Retired snapshots are pruned only when a writer begins (readerTxids,
//     called from beginRW). A writer's nodes hold keys and values that
//     point into the mapping its transaction began on (node.go relies on
//     this); that mapping may be retired when the same transaction grows the
//     file, but it stays mapped until the next writer begins, by which time
//     the nodes have been written out or discarded.
//   - A count of zero readers on a retired snapshot is final: a reader that
//     counted itself in a snapshot after it was replaced sees the swap and
//     backs off before reading anything (beginRO).
//   - The free pages a reader could still see are those freed after the
//     oldest txid any open snapshot serves; readerTxids reports those txids
//     to the writer's free list.
//
// References to mappings are taken and dropped only under rwlock (by the
// writer, Open or Close); readers touch only the atomic reader counts.

package bolt

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	berrors "github.com/boltkv/bolt/errors"
)

// mapping is one read-only mapping of the file, referenced by the DB while
// it is current and by every snapshot made over it. A writer that needs a
// larger mapping makes a new one; the old one is unmapped once no snapshot
// over it has readers left. References are taken and dropped only by the
// writer (or Open and Close), under rwlock.
type mapping struct {
	db     *DB
	data   []byte
	refs   int
	locked int // bytes from the start pinned by mlock (Options.Mlock)

	// raWarm is how many leaves a scan that begins now steps before it
	// first looks at the page cache: what the last look of any scan found
	// (readahead.go). It is a hint; readers race on it harmlessly.
	raWarm atomic.Uint32
}

func (m *mapping) acquire() { m.refs++ }

// release drops a reference, unmapping on the last.
func (m *mapping) release() {
	m.refs--
	if m.refs == 0 && m.data != nil {
		m.unlock()
		if err := m.db.munmap(m.data); err != nil {
			m.db.Logger().Errorf("munmap failed: %v", err)
		}
		m.data = nil
	}
}

// lock pins in RAM the part of m that the file covers, as bbolt does
// (Options.Mlock): the file's size, not the whole mapping, which is larger
// and whose pages past the end of the file cannot be locked (mlock fails
// with ENOMEM there) and would count against RLIMIT_MEMLOCK. Called again
// when the file grows, it extends the locked range. Only the writer (or
// Open) calls it.
func (m *mapping) lock() error {
	if !m.db.Mlock {
		return nil
	}
	info, err := m.db.file.Stat()
	if err != nil {
		return fmt.Errorf("mlock error: %w", err)
	}
	want := int(min(info.Size(), int64(len(m.data))))
	if want <= m.locked {
		return nil
	}
	if err := mlock(m.data[:want]); err != nil {
		return fmt.Errorf("mlock error: %w", err)
	}
	m.locked = want
	return nil
}

// unlock undoes lock, when m is replaced or unmapped: a retired mapping may
// still have readers but need not stay pinned, so the locked total stays
// the file's size.
func (m *mapping) unlock() {
	if m.locked > 0 {
		if err := munlock(m.data[:m.locked]); err != nil {
			m.db.Logger().Errorf("munlock failed: %v", err)
		}
		m.locked = 0
	}
}

// snapshot is a committed state readers can begin on: a meta and a mapping
// that covers its pages. Each read-only transaction counts itself in the
// snapshot it began on; the writer keeps the pages such readers can see from
// being reused, and a mapping alive while a snapshot over it has readers.
type snapshot struct {
	meta    meta
	mapping *mapping
	readers atomic.Int64
}

// openMapping makes the first mapping and picks the meta to start from.
func (db *DB) openMapping(minsz int) error {
	info, err := db.file.Stat()
	if err != nil {
		return fmt.Errorf("mmap stat error: %w", err)
	}
	fileSize := int(info.Size())
	if fileSize < db.pageSize*2 {
		return fmt.Errorf("file size too small %d", fileSize)
	}
	db.fileTarget = int64(fileSize)
	if db.datasz, err = db.mmapSize(max(fileSize, minsz)); err != nil {
		return err
	}
	if runtime.GOOS == "windows" && db.MaxSize > 0 && db.datasz > db.MaxSize && db.datasz > fileSize {
		return berrors.ErrMaxSizeReached
	}
	data, err := db.mmap(db.datasz)
	if err != nil {
		return err
	}
	db.mapping = &mapping{db: db, data: data, refs: 1}
	if len(data) < 2*db.pageSize {
		return fmt.Errorf("file size too small %d", len(data))
	}
	if err := db.mapping.lock(); err != nil {
		return err
	}
	m, err := db.chooseMeta(data, int64(fileSize))
	if err != nil {
		return err
	}
	db.publish(&m)
	return nil
}

func (db *DB) mmap(size int) ([]byte, error) {
	return db.mmapFn(db.osf, size, db.MmapFlags, !db.readOnly)
}

func (db *DB) munmap(data []byte) error { return db.munmapFn(data) }

// mmapSize is bbolt's mapping size for a file of size bytes: powers of two
// from 32 KiB to 1 GiB, then whole GiBs, rounded to the page size.
func (db *DB) mmapSize(size int) (int, error) {
	for i := uint(15); i <= 30; i++ {
		if size <= 1<<i {
			return 1 << i, nil
		}
	}
	if uint64(size) > maxMapSize {
		return 0, errors.New("mmap too large")
	}
	sz := int64(size)
	if r := sz % maxMmapStep; r > 0 {
		sz += maxMmapStep - r
	}
	ps := int64(db.pageSize)
	if sz%ps != 0 {
		sz = (sz/ps + 1) * ps
	}
	if uint64(sz) > maxMapSize {
		sz = int64(maxMapSize)
	}
	return int(sz), nil
}

// ensureMapped makes the current mapping cover size bytes, replacing it with
// a larger one if needed. Only the writer calls it; readers of the old
// mapping keep it until they end.
func (db *DB) ensureMapped(size int) error {
	if len(db.mapping.data) >= size {
		return nil
	}
	want := max(db.datasz, size)
	data, err := db.mmap(want)
	if err != nil {
		return fmt.Errorf("mmap error: %w", err)
	}
	old := db.mapping
	db.mapping = &mapping{db: db, data: data, refs: 1}
	old.unlock()
	old.release()
	// Readers beginning from now on use the new mapping.
	m := db.meta
	db.publish(&m)
	return db.mapping.lock()
}

// publish makes m, over the current mapping, the snapshot new transactions
// begin on; the previous snapshot is retired. Only the writer (or Open)
// calls it.
func (db *DB) publish(m *meta) {
	db.meta = *m
	s := &snapshot{meta: *m, mapping: db.mapping}
	db.mapping.acquire()
	if old := db.snap.Swap(s); old != nil {
		db.retired = append(db.retired, old)
	}
}

// readerTxids prunes the retired snapshots that have no readers left,
// releasing their mappings, and returns the txids that open readers see.
//
// A reader that counted itself in a snapshot after it was retired notices
// and backs off without touching it (beginRO), so a count of zero seen here
// is final.
func (db *DB) readerTxids() []txid {
	var ids []txid
	kept := db.retired[:0]
	for _, s := range db.retired {
		if s.readers.Load() > 0 {
			kept = append(kept, s)
			ids = append(ids, s.meta.txid)
			continue
		}
		s.mapping.release()
	}
	clear(db.retired[len(kept):])
	db.retired = kept
	if cur := db.snap.Load(); cur != nil && cur.readers.Load() > 0 {
		ids = append(ids, cur.meta.txid)
	}
	return ids
}

// dropSnapshots releases every snapshot; no reader may be open.
func (db *DB) dropSnapshots() {
	if cur := db.snap.Swap(nil); cur != nil {
		cur.mapping.release()
	}
	for _, s := range db.retired {
		s.mapping.release()
	}
	db.retired = nil
}

// growSize is bbolt's file size after growing to hold sz bytes, given the
// mapping size: the mapping size while small, then sz plus AllocSize.
func (db *DB) growSize(mapSize, sz int) int {
	if mapSize <= db.AllocSize {
		return mapSize
	}
	return sz + db.AllocSize
}

// grow makes the file at least sz bytes long, in bbolt's steps, and makes
// the new size durable before any data is written into it.
func (db *DB) grow(sz int) error {
	// On Windows the mapping has already stretched the file to the mapping
	// size, so its length says nothing; fileTarget is the size it would
	// have elsewhere, and what Close leaves.
	fileSize := int(db.fileTarget)
	if runtime.GOOS != "windows" {
		info, err := db.file.Stat()
		if err != nil {
			return err
		}
		fileSize = int(info.Size())
	}
	if sz <= fileSize {
		return nil
	}
	grown := db.growSize(db.datasz, sz)
	if runtime.GOOS == "windows" && db.MaxSize > 0 {
		// checkMaxSize lets Windows grow the mapping up to MaxSize without
		// room for the next AllocSize step (as bbolt's Windows port, whose
		// file is the mapping); the size Close leaves must stay within it.
		grown = min(grown, max(sz, db.MaxSize))
	}
	sz = grown
	db.fileTarget = max(db.fileTarget, int64(sz))
	if db.NoGrowSync || db.readOnly {
		return nil
	}
	if runtime.GOOS != "windows" {
		if err := db.file.Truncate(int64(sz)); err != nil {
			return fmt.Errorf("file resize error: %w", err)
		}
	}
	if err := db.file.Sync(); err != nil {
		return fmt.Errorf("file sync error: %w", err)
	}
	// The grown part of the file that the mapping covers is locked now;
	// the rest when the file is mapped anew (ensureMapped).
	return db.mapping.lock()
}

// checkMaxSize fails when taking pages up to minsz bytes would grow the file
// past MaxSize.
func (db *DB) checkMaxSize(minsz int) error {
	if db.MaxSize <= 0 {
		return nil
	}
	next, err := db.mmapSize(minsz)
	if err != nil {
		return fmt.Errorf("mmap size calculation error: %w", err)
	}
	if runtime.GOOS != "windows" {
		next = db.growSize(next, minsz)
	}
	if next > db.MaxSize {
		db.Logger().Errorf("maximum db size reached, minSize: %d (allocSize: %d), db.MaxSize: %d", minsz, next, db.MaxSize)
		return berrors.ErrMaxSizeReached
	}
	return nil
}

func (db *DB) fileSizeOrZero() int {
	info, err := db.file.Stat()
	if err != nil {
		return 0
	}
	return int(info.Size())
}

func (db *DB) beginRO() (*Tx, error) {
	db.closelock.RLock()
	if !db.opened {
		db.closelock.RUnlock()
		return nil, ErrDatabaseNotOpen
	}
	var s *snapshot
	for {
		if s = db.snap.Load(); s == nil {
			db.closelock.RUnlock()
			return nil, ErrInvalidMapping
		}
		s.readers.Add(1)
		// If the writer replaced the snapshot meanwhile it may already
		// have judged its readers; start again on the new one.
		if db.snap.Load() == s {
			break
		}
		s.readers.Add(-1)
	}
	t := &Tx{}
	t.init(db, s, false)
	if !db.noStats {
		db.txN.Add(1)
		db.openTxN.Add(1)
	}
	return t, nil
}

// removeReader unregisters a finished read-only transaction.
func (db *DB) removeReader(t *Tx) {
	t.snap.readers.Add(-1)
	if !db.noStats {
		db.openTxN.Add(-1)
	}
	db.closelock.RUnlock()
}
