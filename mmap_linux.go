package bolt

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// pageResident reports whether the first page of b, a part of a mapping
// that begins on an OS page boundary, is in the page cache (mincore). Read-
// ahead asks it before advising, so that scans of a warm file make no
// madvise calls. When it cannot tell (an error), it says no: advising a
// resident page costs a system call, never a wrong read.
func pageResident(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	var vec [1]byte
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), 1, uintptr(unsafe.Pointer(&vec[0])))
	return errno == 0 && vec[0]&1 != 0
}
