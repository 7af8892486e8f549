//go:build aix || darwin || dragonfly || freebsd || netbsd || openbsd || solaris

package bolt

import "os"

// fdatasync makes the file's data durable. These systems get a full fsync
// through f.Sync, which on darwin is fcntl(F_FULLFSYNC): plain fsync there
// leaves the data in the drive's cache.
func fdatasync(f *os.File) error {
	return f.Sync()
}
