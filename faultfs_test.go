package bolt

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// Test implementations of dataFile, plugged in through open's seams.
//
// recordingFile logs every change the engine makes to the file, in order,
// so that powercut_test.go can rebuild what the disk could hold after a
// crash at any point. failingFile fails one chosen call, so that
// fault_test.go can check what the engine does with the error. Both pass
// what they let through to the next dataFile, in the end the real file:
// the engine reads pages through a mapping of the real file, so a write
// that is not passed through is a write the engine never sees.

// fileOpKind is the kind of a call that changes the file.
type fileOpKind uint8

const (
	opWriteAt fileOpKind = iota
	opTruncate
	opSync     // fsync: data and metadata (used after growing the file)
	opDatasync // fdatasync: data (used by every commit)
	opMmap     // not a file call: names a failed mmap in faultInjector
)

func (k fileOpKind) String() string {
	switch k {
	case opWriteAt:
		return "WriteAt"
	case opTruncate:
		return "Truncate"
	case opSync:
		return "Sync"
	case opDatasync:
		return "Datasync"
	case opMmap:
		return "mmap"
	}
	return fmt.Sprintf("fileOpKind(%d)", uint8(k))
}

// fileOp is one recorded call that reached the file.
type fileOp struct {
	kind fileOpKind
	off  int64  // WriteAt: where
	data []byte // WriteAt: a copy of the bytes that reached the file
	size int64  // Truncate: the new size
	tag  int    // the recorder's tag when the call was made
}

func (op fileOp) isSync() bool { return op.kind == opSync || op.kind == opDatasync }

func (op fileOp) String() string {
	switch op.kind {
	case opWriteAt:
		return fmt.Sprintf("WriteAt(off=%d, len=%d)", op.off, len(op.data))
	case opTruncate:
		return fmt.Sprintf("Truncate(%d)", op.size)
	}
	return op.kind.String() + "()"
}

// recordingFile logs, in order, every WriteAt (offset and a copy of the
// bytes), Truncate, Sync and Datasync that succeeded, tagged with the tag
// set by the test, and passes every call on to next.
type recordingFile struct {
	next dataFile

	mu  sync.Mutex
	tag int
	ops []fileOp
}

// wrap is a seams.wrap: it records the calls made to f.
func (r *recordingFile) wrap(f *os.File) dataFile {
	r.next = osFile{f}
	return r
}

// setTag tags the calls made from now on, e.g. with the number of the
// commit in flight.
func (r *recordingFile) setTag(tag int) {
	r.mu.Lock()
	r.tag = tag
	r.mu.Unlock()
}

// log returns the calls recorded so far.
func (r *recordingFile) log() []fileOp {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]fileOp(nil), r.ops...)
}

// reset forgets the calls recorded so far.
func (r *recordingFile) reset() {
	r.mu.Lock()
	r.ops = nil
	r.mu.Unlock()
}

func (r *recordingFile) record(op fileOp) {
	r.mu.Lock()
	op.tag = r.tag
	r.ops = append(r.ops, op)
	r.mu.Unlock()
}

func (r *recordingFile) ReadAt(b []byte, off int64) (int, error) { return r.next.ReadAt(b, off) }
func (r *recordingFile) Stat() (os.FileInfo, error)              { return r.next.Stat() }

// WriteAt records the bytes that reached the file, even when the write
// failed part way.
func (r *recordingFile) WriteAt(b []byte, off int64) (int, error) {
	n, err := r.next.WriteAt(b, off)
	if n > 0 {
		r.record(fileOp{kind: opWriteAt, off: off, data: append([]byte(nil), b[:n]...)})
	}
	return n, err
}

func (r *recordingFile) Truncate(size int64) error {
	err := r.next.Truncate(size)
	if err == nil {
		r.record(fileOp{kind: opTruncate, size: size})
	}
	return err
}

func (r *recordingFile) Sync() error {
	err := r.next.Sync()
	if err == nil {
		r.record(fileOp{kind: opSync})
	}
	return err
}

func (r *recordingFile) Datasync() error {
	err := r.next.Datasync()
	if err == nil {
		r.record(fileOp{kind: opDatasync})
	}
	return err
}

// faultKind is a kind of call faultInjector can fail.
type faultKind uint8

const (
	faultWriteAt  faultKind = iota
	faultSync               // Sync and Datasync alike
	faultTruncate           // only grow truncates the file
	faultMmap               // through the mmap seam
)

func (k faultKind) String() string {
	switch k {
	case faultWriteAt:
		return "WriteAt"
	case faultSync:
		return "Sync"
	case faultTruncate:
		return "Truncate"
	case faultMmap:
		return "mmap"
	}
	return fmt.Sprintf("faultKind(%d)", uint8(k))
}

// Special values of faultPlan.land.
const (
	landAll  = -1 // the whole failing write reaches the file
	landHalf = -2 // its first half does, rounded down to a 512-byte sector
)

// faultPlan says which call fails and how.
type faultPlan struct {
	kind faultKind
	// nth is which call of kind fails, counting from 1 at arm.
	nth int
	err error
	// land is how many leading bytes of a failing WriteAt reach the file
	// before the error is returned, or landAll or landHalf: a write that
	// reports an error may still have changed the file.
	land int
	// metaOnly counts only the WriteAt calls that write a meta page
	// (offset below two pages) and, for faultSync, only the syncs that
	// follow such a write: the calls that make a commit durable.
	metaOnly bool
}

// faultInjector fails the call a faultPlan names, once, and counts the
// faults it injected. Its file method wraps a dataFile and its mmap method
// is a seams.mmap.
type faultInjector struct {
	pageSize int // to tell meta writes from others

	mu       sync.Mutex
	armed    bool
	plan     faultPlan
	calls    int  // calls of plan.kind counted since arm
	sawMeta  bool // a meta page write was attempted since arm
	fired    bool
	failedOp fileOp // the call that failed
	injected int    // faults injected since creation
}

// arm makes the injector fail the call p names, counting from now.
func (fi *faultInjector) arm(p faultPlan) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.armed, fi.plan, fi.calls, fi.sawMeta, fi.fired, fi.failedOp = true, p, 0, false, false, fileOp{}
}

// disarm stops injecting and reports whether the armed fault fired, and on
// which call.
func (fi *faultInjector) disarm() (bool, fileOp) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.armed = false
	return fi.fired, fi.failedOp
}

func (fi *faultInjector) count() int {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.injected
}

// hit counts a call of kind k (described by op) and reports whether it must
// fail, with the plan.
func (fi *faultInjector) hit(k faultKind, op fileOp) (faultPlan, bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	isMeta := op.kind == opWriteAt && op.off < int64(2*fi.pageSize)
	if !fi.armed || fi.fired || k != fi.plan.kind {
		fi.sawMeta = fi.sawMeta || isMeta
		return faultPlan{}, false
	}
	if fi.plan.metaOnly && !isMeta && !(k == faultSync && fi.sawMeta) {
		return faultPlan{}, false
	}
	fi.sawMeta = fi.sawMeta || isMeta
	fi.calls++
	if fi.calls != fi.plan.nth {
		return faultPlan{}, false
	}
	fi.fired, fi.failedOp = true, op
	fi.injected++
	return fi.plan, true
}

// file returns next wrapped so that its calls can fail.
func (fi *faultInjector) file(next dataFile) dataFile { return &failingFile{next: next, inj: fi} }

// mmap is a seams.mmap that fails when the plan says so.
func (fi *faultInjector) mmap(f *os.File, size int, flags int, writable bool) ([]byte, error) {
	if p, fail := fi.hit(faultMmap, fileOp{kind: opMmap}); fail {
		return nil, p.err
	}
	return mmap(f, size, flags, writable)
}

// failingFile passes every call to next except the one its injector fails.
type failingFile struct {
	next dataFile
	inj  *faultInjector
}

func (f *failingFile) ReadAt(b []byte, off int64) (int, error) { return f.next.ReadAt(b, off) }
func (f *failingFile) Stat() (os.FileInfo, error)              { return f.next.Stat() }

func (f *failingFile) WriteAt(b []byte, off int64) (int, error) {
	p, fail := f.inj.hit(faultWriteAt, fileOp{kind: opWriteAt, off: off, data: b})
	if !fail {
		return f.next.WriteAt(b, off)
	}
	land := p.land
	switch {
	case land == landAll || land > len(b):
		land = len(b)
	case land == landHalf:
		land = len(b) / 2 / 512 * 512
	}
	n := 0
	if land > 0 {
		n, _ = f.next.WriteAt(b[:land], off)
	}
	return n, p.err
}

func (f *failingFile) Truncate(size int64) error {
	if p, fail := f.inj.hit(faultTruncate, fileOp{kind: opTruncate, size: size}); fail {
		return p.err
	}
	return f.next.Truncate(size)
}

func (f *failingFile) Sync() error {
	if p, fail := f.inj.hit(faultSync, fileOp{kind: opSync}); fail {
		return p.err
	}
	return f.next.Sync()
}

func (f *failingFile) Datasync() error {
	if p, fail := f.inj.hit(faultSync, fileOp{kind: opDatasync}); fail {
		return p.err
	}
	return f.next.Datasync()
}

// TestFaultFS_RecordingFile_LogsInOrder pins what the power-cut test relies
// on: a new database's creation is logged as its pages, a sync, its metas
// and a sync; a commit that grows the file logs the truncate and its sync
// first and ends with the meta page write and its sync; and the log
// rebuilds the file byte for byte.
func TestFaultFS_RecordingFile_LogsInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	rec := &recordingFile{}
	db, err := open(path, 0o600, nil, &seams{wrap: rec.wrap})
	require.NoError(t, err)
	ps := db.pageSize

	init := rec.log()
	require.Len(t, init, 4, "creation: %v", init)
	require.Equal(t, opWriteAt, init[0].kind)
	require.Equal(t, int64(2*ps), init[0].off)
	require.Len(t, init[0].data, 2*ps)
	require.Equal(t, opDatasync, init[1].kind)
	require.Equal(t, opWriteAt, init[2].kind)
	require.Equal(t, int64(0), init[2].off)
	require.Len(t, init[2].data, 2*ps)
	require.Equal(t, opDatasync, init[3].kind)

	rec.setTag(1)
	require.NoError(t, db.Update(func(tx *Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), make([]byte, 40*1024)) // past the first 32 KiB
	}))
	var commit []fileOp
	for _, op := range rec.log() {
		if op.tag == 1 {
			commit = append(commit, op)
		}
	}
	if runtime.GOOS != "windows" { // where mapping the file grows it
		require.Equal(t, opTruncate, commit[0].kind, "commit: %v", commit)
		commit = commit[1:]
	}
	require.GreaterOrEqual(t, len(commit), 4, "commit: %v", commit)
	require.Equal(t, opSync, commit[0].kind, "commit: %v", commit)
	last := len(commit) - 1
	require.Equal(t, opDatasync, commit[last].kind, "commit: %v", commit)
	require.Equal(t, opWriteAt, commit[last-1].kind, "commit: %v", commit)
	require.Equal(t, int64(0), commit[last-1].off, "txid 2 writes meta page 0")
	require.Len(t, commit[last-1].data, ps)
	require.Equal(t, opDatasync, commit[last-2].kind, "data pages are synced before the meta: %v", commit)
	require.NoError(t, db.Close())

	var img []byte
	for _, op := range rec.log() {
		img = applyFileOp(img, op)
	}
	onDisk, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, len(onDisk), len(img))
	require.True(t, string(onDisk) == string(img), "the log does not rebuild the file")
}

// TestFaultFS_FailingFile_FailsNth checks that the injector fails exactly the
// call it was armed for, lets the chosen part of a failing write through,
// and passes everything else on.
func TestFaultFS_FailingFile_FailsNth(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer f.Close()
	inj := &faultInjector{pageSize: 4096}
	rec := &recordingFile{next: osFile{f}}
	df := inj.file(rec)

	inj.arm(faultPlan{kind: faultWriteAt, nth: 3, err: syscall.ENOSPC, land: 100})
	for i := 0; i < 2; i++ {
		_, err := df.WriteAt([]byte("abcd"), int64(8192+i*4))
		require.NoError(t, err)
	}
	require.NoError(t, df.Datasync(), "another kind of call must pass")
	n, err := df.WriteAt(make([]byte, 300), 9000)
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.Equal(t, 100, n)
	_, err = df.WriteAt([]byte("x"), 9500)
	require.NoError(t, err, "only one call fails")
	fired, op := inj.disarm()
	require.True(t, fired)
	require.Equal(t, int64(9000), op.off)
	require.Equal(t, 1, inj.count())

	inj.arm(faultPlan{kind: faultSync, nth: 1, err: syscall.EIO, metaOnly: true})
	require.NoError(t, df.Sync(), "no meta page written yet")
	_, err = df.WriteAt(make([]byte, 4096), 4096)
	require.NoError(t, err)
	require.ErrorIs(t, df.Datasync(), syscall.EIO)
	inj.arm(faultPlan{kind: faultTruncate, nth: 1, err: syscall.EIO})
	require.ErrorIs(t, df.Truncate(1<<20), syscall.EIO)
	inj.arm(faultPlan{kind: faultMmap, nth: 1, err: syscall.ENOSPC})
	_, err = inj.mmap(f, 4096, 0, false)
	require.ErrorIs(t, err, syscall.ENOSPC)
	inj.disarm()
	require.Equal(t, 4, inj.count())

	log := rec.log()
	var kinds []fileOpKind
	for _, op := range log {
		kinds = append(kinds, op.kind)
	}
	require.Equal(t, []fileOpKind{opWriteAt, opWriteAt, opDatasync, opWriteAt, opWriteAt, opSync, opWriteAt}, kinds)
	require.Len(t, log[3].data, 100, "the landed part of the failed write is recorded")
	info, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, int64(9500+1), info.Size(), "the failed truncate must not reach the file")
}

// scratchDir returns a temporary directory removed at cleanup, in memory
// (/dev/shm) where there is one. The tests that use it simulate or inject
// what syncs do and need none from the disk, and the thousands they make
// would dominate their time on a real one.
func scratchDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "linux" {
		if dir, err := os.MkdirTemp("/dev/shm", "bolt-test-"); err == nil {
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// applyFileOp applies a recorded call to a file image and returns the image.
func applyFileOp(img []byte, op fileOp) []byte {
	switch op.kind {
	case opWriteAt:
		return writeImage(img, op.off, op.data)
	case opTruncate:
		return resizeImage(img, op.size)
	}
	return img
}

// writeImage writes data at off into img, extending it as a file would.
func writeImage(img []byte, off int64, data []byte) []byte {
	if end := off + int64(len(data)); end > int64(len(img)) {
		img = resizeImage(img, end)
	}
	copy(img[off:], data)
	return img
}

// resizeImage sets the length of img, zero-filling any new bytes.
func resizeImage(img []byte, size int64) []byte {
	if size <= int64(len(img)) {
		return img[:size]
	}
	if size <= int64(cap(img)) {
		old := len(img)
		img = img[:size]
		clear(img[old:])
		return img
	}
	grown := make([]byte, size, size+size/2)
	copy(grown, img)
	return grown
}
