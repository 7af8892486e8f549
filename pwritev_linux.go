package bolt

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// writevAt writes bufs, which lie end to end in the file from off, with
// pwritev: one system call for a run of pages instead of one per page.
func (f osFile) writevAt(bufs [][]byte, off int64) error {
	rc, err := f.File.SyscallConn()
	if err != nil {
		return err
	}
	for len(bufs) > 0 {
		var n int
		var werr error
		if err := rc.Write(func(fd uintptr) bool {
			n, werr = unix.Pwritev(int(fd), bufs, off)
			return true
		}); err != nil {
			return err
		}
		switch {
		case werr == unix.EINTR:
			continue
		case werr != nil:
			return &os.PathError{Op: "pwritev", Path: f.Name(), Err: werr}
		case n == 0:
			return io.ErrShortWrite
		}
		off += int64(n)
		bufs = unwritten(bufs, n)
	}
	return nil
}

// cacheBasePages asks for read-ahead of [off, off+n) with FADV_WILLNEED.
// The kernel's forced read-ahead caches base (order-0) pages, and a hole
// reads as zeros without touching the disk; the pwritev that follows then
// fills those pages instead of building a folio as large as the run. Pages
// already cached are left as they are.
func (f osFile) cacheBasePages(off, n int64) {
	if rc, err := f.File.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _ = unix.Fadvise(int(fd), off, n, unix.FADV_WILLNEED) })
	}
}
