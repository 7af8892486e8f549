//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package bolt

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mmap maps the first size bytes of f read-only. The mapping is shared, so
// that pages written through the file descriptor are visible through it at
// once: bolt writes with pwrite and reads through the map. flags is OR-ed in
// (Options.MmapFlags, e.g. MAP_POPULATE). writable is unused here; only
// Windows needs it. The returned slice is exactly size bytes long.
//
// The mapping is advised MADV_RANDOM, so that a page fault reads the one
// page it needs. Scans do not pay for it: they ask for the pages ahead of
// them with adviseWillNeed (readahead.go). MADV_NORMAL was measured against
// it on Linux 6.18 (ext4, virtio disk, read_ahead_kb 8192) in a memory
// cgroup of 256 MiB over a 1 GiB file, touching pages through a fresh
// mapping after posix_fadvise(DONTNEED):
//
//	20,000 random pages:            RANDOM 11,000-18,000 pages/s, 75 MiB read
//	                                NORMAL 154-162 pages/s, 111 GiB read
//	random pages, 90% in a 64 MiB   RANDOM 109,000-128,000 pages/s, 16.7k
//	hot set, 10% anywhere:            faults per 200k (the cold misses alone)
//	                                NORMAL 949 pages/s, 6.2 GiB read per 10k
//
// NORMAL's read-around (read_ahead_kb around every fault) thrashes as soon
// as the file outgrows memory, and MADV_RANDOM kept the hot set resident
// (on this kernel a page referenced only through a MADV_RANDOM mapping still
// returns to the active list on refault), so RANDOM stays. A kernel without
// madvise (ENOSYS) is fine; any other failure unmaps again and is returned.
func mmap(f *os.File, size int, flags int, writable bool) ([]byte, error) {
	b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED|flags)
	if err != nil {
		return nil, err
	}
	if err := unix.Madvise(b, unix.MADV_RANDOM); err != nil && !errors.Is(err, unix.ENOSYS) {
		_ = unix.Munmap(b)
		return nil, fmt.Errorf("madvise: %w", err)
	}
	return b, nil
}

// adviseWillNeed asks the kernel to start reading b, a part of a mapping
// that begins on an OS page boundary, into the page cache without waiting
// for it (MADV_WILLNEED on a file mapping starts asynchronous read-ahead of
// exactly that range, whatever the mapping's own advice). It is a hint:
// errors are ignored.
func adviseWillNeed(b []byte) { _ = unix.Madvise(b, unix.MADV_WILLNEED) }

// munmap releases a mapping made by mmap. b must be the whole slice mmap
// returned; nothing may read from it afterwards.
func munmap(b []byte) error {
	return unix.Munmap(b)
}

// mlock pins the pages of b, a part of the mapping, in RAM so that reads
// never wait on the disk. It fails with EPERM or ENOMEM when RLIMIT_MEMLOCK
// is too small.
func mlock(b []byte) error {
	return unix.Mlock(b)
}

// munlock undoes mlock on the same part of the mapping.
func munlock(b []byte) error {
	return unix.Munlock(b)
}
