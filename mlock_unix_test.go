//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package bolt_test

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	bolt "github.com/boltkv/bolt"
)

// Options.Mlock locks what bbolt locks: the file's size, not the mapping,
// which is larger (and whose pages past the end of the file cannot be
// locked at all). bbolt's TestMlock_DbOpen and TestMlock_DbCanGrow_Small,
// rewritten here, failed with "mlock error: cannot allocate memory" when
// the whole mapping was locked, whatever RLIMIT_MEMLOCK.

// requireMemlockLimit skips the test, as bbolt's do, when RLIMIT_MEMLOCK is
// below want (the default is 8 MiB).
func requireMemlockLimit(t *testing.T, want uint64) {
	t.Helper()
	var lim unix.Rlimit
	require.NoError(t, unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim))
	if uint64(lim.Cur) < want {
		t.Skipf("RLIMIT_MEMLOCK %d is below the %d bytes bbolt's test asks for", lim.Cur, want)
	}
}

// lockedBytes returns the process's locked memory (VmLck) on Linux, and
// false elsewhere.
func lockedBytes(t *testing.T) (int64, bool) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return 0, false
	}
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmLck:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			require.NoError(t, err)
			return kb << 10, true
		}
	}
	require.NoError(t, s.Err())
	return 0, false
}

// requireLockedFileSize checks, on Linux, that the memory locked beyond
// base covers every page in use (the high-water mark) and nothing past the
// end of the file. (Between the two lie pages the file was grown by ahead
// of use; they are locked once the mapping reaches them.)
func requireLockedFileSize(t *testing.T, db *testDB, base int64) {
	t.Helper()
	got, ok := lockedBytes(t)
	if !ok {
		return
	}
	var inUse int64
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		inUse = tx.Size()
		return nil
	}))
	require.GreaterOrEqual(t, got-base, inUse, "locked bytes")
	require.LessOrEqual(t, got-base, fileSize(t, db.path), "locked bytes")
}

func TestMlock_DbOpen(t *testing.T) {
	requireMemlockLimit(t, 32<<10)
	base, _ := lockedBytes(t)
	db := mustOpenDB(t, &bolt.Options{Mlock: true})
	requireLockedFileSize(t, db, base)
	if got, ok := lockedBytes(t); ok {
		require.Equal(t, fileSize(t, db.path), got-base, "a new file is locked whole, its mapping is not")
	}
}

func TestMlock_DbCanGrow_Small(t *testing.T) {
	requireMemlockLimit(t, 32<<10)
	base, _ := lockedBytes(t)
	db := mustOpenDB(t, &bolt.Options{Mlock: true})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("bucket"))
		if err != nil {
			return err
		}
		return b.Put([]byte("key"), []byte("value"))
	}))
	requireLockedFileSize(t, db, base)
}

// TestMlock_LockFollowsFileSize grows a file through several remappings
// (32 KiB to a few MiB, below AllocSize, where the file is as large as the
// mapping): after each commit exactly the file is locked, old mappings held
// by a reader are not, and Close unlocks everything.
func TestMlock_LockFollowsFileSize(t *testing.T) {
	requireMemlockLimit(t, 8<<20)
	base, _ := lockedBytes(t)
	db := mustOpenDB(t, &bolt.Options{Mlock: true, NoSync: true})
	reader, err := db.Begin(false)
	require.NoError(t, err)
	value := make([]byte, 20<<10)
	for i := 0; i < 40; i++ {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte(fmt.Sprint(i)), value)
		}))
		requireLockedFileSize(t, db, base)
	}
	require.Greater(t, fileSize(t, db.path), int64(1<<20))
	require.Less(t, fileSize(t, db.path), int64(bolt.DefaultAllocSize))
	require.NoError(t, reader.Rollback())
	db.MustClose()
	if got, ok := lockedBytes(t); ok {
		require.Equal(t, base, got, "Close unlocks")
	}

	// A read-only DB locks its file too.
	ro := mustOpenDBAt(t, db.path, &bolt.Options{Mlock: true, ReadOnly: true})
	requireLockedFileSize(t, ro, base)
}
