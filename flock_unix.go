//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package bolt

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// flock takes the advisory lock on the data file: exclusive for a writable DB
// so that no other process (or other DB in this process) writes it, shared for
// a read-only one so that readers may share the file but not with a writer.
// flock(2) locks belong to the open file description, so two opens of the
// same path in one process exclude each other, as they must. See retryLock
// for the timeout rule; other errors are returned unchanged.
func flock(f *os.File, exclusive bool, timeout time.Duration) error {
	how := unix.LOCK_SH | unix.LOCK_NB
	if exclusive {
		how = unix.LOCK_EX | unix.LOCK_NB
	}
	fd := int(f.Fd())
	return retryLock(timeout,
		func() error { return unix.Flock(fd, how) },
		func(err error) bool { return errors.Is(err, unix.EWOULDBLOCK) })
}

// funlock releases the lock taken by flock. Closing the file would release
// it as well; unlocking first lets Close report an unlock failure.
func funlock(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
