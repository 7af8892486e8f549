//go:build aix || solaris

package bolt

import (
	"errors"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// flock takes a POSIX record lock over the whole data file: a write lock for
// a writable DB, a read lock for a read-only one. bbolt locks with fcntl on
// these systems, and flock(2) locks, where they exist, do not conflict with
// fcntl ones, so only the same kind of lock keeps bolt and bbolt processes
// out of each other's way.
//
// Record locks belong to the process, not to the open file: a second open of
// the same path in this process is not excluded, and closing any descriptor
// of the file drops the lock. See retryLock for the timeout rule.
func flock(f *os.File, exclusive bool, timeout time.Duration) error {
	lk := unix.Flock_t{Type: unix.F_RDLCK, Whence: io.SeekStart}
	if exclusive {
		lk.Type = unix.F_WRLCK
	}
	fd := f.Fd()
	return retryLock(timeout,
		func() error { return unix.FcntlFlock(fd, unix.F_SETLK, &lk) },
		func(err error) bool { return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) })
}

// funlock releases the whole-file record lock taken by flock.
func funlock(f *os.File) error {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: io.SeekStart}
	return unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
}
