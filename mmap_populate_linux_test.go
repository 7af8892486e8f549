package bolt_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	bolt "github.com/boltkv/bolt"
)

// evictFile syncs path and drops its pages from the page cache, and returns
// the fraction of them still resident afterwards.
func evictFile(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, f.Sync())
	require.NoError(t, unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED))
	return residentFraction(t, path)
}

// residentFraction is the fraction of path's pages in the page cache, read
// with mincore through a mapping of its own (which faults nothing in).
func residentFraction(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	require.NoError(t, err)
	defer func() { require.NoError(t, unix.Munmap(data)) }()
	ps := os.Getpagesize()
	vec := make([]byte, (len(data)+ps-1)/ps)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0])))
	require.Zero(t, errno, "mincore")
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return float64(n) / float64(len(vec))
}

// TestOpen_MmapFlagsPopulate checks that Options.MmapFlags reaches the
// mapping, as etcd relies on: etcd opens its backend with MAP_POPULATE so
// that the whole file is read at Open instead of page by page later. On a
// file evicted from the page cache, a read-only Open without the flag reads
// little of it; with MAP_POPULATE the whole file is resident when Open
// returns, and stays so after a writable Open whose commits grow the file
// past its first mapping (the remap passes the flag again).
func TestOpen_MmapFlagsPopulate(t *testing.T) {
	if underQEMUUser() {
		// qemu user mode maps guest memory itself and does not pass
		// MAP_POPULATE on to the host (seen with qemu-aarch64).
		t.Skip("qemu user mode does not honour MAP_POPULATE")
	}
	path := filepath.Join(t.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	val := bytes.Repeat([]byte{'v'}, 4000)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 2000; i++ { // ~8 MiB, in overflow pages
			if err := b.Put(binary.BigEndian.AppendUint32(nil, uint32(i)), val); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())

	if got := evictFile(t, path); got > 0.05 {
		t.Skipf("the page cache keeps this file after POSIX_FADV_DONTNEED (%.0f%% resident; tmpfs?): residency cannot be told apart here", 100*got)
	}
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	without := residentFraction(t, path)
	require.NoError(t, db.Close())
	require.Less(t, without, 0.5, "a read-only Open without MAP_POPULATE reads the meta pages, not the file")

	evictFile(t, path)
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, MmapFlags: unix.MAP_POPULATE})
	require.NoError(t, err)
	require.Equal(t, 1.0, residentFraction(t, path), "MAP_POPULATE reads the whole file at Open")
	require.NoError(t, db.Close())

	// Growth: a writable DB with MAP_POPULATE whose file outgrows the first
	// mapping (32 MiB for this file) is remapped with the flag, and its
	// data reads back.
	evictFile(t, path)
	db, err = bolt.Open(path, 0o600, &bolt.Options{NoSync: true, MmapFlags: unix.MAP_POPULATE})
	require.NoError(t, err)
	require.Equal(t, 1.0, residentFraction(t, path))
	for round := 0; round < 4; round++ {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("b"))
			for i := 0; i < 2000; i++ {
				if err := b.Put(binary.BigEndian.AppendUint32([]byte{byte(round + 1)}, uint32(i)), val); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Greater(t, fi.Size(), int64(32<<20), "the file outgrew its first mapping")
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Equal(t, 5*2000, tx.Bucket([]byte("b")).Stats().KeyN)
		return nil
	}))
	require.NoError(t, db.Close())
}
