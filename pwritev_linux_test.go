package bolt

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestOSFile_WritevAt writes buffers end to end through pwritev, over
// existing bytes and past the end of the file, and reads them back.
func TestOSFile_WritevAt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte{'.'}, 10), 0o600))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()

	var w dataFile = osFile{f}
	vw, ok := w.(vectorWriter)
	require.True(t, ok, "on Linux the real file writes runs with pwritev")
	require.NoError(t, vw.writevAt([][]byte{[]byte("abc"), []byte("defg"), bytes.Repeat([]byte{'z'}, 1<<20)}, 4))

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want := append([]byte("....abcdefg"), bytes.Repeat([]byte{'z'}, 1<<20)...)
	require.Equal(t, want, got)

	require.NoError(t, f.Close())
	err = vw.writevAt([][]byte{[]byte("x")}, 0)
	require.Error(t, err, "a closed file is an error, not a panic")
}

// TestWritePages_AppendsCachedInBasePages: the pages a commit appends in
// runs are cached as base pages, not as one large folio per run (writePages
// says why). The test reads the flags of the cached pages through a mapping
// (/proc/self/pagemap and /proc/kpageflags, readable by root only). A
// control file, written by one pwritev without cacheBasePages, tells
// whether this kernel and file system build large folios at all; where
// they do not, the two cases cannot be told apart.
func TestWritePages_AppendsCachedInBasePages(t *testing.T) {
	dir := t.TempDir()
	ctl, err := os.OpenFile(filepath.Join(dir, "control"), os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer ctl.Close()
	require.NoError(t, ctl.Truncate(1<<20))
	bufs := make([][]byte, 16)
	for i := range bufs {
		bufs[i] = bytes.Repeat([]byte{byte(i + 1)}, 4096)
	}
	require.NoError(t, osFile{ctl}.writevAt(bufs, 0))
	flags := cachedPageFlags(t, ctl, 0, len(bufs))
	if flags == nil {
		t.Skip("page frame numbers are hidden: reading page flags needs root")
	}
	if compound(flags) == 0 {
		t.Skip("a 64 KiB pwritev is cached in base pages here: nothing to tell apart")
	}

	db, err := Open(filepath.Join(dir, "db"), 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	putKeys(t, db, 0, 1, zeros(32))
	before := db.meta.pgid
	putKeys(t, db, 1, 12000, zeros(32)) // about 120 new leaves, in runs
	after := db.meta.pgid
	require.Greater(t, after-before, Pgid(100))
	flags = cachedPageFlags(t, db.file.(osFile).File, int64(before)*int64(db.pageSize), int(after-before))
	require.NotNil(t, flags)
	require.Zero(t, compound(flags), "of %d appended pages, some are cached in large folios", len(flags))
}

// cachedPageFlags maps n pages of f from off, reads each (caching it), and
// returns their /proc/kpageflags words, or nil when the page frame numbers
// are hidden (not root).
func cachedPageFlags(t *testing.T, f *os.File, off int64, n int) []uint64 {
	t.Helper()
	ps := os.Getpagesize()
	m, err := unix.Mmap(int(f.Fd()), off, n*ps, unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer unix.Munmap(m)
	pagemap, err := os.Open("/proc/self/pagemap")
	require.NoError(t, err)
	defer pagemap.Close()
	kflags, err := os.Open("/proc/kpageflags")
	if err != nil {
		return nil
	}
	defer kflags.Close()
	flags := make([]uint64, n)
	var word [8]byte
	for i := range flags {
		pageSink += m[i*ps] // fault the page in, so that pagemap has its frame
		addr := uintptr(unsafe.Pointer(&m[i*ps]))
		_, err := pagemap.ReadAt(word[:], int64(addr/uintptr(ps)*8))
		require.NoError(t, err)
		pfn := binary.LittleEndian.Uint64(word[:]) & (1<<55 - 1)
		if pfn == 0 {
			return nil
		}
		_, err = kflags.ReadAt(word[:], int64(pfn*8))
		require.NoError(t, err)
		flags[i] = binary.LittleEndian.Uint64(word[:])
	}
	return flags
}

// pageSink keeps cachedPageFlags's reads of the mapping from being
// optimized away.
var pageSink byte

// compound counts the page flags words that mark a page of a large folio
// (KPF_COMPOUND_HEAD, KPF_COMPOUND_TAIL).
func compound(flags []uint64) int {
	n := 0
	for _, f := range flags {
		if f&(1<<15|1<<16) != 0 {
			n++
		}
	}
	return n
}
