//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package bolt

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestMlock_SmallMapping(t *testing.T) {
	size := 2 * os.Getpagesize()
	_, f, _ := patternFile(t, size)
	b := mustMmap(t, f, size, false)

	err := mlock(b)
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOMEM) {
		t.Skipf("mlock refused by RLIMIT_MEMLOCK or privileges: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, munlock(b))
}

// Beyond the file's end a unix mapping still has the requested length
// (touching those pages would fault); the file itself is not changed.
func TestMmap_LongerThanFile(t *testing.T) {
	page := os.Getpagesize()
	path, f, _ := patternFile(t, page)
	b := mustMmap(t, f, 4*page, true)
	require.Len(t, b, 4*page)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.EqualValues(t, page, fi.Size())
}
