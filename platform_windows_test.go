package bolt

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMlock_Unsupported(t *testing.T) {
	b := make([]byte, 16)
	require.True(t, errors.Is(mlock(b), errMlockUnsupported))
	require.True(t, errors.Is(munlock(b), errMlockUnsupported))
}

// A writable mapping grows the file to the mapping's size, because a Windows
// view cannot reach past the end of its file.
func TestMmap_WritableGrowsFile(t *testing.T) {
	page := os.Getpagesize()
	path, f, data := patternFile(t, page)
	b := mustMmap(t, f, 4*page, true)
	require.Len(t, b, 4*page)
	require.Equal(t, data, b[:page])

	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.EqualValues(t, 4*page, fi.Size())
}

// A read-only mapping may not grow the file, so it is as long as the file.
func TestMmap_ReadOnlyStopsAtFileEnd(t *testing.T) {
	page := os.Getpagesize()
	path, f, data := patternFile(t, page)
	b := mustMmap(t, f, 4*page, false)
	require.Equal(t, data, b)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.EqualValues(t, page, fi.Size())
}
