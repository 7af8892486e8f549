//go:build windows

package bolt

import (
	"errors"
	"os"
	"time"

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
