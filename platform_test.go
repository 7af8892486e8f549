//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows

package bolt

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	berrors "github.com/boltkv/bolt/errors"
)

// patternFile creates a file in a fresh temp dir holding n bytes of a known,
// non-repeating-per-page pattern, and returns its path, an open read-write
// handle (closed by cleanup) and the bytes written.
func patternFile(t testing.TB, n int) (string, *os.File, []byte) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i % 251)
	}
	path := filepath.Join(t.TempDir(), "db")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path, openRW(t, path), data
}

// openRW opens path read-write; cleanup closes it.
func openRW(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// mustMmap maps size bytes of f; cleanup unmaps (before the file is closed).
func mustMmap(t testing.TB, f *os.File, size int, writable bool) []byte {
	t.Helper()
	b, err := mmap(f, size, 0, writable)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, munmap(b)) })
	return b
}

func TestMmap_ReturnsFileBytes(t *testing.T) {
	size := 3 * os.Getpagesize()
	for _, writable := range []bool{false, true} {
		_, f, data := patternFile(t, size)
		b := mustMmap(t, f, size, writable)
		require.Len(t, b, size)
		require.True(t, bytes.Equal(data, b), "mapping (writable=%v) differs from the file", writable)
	}
}

func TestMmap_SeesWriteAt(t *testing.T) {
	size := 2 * os.Getpagesize()
	_, f, _ := patternFile(t, size)
	b := mustMmap(t, f, size, false)

	msg := []byte("written after mapping")
	off := int64(os.Getpagesize() + 100)
	_, err := f.WriteAt(msg, off)
	require.NoError(t, err)
	require.Equal(t, msg, b[off:off+int64(len(msg))])
}

func TestFdatasync_File(t *testing.T) {
	_, f, _ := patternFile(t, 4096)
	_, err := f.WriteAt([]byte("dirty"), 10)
	require.NoError(t, err)
	require.NoError(t, fdatasync(f))
}

func TestFlock_SharedTwice(t *testing.T) {
	path, f1, _ := patternFile(t, 4096)
	f2 := openRW(t, path)
	require.NoError(t, flock(f1, false, 100*time.Millisecond))
	require.NoError(t, flock(f2, false, 100*time.Millisecond))
	require.NoError(t, funlock(f1))
	require.NoError(t, funlock(f2))
}

// lockHelperEnv, when set in the environment, makes TestFlock_OtherProcess
// act as the child: it tries to lock the file named by the variable and
// reports the outcome in its exit status.
const (
	lockHelperEnv       = "BOLT_TEST_LOCK_HELPER"
	lockHelperExclusive = "BOLT_TEST_LOCK_HELPER_EXCLUSIVE"

	lockHelperLocked  = 0
	lockHelperTimeout = 3
	lockHelperFailed  = 4
)

// TestFlock_OtherProcess checks the lock against another process, which is
// what it exists for; on aix and solaris (record locks) it is the only kind
// of exclusion there is.
func TestFlock_OtherProcess(t *testing.T) {
	if path := os.Getenv(lockHelperEnv); path != "" {
		runLockHelper(path, os.Getenv(lockHelperExclusive) != "")
		return
	}
	if os.Getenv(noReexecEnv) != "" {
		t.Skip(noReexecEnv + " is set: this test binary cannot be re-executed here, and the test needs a second process")
	}

	tests := []struct {
		name                  string
		parentExcl, childExcl bool
		want                  int
	}{
		{"exclusive/exclusive", true, true, lockHelperTimeout},
		{"exclusive/shared", true, false, lockHelperTimeout},
		{"shared/exclusive", false, true, lockHelperTimeout},
		{"shared/shared", false, false, lockHelperLocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, f, _ := patternFile(t, 4096)
			require.NoError(t, flock(f, tt.parentExcl, 0))
			require.Equal(t, tt.want, lockInChild(t, path, tt.childExcl))

			require.NoError(t, funlock(f))
			require.Equal(t, lockHelperLocked, lockInChild(t, path, tt.childExcl),
				"lock still held after funlock")
		})
	}
}

// lockInChild runs this test binary as a lock helper on path and returns its
// exit status.
func lockInChild(t *testing.T, path string, exclusive bool) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFlock_OtherProcess$", "-test.count=1")
	// Under -race a process sleeps a second before it exits (the detector's
	// atexit_sleep_ms); the helper has nothing to report, so skip the wait.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path, "GORACE="+race)
	if exclusive {
		cmd.Env = append(cmd.Env, lockHelperExclusive+"=1")
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		require.NotEqual(t, lockHelperFailed, exit.ExitCode(), "helper: %s", out)
		return exit.ExitCode()
	}
	require.NoError(t, err, "helper: %s", out)
	return lockHelperLocked
}

// runLockHelper is the child side of lockInChild. It exits without running
// any test cleanup: the lock dies with the process.
func runLockHelper(path string, exclusive bool) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		err = flock(f, exclusive, 100*time.Millisecond)
	}
	switch {
	case err == nil:
		os.Exit(lockHelperLocked)
	case errors.Is(err, berrors.ErrTimeout):
		os.Exit(lockHelperTimeout)
	default:
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(lockHelperFailed)
	}
}
