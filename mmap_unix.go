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
// B+tree lookups touch pages in no particular order, so read-ahead would
// mostly fetch pages nobody asked for: the mapping is advised MADV_RANDOM.
// A kernel without madvise (ENOSYS) is fine; any other failure unmaps again
// and is returned.
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
