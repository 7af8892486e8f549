//go:build windows

package bolt

import "errors"

// mlock is not implemented on Windows: see errMlockUnsupported.
func mlock(b []byte) error { return errMlockUnsupported }

// munlock is not implemented on Windows: see errMlockUnsupported.
func munlock(b []byte) error { return errMlockUnsupported }

// errMlockUnsupported is returned by mlock and munlock on Windows. bbolt
// panics instead; an error lets Open fail cleanly when Options.Mlock is set.
var errMlockUnsupported = errors.New("bolt: mlock is supported only on UNIX systems")
