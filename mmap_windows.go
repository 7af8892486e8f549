package bolt

import (
	"errors"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// lockOffset places the lock on the last byte of the largest possible file
// (offset 2^64-1, given as two 32-bit halves). Windows locks are mandatory, so
// locking a byte that holds data would make ReadFile on it fail; no data byte
// can ever sit there. bbolt locks the same byte, so the two exclude each other.
const lockOffset = 0xFFFFFFFF

// flock locks one byte of the data file with LockFileEx: exclusively for a
// writable DB, shared for a read-only one. Locks are per handle, so a second
// open of the same path in this process is excluded too. See retryLock for
// the timeout rule; other errors are returned unchanged.
func flock(f *os.File, exclusive bool, timeout time.Duration) error {
	var how uint32 = windows.LOCKFILE_FAIL_IMMEDIATELY
	if exclusive {
		how |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	h := windows.Handle(f.Fd())
	return retryLock(timeout,
		func() error {
			ol := windows.Overlapped{Offset: lockOffset, OffsetHigh: lockOffset}
			return windows.LockFileEx(h, how, 0, 1, 0, &ol)
		},
		func(err error) bool { return errors.Is(err, windows.ERROR_LOCK_VIOLATION) })
}

// funlock releases the byte locked by flock.
func funlock(f *os.File) error {
	ol := windows.Overlapped{Offset: lockOffset, OffsetHigh: lockOffset}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}

// mmap maps f read-only. A Windows mapping cannot extend past the end of its
// file, so a writable DB first grows the file to size; the file therefore
// grows in the same steps as the mapping. A read-only DB may not grow the
// file, so it maps the whole file and returns min(size, file size) bytes.
// flags has no Windows equivalent and is ignored.
//
// The view shares pages with the file cache, so data written with WriteFile
// is visible through it at once.
func mmap(f *os.File, size int, flags int, writable bool) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// hi and lo give the mapping's size; 0, 0 means "the whole file".
	var hi, lo uint32
	length := size
	if writable {
		if fi.Size() < int64(size) {
			if err := f.Truncate(int64(size)); err != nil {
				return nil, err
			}
		}
		hi, lo = uint32(uint64(size)>>32), uint32(size)
	} else if fi.Size() < int64(size) {
		length = int(fi.Size())
	}

	m, err := windows.CreateFileMapping(windows.Handle(f.Fd()), nil, windows.PAGE_READONLY, hi, lo, nil)
	if err != nil {
		return nil, os.NewSyscallError("CreateFileMapping", err)
	}
	// The view keeps the section alive by itself, so the handle can go now.
	defer windows.CloseHandle(m)

	addr, err := windows.MapViewOfFile(m, windows.FILE_MAP_READ, 0, 0, uintptr(length))
	if err != nil {
		return nil, os.NewSyscallError("MapViewOfFile", err)
	}
	return unsafe.Slice((*byte)(unsafe.Add(nil, addr)), length), nil
}

// munmap releases a view made by mmap. b must be the slice mmap returned.
func munmap(b []byte) error {
	if err := windows.UnmapViewOfFile(uintptr(unsafe.Pointer(&b[0]))); err != nil {
		return os.NewSyscallError("UnmapViewOfFile", err)
	}
	return nil
}

// fdatasync makes the file durable with FlushFileBuffers (f.Sync): Windows has
// no data-only variant.
func fdatasync(f *os.File) error {
	return f.Sync()
}

// errMlockUnsupported is returned by mlock and munlock on Windows. bbolt
// panics instead; an error lets Open fail cleanly when Options.Mlock is set.
var errMlockUnsupported = errors.New("bolt: mlock is supported only on UNIX systems")

// mlock is not implemented on Windows: see errMlockUnsupported.
func mlock(b []byte) error { return errMlockUnsupported }

// munlock is not implemented on Windows: see errMlockUnsupported.
func munlock(b []byte) error { return errMlockUnsupported }
