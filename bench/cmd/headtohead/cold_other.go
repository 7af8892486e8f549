//go:build !linux

package main

import (
	"fmt"
	"runtime"
)

var errColdPlatform = fmt.Errorf("cold rows need Linux, not %s", runtime.GOOS)

func evict(path string) error { return errColdPlatform }

func majorFaults() int64 { return 0 }

func readBytes() int64 { return 0 }

func newMemCgroup(limit int64) (string, func(), error) { return "", nil, errColdPlatform }

func joinCgroup(dir string) error { return errColdPlatform }
