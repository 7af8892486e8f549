package bolt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/boltkv/bolt/internal/rawpage"
)

// Defaults that DB fields start with. They were exported by boltdb/bolt
// v1.3.1 and bbolt 1.3; they are kept for code written against those.
const (
	// DefaultMaxBatchSize is the default DB.MaxBatchSize.
	//
	// Deprecated: bbolt 1.4 unexported it; set DB.MaxBatchSize instead.
	DefaultMaxBatchSize int = 1000

	// DefaultMaxBatchDelay is the default DB.MaxBatchDelay.
	//
	// Deprecated: bbolt 1.4 unexported it; set DB.MaxBatchDelay instead.
	DefaultMaxBatchDelay = 10 * time.Millisecond

	// DefaultAllocSize is the default DB.AllocSize.
	//
	// Deprecated: bbolt 1.4 unexported it; set DB.AllocSize instead.
	DefaultAllocSize = 16 * 1024 * 1024
)

// IgnoreNoSync reports whether NoSync is ignored on this platform: true on
// OpenBSD, which has no unified buffer cache.
//
// Deprecated: bbolt 1.4 unexported it.
const IgnoreNoSync = runtime.GOOS == "openbsd"

// maxMmapStep is the growth step of the mapping above 1 GiB.
const maxMmapStep = 1 << 30

// FreelistType names an in-memory free-list implementation; the file format
// is the same for all of them.
type FreelistType string

const (
	// FreelistArrayType keeps free page ids in a sorted array and hands out
	// the lowest run that fits. It is the default.
	FreelistArrayType = FreelistType("array")
	// FreelistMapType keeps free runs in hash maps by size and start.
	FreelistMapType = FreelistType("hashmap")
)

// Options configures Open. A nil *Options means DefaultOptions.
type Options struct {
	// Timeout is how long Open waits for the file lock. Zero waits forever;
	// a negative value gives up after the first refused attempt. Either way
	// the error is ErrTimeout.
	Timeout time.Duration

	// NoGrowSync skips the truncate and fsync that make file growth durable
	// before the data written into the new space.
	NoGrowSync bool

	// NoFreelistSync skips writing the free list at commit; it is rebuilt by
	// scanning the tree when the file is opened. Commits get cheaper, opens
	// slower.
	NoFreelistSync bool

	// PreLoadFreelist loads the free list at Open even for a read-only DB.
	// A writable DB always loads it.
	PreLoadFreelist bool

	// FreelistType selects the in-memory free list; see FreelistType.
	FreelistType FreelistType

	// ReadOnly opens the file read-only under a shared lock, so that other
	// read-only processes may open it too. A missing file is an error.
	ReadOnly bool

	// MmapFlags are OR-ed into the flags of the mapping, e.g.
	// syscall.MAP_POPULATE on Linux.
	MmapFlags int

	// InitialMmapSize is the least size of the first mapping, in bytes.
	InitialMmapSize int

	// PageSize is the page size of a newly created file; 0 means the OS page
	// size. An existing file keeps the page size it was created with.
	PageSize int

	// MaxSize caps the file size, in bytes: a commit that would grow the
	// file beyond it fails with ErrMaxSizeReached. Zero or less means no
	// limit. A larger existing file still opens.
	MaxSize int

	// NoSync is the initial DB.NoSync.
	NoSync bool

	// GroupCommit is the initial DB.GroupCommit (bolt's own; bbolt has no
	// such option). Turn it on when many goroutines call Batch with small
	// transactions, or one goroutine calls it in a loop: each then waits for
	// at most one commit instead of MaxBatchDelay, and calls that arrive
	// during a commit still share the next one. Leave it off for code that
	// relies on Batch waiting MaxBatchDelay to gather calls.
	GroupCommit bool

	// OpenFile opens the data file; nil means os.OpenFile.
	OpenFile func(string, int, os.FileMode) (*os.File, error)

	// Mlock locks the mapped file in RAM. Unix only.
	Mlock bool

	// Logger receives the DB's log messages; nil discards them.
	Logger Logger

	// NoStatistics turns off DB.Stats: it then returns the zero Stats.
	NoStatistics bool
}

// String formats the options as bbolt does.
func (o *Options) String() string {
	if o == nil {
		return "{}"
	}
	return fmt.Sprintf("{Timeout: %s, NoGrowSync: %t, NoFreelistSync: %t, PreLoadFreelist: %t, FreelistType: %s, ReadOnly: %t, MmapFlags: %x, InitialMmapSize: %d, PageSize: %d, MaxSize: %d, NoSync: %t, OpenFile: %p, Mlock: %t, Logger: %p, NoStatistics: %t}",
		o.Timeout, o.NoGrowSync, o.NoFreelistSync, o.PreLoadFreelist, o.FreelistType, o.ReadOnly, o.MmapFlags, o.InitialMmapSize, o.PageSize, o.MaxSize, o.NoSync, o.OpenFile, o.Mlock, o.Logger, o.NoStatistics)
}

// DefaultOptions are used by Open when it is given nil options. Nothing in
// this package modifies it.
var DefaultOptions = &Options{
	Timeout:      0,
	NoGrowSync:   false,
	FreelistType: FreelistArrayType,
}

// dataFile is the engine's view of the data file. Every read, write, sync
// and resize of the file goes through it, so tests can record or fail each
// call (fault injection).
type dataFile interface {
	ReadAt(b []byte, off int64) (int, error)
	WriteAt(b []byte, off int64) (int, error)
	Truncate(size int64) error
	Stat() (os.FileInfo, error)
	// Sync flushes data and metadata (fsync); used after growing the file.
	Sync() error
	// Datasync flushes data (fdatasync); used by every commit.
	Datasync() error
}

// osFile is the dataFile of a real file.
type osFile struct{ *os.File }

func (f osFile) Datasync() error { return fdatasync(f.File) }

// Locking. rwlock is held by the read/write transaction for its whole life:
// it serializes writers and guards the writer's state (meta, mapping,
// freelist, retired snapshots). closelock is read-held by every read-only
// transaction for its life and write-held only by Close, so Close waits for
// readers; the writer never takes it. Readers take no other lock: they
// begin on the published snapshot with atomic operations (beginRO), so a
// reader never waits for the writer, nor the writer for a reader, even when
// the file grows and is mapped anew. statlock guards the free-list figures
// of stats. Lock order: rwlock, closelock, statlock.

// DB is a database stored in a single file. It is safe for concurrent use:
// any number of read-only transactions and one read/write transaction may
// run at once.
//
// The exported fields may be changed after Open, but not while transactions
// run.
type DB struct {
	// stats comes first so that the int64s of its TxStats, added to
	// atomically, are 8-byte aligned on 32-bit platforms.
	stats Stats // statlock, but for TxStats (atomic), txN and openTxN

	// StrictMode runs the full consistency check at every commit, after the
	// data pages are written and before the meta page is, and panics if it
	// finds a problem. It is slow; use it to debug.
	StrictMode bool

	// NoSync skips the fdatasync calls of commit. A crash may then lose
	// recent commits or damage the file. Ignored on OpenBSD.
	NoSync bool

	// NoFreelistSync: see Options.NoFreelistSync.
	NoFreelistSync bool

	// FreelistType: see Options.FreelistType.
	FreelistType FreelistType

	// NoGrowSync: see Options.NoGrowSync.
	NoGrowSync bool

	// PreLoadFreelist: see Options.PreLoadFreelist.
	PreLoadFreelist bool

	// MmapFlags: see Options.MmapFlags.
	MmapFlags int

	// MaxBatchSize is the most calls one Batch transaction runs; zero or
	// less disables batching.
	MaxBatchSize int

	// MaxBatchDelay is how long Batch waits for more calls before running a
	// batch; zero or less runs it at once.
	MaxBatchDelay time.Duration

	// GroupCommit makes Batch commit as soon as the writer is free instead
	// of waiting MaxBatchDelay for more calls: a call made while no batch
	// commits starts one at once, and calls made during a commit share the
	// next one. It is bolt's own (bbolt has no such field) and off by
	// default, which keeps bbolt's timing. See Batch, and Options.GroupCommit.
	GroupCommit bool

	// AllocSize is the step by which the file grows once it is larger than
	// AllocSize.
	AllocSize int

	// MaxSize: see Options.MaxSize.
	MaxSize int

	// Mlock: see Options.Mlock.
	Mlock bool

	path     string
	openFile func(string, int, os.FileMode) (*os.File, error)
	osf      *os.File
	file     dataFile
	logger   Logger
	readOnly bool
	opened   bool
	pageSize int
	noStats  bool

	// fileTarget is the size the file would have on Linux: what Open found,
	// grown by grow's steps. Windows grows the file to the mapping size
	// while it is mapped; Close shrinks it back to this.
	fileTarget int64

	// datasz is the mapping size bbolt would have now. File growth steps
	// are derived from it, so files grow exactly as bbolt's do; the real
	// mapping is sized from it too.
	datasz int

	// The writer's state, guarded by rwlock (and set up by Open).
	meta     meta     // the last committed meta
	mapping  *mapping // the current mapping
	freelist *freelist
	rwtx     *Tx
	retired  []*snapshot // earlier snapshots that may still have readers
	pagePool sync.Pool   // single-page buffers for commits

	// Lists every commit reuses (Tx.reused, Tx.spilled), so that
	// checkReused allocates nothing.
	reusedScratch  []pageRun
	spilledScratch []*node
	reusedFilter   pageFilter // the pages of reusedScratch, for refReused

	// snap is what a reader begins on: the last committed meta and a
	// mapping that covers it. Readers take it without a lock; see beginRO.
	snap atomic.Pointer[snapshot]

	// freelistLoad guards loading the free list of a read-only DB lazily.
	freelistLoad sync.Mutex

	// poisoned is set when a meta write or sync failed: the file may or may
	// not hold that commit. The next writer re-reads the metas from disk.
	poisoned error

	txN     atomic.Int64 // read-only transactions begun
	openTxN atomic.Int64 // read-only transactions open

	// batchMu guards batch, the batch that takes new Batch calls (nil if
	// none), and batchRunning, the number of batches started and not yet
	// done; GroupCommit starts a batch at once only when it is zero. It is
	// held briefly and never together with another lock.
	batchMu      sync.Mutex
	batch        *batch
	batchRunning int

	rwlock    sync.Mutex
	closelock sync.RWMutex
	statlock  sync.Mutex

	// mmapFn and munmapFn are the platform calls, replaceable by tests.
	mmapFn   func(f *os.File, size int, flags int, writable bool) ([]byte, error)
	munmapFn func([]byte) error

	// willNeedFn and residentFn are the read-ahead calls on the bytes
	// [off, off+n) of a mapping data (readahead.go), replaceable by tests.
	willNeedFn func(data []byte, off, n int)
	residentFn func(data []byte, off int) bool
}

// Path returns the path of the open file, or "" once the DB is closed.
func (db *DB) Path() string { return db.path }

// GoString formats the DB as bbolt does: bolt.DB{path:"PATH"}.
func (db *DB) GoString() string { return fmt.Sprintf("bolt.DB{path:%q}", db.path) }

// String formats the DB as bbolt does: DB<"PATH">.
func (db *DB) String() string { return fmt.Sprintf("DB<%q>", db.path) }

// IsReadOnly reports whether the DB was opened with Options.ReadOnly.
func (db *DB) IsReadOnly() bool { return db.readOnly }

// Open opens the database file at path, creating it with mode if it does
// not exist (unless ReadOnly). It holds a file lock until Close: exclusive
// for a writable DB, shared for a read-only one, so a second Open of the
// same file, in this process or another, waits for it (see
// Options.Timeout).
//
// Errors: the OS error of opening or locking the file, ErrTimeout, and for
// a file that is not a usable database ErrInvalid, ErrVersionMismatch or
// ErrChecksum (both meta pages bad; the first one's error is returned), or
// an error wrapping ErrCorrupt, among others when the file is shorter than
// the pages its newest valid meta uses (it was truncated: Open does not fall
// back to the older meta then).
func Open(path string, mode os.FileMode, options *Options) (db *DB, err error) {
	return open(path, mode, options, nil)
}

// seams replace the engine's I/O for tests: every file operation, and the
// mapping calls. A nil seams, or a nil field, means the real thing.
type seams struct {
	// wrap returns the dataFile the engine uses for f.
	wrap   func(f *os.File) dataFile
	mmap   func(f *os.File, size int, flags int, writable bool) ([]byte, error)
	munmap func([]byte) error
	// willNeed and resident replace the read-ahead calls.
	willNeed func(data []byte, off, n int)
	resident func(data []byte, off int) bool
}

func open(path string, mode os.FileMode, options *Options, hooks *seams) (_ *DB, err error) {
	if !archSupported {
		return nil, fmt.Errorf("bolt: not supported on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if options == nil {
		options = DefaultOptions
	}
	o := *options
	db := newDB(&o, hooks)
	flag := os.O_RDWR | os.O_CREATE
	if db.readOnly {
		flag = os.O_RDONLY
	}
	f, err := db.openFile(path, flag, mode)
	if err != nil {
		return nil, err
	}
	db.osf, db.file, db.path = f, osFile{f}, f.Name()
	if hooks != nil && hooks.wrap != nil {
		db.file = hooks.wrap(f)
	}
	locked := false
	defer func() {
		if err != nil {
			db.abandon(locked)
		}
	}()
	if err := flock(f, !db.readOnly, o.Timeout); err != nil {
		return nil, err
	}
	locked = true

	db.pageSize = o.PageSize
	if db.pageSize == 0 {
		db.pageSize = os.Getpagesize()
	}
	info, err := db.file.Stat()
	if err != nil {
		return nil, err
	}
	// A read-only open succeeds on a directory and cannot initialize an
	// empty file; say so as plainly as a writable open would.
	if info.IsDir() {
		return nil, &os.PathError{Op: "open", Path: path, Err: syscall.EISDIR}
	}
	if db.readOnly && info.Size() == 0 {
		return nil, fmt.Errorf("bolt: open %s: is empty, and a read-only open cannot initialize it", path)
	}
	// A read-only DB never initializes a file: an empty one fails on the
	// write as bbolt's does, anything else is probed.
	if fresh, err := db.isFresh(info.Size()); err != nil {
		return nil, err
	} else if fresh {
		if err := db.initFile(); err != nil {
			return nil, err
		}
	} else if db.pageSize, err = db.probePageSize(info.Size()); err != nil {
		return nil, err
	}

	ps := db.pageSize
	db.pagePool.New = func() any { return make([]byte, ps) }
	if err := db.openMapping(o.InitialMmapSize); err != nil {
		return nil, err
	}
	db.opened = true
	if db.PreLoadFreelist {
		if err := db.loadFreelist(); err != nil {
			return nil, err
		}
	}
	// Files written with NoFreelistSync carry no freelist page; give them
	// one so that readers which cannot rebuild it can open the file.
	if !db.readOnly && !db.NoFreelistSync && db.meta.freelist == pgidNoFreelist {
		if err := db.Update(func(*Tx) error { return nil }); err != nil {
			return nil, err
		}
	}
	db.Logger().Infof("opened db file %s", db.path)
	return db, nil
}

// newDB makes the DB that open fills in: the exported knobs from the options
// (and bbolt's defaults for the rest), and the platform calls, or the test
// seams that replace them.
func newDB(o *Options, hooks *seams) *DB {
	db := &DB{
		NoSync:          o.NoSync,
		NoGrowSync:      o.NoGrowSync,
		MmapFlags:       o.MmapFlags,
		NoFreelistSync:  o.NoFreelistSync,
		PreLoadFreelist: o.PreLoadFreelist,
		FreelistType:    o.FreelistType,
		Mlock:           o.Mlock,
		MaxSize:         o.MaxSize,
		MaxBatchSize:    DefaultMaxBatchSize,
		MaxBatchDelay:   DefaultMaxBatchDelay,
		GroupCommit:     o.GroupCommit,
		AllocSize:       DefaultAllocSize,
		logger:          o.Logger,
		readOnly:        o.ReadOnly,
		noStats:         o.NoStatistics,
		mmapFn:          mmap,
		munmapFn:        munmap,
		willNeedFn:      willNeedAt,
		residentFn:      residentAt,
	}
	if !db.readOnly {
		db.PreLoadFreelist = true
	}
	db.openFile = o.OpenFile
	if db.openFile == nil {
		db.openFile = os.OpenFile
	}
	if hooks != nil {
		if hooks.mmap != nil {
			db.mmapFn = hooks.mmap
		}
		if hooks.munmap != nil {
			db.munmapFn = hooks.munmap
		}
		if hooks.willNeed != nil {
			db.willNeedFn = hooks.willNeed
		}
		if hooks.resident != nil {
			db.residentFn = hooks.resident
		}
	}
	return db
}

// abandon undoes a failed Open.
func (db *DB) abandon(locked bool) {
	db.opened = false
	db.dropSnapshots()
	if db.mapping != nil {
		db.mapping.release()
		db.mapping = nil
	}
	if locked && !db.readOnly {
		_ = funlock(db.osf)
	}
	_ = db.osf.Close()
	db.path = ""
}

// isFresh reports whether the file must be initialized: it is empty, or it
// is no longer than four pages and both meta pages are all zero, which is
// what a crash during initialization leaves.
func (db *DB) isFresh(size int64) (bool, error) {
	if size == 0 {
		return true, nil
	}
	if db.readOnly || size > int64(4*db.pageSize) {
		return false, nil
	}
	buf := make([]byte, min(size, int64(2*db.pageSize)))
	if _, err := db.file.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	for _, c := range buf {
		if c != 0 {
			return false, nil
		}
	}
	return true, nil
}

// minPageSize is the smallest page size a file can have: a meta page holds
// a page header and a meta.
const minPageSize = pageHeaderSize + metaSize

// initFile writes an empty database: two metas, an empty freelist page
// (page 2) and an empty leaf as the root bucket (page 3). The two data
// pages are made durable before the metas, so that a crash in between
// leaves all-zero metas, which the next Open initializes again.
//
// A page must hold at least a page header and a meta (minPageSize bytes):
// smaller sizes are refused before anything is written, since the metas
// would overlap each other and the pages after them. (bbolt writes such a
// file anyway, past its buffer below 16 bytes, and then cannot open it.)
func (db *DB) initFile() error {
	ps := db.pageSize
	if ps < minPageSize {
		return fmt.Errorf("bolt: page size %d is too small: a page must hold its %d-byte header and the %d-byte meta (at least %d bytes)",
			ps, pageHeaderSize, metaSize, minPageSize)
	}
	buf := make([]byte, 4*ps)
	for i := 0; i < 2; i++ {
		p := pageAt(buf[i*ps:])
		p.id = Pgid(i)
		p.flags = metaPageFlag
		m := meta{
			magic:    magic,
			version:  version,
			pageSize: uint32(ps),
			root:     bucketHeader{root: 3},
			freelist: 2,
			pgid:     4,
			txid:     txid(i),
		}
		m.checksum = m.sum64()
		putMeta(buf[i*ps+pageHeaderSize:], &m)
	}
	fl := pageAt(buf[2*ps:])
	fl.id, fl.flags = 2, freelistPageFlag
	leaf := pageAt(buf[3*ps:])
	leaf.id, leaf.flags = 3, leafPageFlag

	if _, err := db.file.WriteAt(buf[2*ps:], int64(2*ps)); err != nil {
		return err
	}
	if err := db.file.Datasync(); err != nil {
		return err
	}
	if _, err := db.file.WriteAt(buf[:2*ps], 0); err != nil {
		return err
	}
	return db.file.Datasync()
}

// probePageSize finds the page size of an existing file with the probe the
// bolt command shares (rawpage.ProbePageSize). When neither meta page is
// valid, a file reaching past its first two KiB is opened with the
// configured page size, so that chooseMeta reports meta 0's own error as
// bbolt does; a shorter one is not a database.
func (db *DB) probePageSize(size int64) (int, error) {
	if ps, ok := rawpage.ProbePageSize(db.file, size); ok {
		return ps, nil
	}
	if size > 2<<10 {
		return db.pageSize, nil
	}
	return 0, ErrInvalid
}

// validate checks a meta read from disk, in bbolt's order.
func (m *meta) validate() error {
	if m.magic != magic {
		return ErrInvalid
	}
	if m.version != version {
		return ErrVersionMismatch
	}
	if m.checksum != m.sum64() {
		return ErrChecksum
	}
	return nil
}

// chooseMeta returns the meta to open at: the newer of the two if it is
// valid and consistent, else the older one if that is. When neither is
// usable it returns meta 0's error, as bbolt does.
//
// A damaged meta (bad checksum, or a tree outside its own high-water mark)
// is skipped. A valid meta whose pages lie beyond the end of the file is
// not: nothing bolt or bbolt writes leaves a file shorter than the pages
// its metas use (every commit writes whole pages up to the high-water mark
// before the meta that names them), so the file was cut after the fact, and
// falling back would silently open an older state whose next commit
// overwrites the newer meta. That is an error wrapping ErrCorrupt.
func (db *DB) chooseMeta(data []byte, fileSize int64) (meta, error) {
	ps := db.pageSize
	metas := [2]meta{metaOf(data[pageHeaderSize:]), metaOf(data[ps+pageHeaderSize:])}
	var errs [2]error
	for i := range metas {
		if errs[i] = metas[i].validate(); errs[i] == nil {
			errs[i] = db.checkMeta(&metas[i])
		}
	}
	newer, older := 0, 1
	if metas[1].txid > metas[0].txid {
		newer, older = 1, 0
	}
	chosen := newer
	if errs[newer] != nil {
		if errs[older] != nil {
			return meta{}, errs[0]
		}
		chosen = older
		if metas[newer].validate() == nil {
			db.Logger().Warningf("meta page %d (txid %d) is unusable: %v; falling back to meta page %d (txid %d)",
				newer, metas[newer].txid, errs[newer], older, metas[older].txid)
		}
	}
	if err := checkMetaInFile(&metas[chosen], db.pageSize, fileSize); err != nil {
		return meta{}, err
	}
	return metas[chosen], nil
}

// checkMeta checks that a meta with a valid checksum is consistent in
// itself: the page size is the file's, and the tree and free list it points
// at lie below its high-water mark.
func (db *DB) checkMeta(m *meta) error {
	switch {
	case int(m.pageSize) != db.pageSize:
		return fmt.Errorf("%w: meta page size %d differs from %d", ErrCorrupt, m.pageSize, db.pageSize)
	case m.pgid < 2:
		return fmt.Errorf("%w: high-water mark %d below the meta pages", ErrCorrupt, m.pgid)
	case m.root.root < 2 || m.root.root >= m.pgid:
		return fmt.Errorf("%w: root page %d outside [2, %d)", ErrCorrupt, m.root.root, m.pgid)
	case m.freelist != pgidNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid):
		return fmt.Errorf("%w: freelist page %d outside [2, %d)", ErrCorrupt, m.freelist, m.pgid)
	}
	return nil
}

// checkMetaInFile fails when the pages meta m uses, [0, m.pgid), do not all
// lie whole inside a file of fileSize bytes of pageSize-byte pages. The
// comparison is made in pages, so that no high-water mark, however large,
// can wrap it.
func checkMetaInFile(m *meta, pageSize int, fileSize int64) error {
	if pages := uint64(fileSize) / uint64(pageSize); uint64(m.pgid) > pages {
		return fmt.Errorf("%w: the file was truncated: meta txid %d uses %d pages of %d bytes, the file holds %d bytes (%d whole pages)",
			ErrCorrupt, m.txid, uint64(m.pgid), pageSize, fileSize, pages)
	}
	return nil
}

// Close releases every resource of the DB: it waits for the open
// transactions, read-only ones included, to end, then unmaps and unlocks
// the file and closes it. Closing a closed DB returns nil. If several steps
// fail, the first error is returned.
func (db *DB) Close() error {
	db.rwlock.Lock()
	defer db.rwlock.Unlock()
	db.closelock.Lock()
	defer db.closelock.Unlock()
	if !db.opened {
		return nil
	}
	db.opened = false
	db.freelist = nil
	var first error
	db.dropSnapshots()
	if db.mapping != nil {
		db.mapping.release()
		db.mapping = nil
	}
	if db.osf != nil && runtime.GOOS == "windows" && !db.readOnly {
		// Mapping grew the file to the mapping size; give the space back.
		size := max(db.fileTarget, int64(db.meta.pgid)*int64(db.pageSize))
		if err := db.file.Truncate(size); err != nil && first == nil {
			first = fmt.Errorf("shrinking the file on close: %w", err)
		}
	}
	if db.osf != nil {
		if !db.readOnly {
			if err := funlock(db.osf); err != nil && first == nil {
				first = fmt.Errorf("bolt.Close(): funlock error: %w", err)
			}
		}
		if err := db.osf.Close(); err != nil && first == nil {
			first = fmt.Errorf("db file close: %w", err)
		}
		db.osf, db.file = nil, nil
	}
	db.path = ""
	return first
}

// Begin starts a transaction. Any number of read-only transactions may run
// at once; a writable one waits until the current writer of this DB ends.
// Every transaction must end with Commit or Rollback. Do not begin a
// transaction while holding another on the same goroutine if Close may be
// waiting: Close blocks new transactions until the open ones end.
//
// After a commit whose meta page write or sync failed, the next writable
// Begin re-reads both meta pages from the file and continues from the newest
// valid one; it returns the error if it cannot.
//
// Errors: ErrDatabaseReadOnly (writable on a read-only DB),
// ErrDatabaseNotOpen, ErrInvalidMapping.
func (db *DB) Begin(writable bool) (t *Tx, err error) {
	if writable {
		return db.beginRW()
	}
	return db.beginRO()
}

func (db *DB) beginRW() (*Tx, error) {
	if db.readOnly {
		return nil, ErrDatabaseReadOnly
	}
	db.rwlock.Lock()
	if !db.opened {
		db.rwlock.Unlock()
		return nil, ErrDatabaseNotOpen
	}
	if db.mapping == nil || db.snap.Load() == nil {
		db.rwlock.Unlock()
		return nil, ErrInvalidMapping
	}
	if db.poisoned != nil {
		if err := db.recoverMeta(); err != nil {
			db.rwlock.Unlock()
			return nil, err
		}
	}
	t := &Tx{}
	t.init(db, db.snap.Load(), true)
	db.rwtx = t
	db.freelist.releaseForReaders(db.readerTxids())
	return t, nil
}

// poison records that the last meta write may or may not have reached the
// disk, so the in-memory meta cannot be trusted. The writer calls it.
func (db *DB) poison(err error) {
	db.poisoned = err
	db.Logger().Errorf("%v; the next write transaction re-reads the meta pages", err)
}

// recoverMeta re-reads both meta pages from the file after a failed meta
// write and continues from the valid one, rebuilding the free list to match.
// The writer lock is held.
func (db *DB) recoverMeta() error {
	ps := db.pageSize
	buf := make([]byte, 2*ps)
	if _, err := db.file.ReadAt(buf, 0); err != nil {
		return fmt.Errorf("bolt: re-reading meta pages after %v: %w", db.poisoned, err)
	}
	info, err := db.file.Stat()
	if err != nil {
		return err
	}
	m, err := db.chooseMeta(buf, info.Size())
	if err != nil {
		return fmt.Errorf("bolt: re-reading meta pages after %v: %w", db.poisoned, err)
	}
	prev := db.meta
	before := make(map[Pgid]struct{}, len(db.freelist.cache))
	for id := range db.freelist.cache {
		before[id] = struct{}{}
	}
	db.meta = m
	if err := db.loadFreelist(); err != nil {
		db.meta = prev
		return err
	}
	if m.txid > prev.txid {
		// The failed commit did land. Pages it freed may still be in use
		// by readers of the previous snapshot: keep them pending under its
		// txid until those readers end.
		db.freelist.holdNew(before, m.txid)
	}
	db.Logger().Warningf("recovered from %v: continuing from meta txid %d", db.poisoned, m.txid)
	db.poisoned = nil
	db.publish(&m)
	return nil
}

// Update runs fn in a read/write transaction and commits it if fn returns
// nil, or rolls it back and returns fn's error. fn must not call Commit or
// Rollback (they panic). If fn panics the transaction is rolled back and the
// panic goes on. It returns Begin's and Commit's errors too.
func (db *DB) Update(fn func(*Tx) error) (err error) {
	t, err := db.Begin(true)
	if err != nil {
		return err
	}
	defer endManaged(t, debug.SetPanicOnFault(true), &err)
	t.managed = true
	err = fn(t)
	t.managed = false
	if err != nil {
		_ = t.Rollback()
		return err
	}
	return t.Commit()
}

// View runs fn in a read-only transaction and returns fn's error or, if fn
// returned nil, the damage the transaction met, if any. fn must not call
// Commit or Rollback (they panic). It returns Begin's errors too.
func (db *DB) View(fn func(*Tx) error) (err error) {
	t, err := db.Begin(false)
	if err != nil {
		return err
	}
	defer endManaged(t, debug.SetPanicOnFault(true), &err)
	t.managed = true
	err = fn(t)
	t.managed = false
	if err == nil {
		err = t.err
	}
	_ = t.Rollback()
	return err
}

// endManaged ends the transaction of View or Update, however fn left: it
// restores the goroutine's panic-on-fault setting (wasFault, which the
// caller turned on so that reading a mapped page of a file truncated under
// the DB panics instead of crashing the process), turns such a memory
// fault into an error wrapping ErrCorrupt in *err, rolls back a
// transaction still open, and lets every other panic go on. It must be
// deferred directly, so that its recover sees the panic; deferring it
// directly also keeps View and Update from allocating for it.
//
// A transaction still open here was left by a panic (fn's or commit's).
// A writer's is rolled back as a failed commit is, rebuilding the free list
// from the last commit, so that pages a half-done commit took from it are
// not lost; that reads the mapping, so panic-on-fault stays on until it is
// done. After a memory fault the mapping cannot be read: the free list is
// left as it is.
func endManaged(t *Tx, wasFault bool, err *error) {
	defer debug.SetPanicOnFault(wasFault)
	r := recover()
	f, fault := r.(interface{ Addr() uintptr })
	if t.db != nil {
		t.rollback(r != nil && !fault)
	}
	if r == nil {
		return
	}
	if fault {
		*err = fmt.Errorf("%w: memory fault reading the mapped file at %#x: %v", ErrCorrupt, f.Addr(), r)
		return
	}
	panic(r)
}

// Sync flushes the file's data to disk (fdatasync). Commits already do so
// unless NoSync is set.
func (db *DB) Sync() (err error) {
	if db.file == nil {
		return ErrDatabaseNotOpen
	}
	return db.file.Datasync()
}

// Stats returns a copy of the DB's statistics. It is safe to call at any
// time, after Close too. With NoStatistics it returns the zero Stats.
func (db *DB) Stats() Stats {
	if db.noStats {
		return Stats{}
	}
	db.statlock.Lock()
	defer db.statlock.Unlock()
	// Copied field by field: TxStats is updated with atomics outside the
	// lock by closing transactions.
	s := Stats{
		TxStats:       db.stats.TxStats.load(),
		FreePageN:     db.stats.FreePageN,
		PendingPageN:  db.stats.PendingPageN,
		FreeAlloc:     db.stats.FreeAlloc,
		FreelistInuse: db.stats.FreelistInuse,
	}
	s.TxN = int(db.txN.Load())
	s.OpenTxN = int(db.openTxN.Load())
	return s
}

// Info describes the mapping of an open DB, for low-level tools.
type Info struct {
	// Data is the address of the first byte of the mapping.
	Data uintptr
	// PageSize is the database's page size.
	PageSize int
}

// Info returns the address of the current mapping and the page size. It
// panics if the DB is not mapped (e.g. after Close), as bbolt does.
func (db *DB) Info() *Info {
	s := db.snap.Load()
	if s == nil || len(s.mapping.data) == 0 {
		panic("assertion failed: database file isn't correctly mapped")
	}
	return &Info{Data: addressOf(s.mapping.data), PageSize: db.pageSize}
}

// loadFreelist loads the free list of the published meta: from its freelist
// page, or by scanning the tree when none was written.
func (db *DB) loadFreelist() error {
	if db.freelist == nil {
		db.freelist = newFreelist(db.FreelistType)
	}
	ids, err := db.readFreelistIDs()
	if err != nil {
		return err
	}
	if err := db.freelist.load(ids, db.meta.pgid); err != nil {
		return err
	}
	db.statlock.Lock()
	db.stats.FreePageN = db.freelist.freeCount()
	db.statlock.Unlock()
	return nil
}

// ensureFreelist loads the free list of a read-only DB opened without
// PreLoadFreelist, once.
func (db *DB) ensureFreelist() error {
	db.freelistLoad.Lock()
	defer db.freelistLoad.Unlock()
	if db.freelist != nil {
		return nil
	}
	return db.loadFreelist()
}

// reloadFreelist rebuilds the free list from the last committed state after
// a failed commit; pages pending for open readers stay pending.
func (db *DB) reloadFreelist() error {
	if db.mapping == nil {
		return ErrInvalidMapping
	}
	return db.loadFreelist()
}

// readFreelistIDs returns the free page ids of the writer's meta (a copy),
// read as a reader of that meta would: from its freelist page, or by
// scanning when it has none.
func (db *DB) readFreelistIDs() ([]Pgid, error) {
	t := &Tx{db: db, pageSize: db.pageSize, meta: db.meta, mapping: db.mapping}
	t.root.init(t, db.meta.root)
	t.prefetchOverflow(db.meta.freelist)
	return t.freeIDs()
}
