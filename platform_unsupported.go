//go:build !aix && !darwin && !dragonfly && !freebsd && !linux && !netbsd && !openbsd && !solaris && !windows

package bolt

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

// This file stands in for the platform layer on systems bolt does not run on
// (plan9, js, wasip1, ...): the package still builds, so programs that only
// link it compile, and Open fails with a clear error instead.

// errPlatform is the error every platform function returns here.
func errPlatform() error {
	return fmt.Errorf("bolt: not supported on %s/%s", runtime.GOOS, runtime.GOARCH)
}

func flock(f *os.File, exclusive bool, timeout time.Duration) error { return errPlatform() }

func funlock(f *os.File) error { return errPlatform() }

func mmap(f *os.File, size int, flags int, writable bool) ([]byte, error) {
	return nil, errPlatform()
}

func munmap(b []byte) error { return errPlatform() }

func fdatasync(f *os.File) error { return errPlatform() }

func mlock(b []byte) error { return errPlatform() }

func munlock(b []byte) error { return errPlatform() }

func adviseWillNeed(b []byte) {}

func pageResident(b []byte) bool { return true }
