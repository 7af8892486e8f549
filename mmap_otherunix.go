//go:build aix || darwin || dragonfly || freebsd || netbsd || openbsd || solaris

package bolt

// pageResident says every page is resident on the Unix systems other than
// Linux: x/sys offers no mincore there, and without it read-ahead could not
// keep scans of a warm file free of system calls, so it stays off (the
// mapping's MADV_RANDOM alone, as bbolt).
func pageResident(b []byte) bool { return true }
