//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package bolt_test

import (
	"testing"

	"golang.org/x/sys/unix"
)

// reserveNoAccess maps n bytes of anonymous memory that may be neither read
// nor written, so it costs address space only, and unmaps it when t ends.
func reserveNoAccess(t *testing.T, n int) ([]byte, bool) {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_NONE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Logf("reserving %d bytes of address space: %v; allocating instead", n, err)
		return nil, false
	}
	t.Cleanup(func() { _ = unix.Munmap(b) })
	return b, true
}
