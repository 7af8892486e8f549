//go:build !linux

package main

import (
	"fmt"
	"runtime"
)

// evict is Linux-only: the cold restart needs posix_fadvise and mincore.
func evict(dir string) error {
	return fmt.Errorf("dropping files from the page cache is not supported on %s", runtime.GOOS)
}

// resident is Linux-only, as evict is.
func resident(path string) (float64, error) {
	return 0, fmt.Errorf("page cache residency is not supported on %s", runtime.GOOS)
}
