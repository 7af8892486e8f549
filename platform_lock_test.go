//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows

package bolt

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	berrors "github.com/boltkv/bolt/errors"
)

// These tests lock one file through two handles in the same process. flock(2)
// and LockFileEx locks belong to the handle, so the handles exclude each
// other; aix and solaris use process-wide record locks and are covered by
// TestFlock_OtherProcess instead.

func TestFlock_ExclusiveTwice_TimesOut(t *testing.T) {
	path, f1, _ := patternFile(t, 4096)
	f2 := openRW(t, path)
	require.NoError(t, flock(f1, true, 0))

	start := time.Now()
	err := flock(f2, true, 100*time.Millisecond)
	elapsed := time.Since(start)
	require.True(t, errors.Is(err, berrors.ErrTimeout), "got %v", err)
	require.GreaterOrEqual(t, elapsed, lockRetryInterval, "gave up before one retry interval")
	require.Less(t, elapsed, 2*time.Second)
}

func TestFlock_NegativeTimeout_FailsAtOnce(t *testing.T) {
	path, f1, _ := patternFile(t, 4096)
	f2 := openRW(t, path)
	require.NoError(t, flock(f1, false, 0))

	start := time.Now()
	err := flock(f2, true, -1)
	require.True(t, errors.Is(err, berrors.ErrTimeout), "got %v", err)
	require.Less(t, time.Since(start), lockRetryInterval, "slept before failing")
}

func TestFlock_Funlock_HandsOver(t *testing.T) {
	path, f1, _ := patternFile(t, 4096)
	f2 := openRW(t, path)
	require.NoError(t, flock(f1, true, 0))
	require.True(t, errors.Is(flock(f2, false, -1), berrors.ErrTimeout))

	require.NoError(t, funlock(f1))
	require.NoError(t, flock(f2, true, -1))
	require.NoError(t, funlock(f2))
}

func TestFlock_WaitsForRelease(t *testing.T) {
	path, f1, _ := patternFile(t, 4096)
	f2 := openRW(t, path)
	require.NoError(t, flock(f1, true, 0))

	released := make(chan error, 1)
	time.AfterFunc(120*time.Millisecond, func() { released <- funlock(f1) })
	require.NoError(t, flock(f2, true, 0), "timeout 0 must wait until the holder lets go")
	require.NoError(t, <-released)
	require.NoError(t, funlock(f2))
}
