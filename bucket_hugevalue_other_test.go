//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package bolt_test

import "testing"

// reserveNoAccess cannot reserve address space here: the caller allocates.
func reserveNoAccess(*testing.T, int) ([]byte, bool) { return nil, false }
