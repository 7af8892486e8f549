package bolt_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

func TestOptions_String(t *testing.T) {
	var nilOpts *bolt.Options
	require.Equal(t, "{}", nilOpts.String())

	require.Equal(t,
		"{Timeout: 0s, NoGrowSync: false, NoFreelistSync: false, PreLoadFreelist: false, FreelistType: , ReadOnly: false, MmapFlags: 0, InitialMmapSize: 0, PageSize: 0, MaxSize: 0, NoSync: false, OpenFile: 0x0, Mlock: false, Logger: %!p(<nil>), NoStatistics: false}",
		(&bolt.Options{}).String())

	logger := &bolt.DefaultLogger{}
	o := &bolt.Options{
		Timeout:         1500 * time.Millisecond,
		NoGrowSync:      true,
		NoFreelistSync:  true,
		PreLoadFreelist: true,
		FreelistType:    bolt.FreelistMapType,
		ReadOnly:        true,
		MmapFlags:       0x8000,
		InitialMmapSize: 1 << 20,
		PageSize:        16384,
		MaxSize:         1 << 30,
		NoSync:          true,
		OpenFile:        os.OpenFile,
		Mlock:           true,
		Logger:          logger,
		NoStatistics:    true,
	}
	require.Equal(t, fmt.Sprintf(
		"{Timeout: 1.5s, NoGrowSync: true, NoFreelistSync: true, PreLoadFreelist: true, FreelistType: hashmap, ReadOnly: true, MmapFlags: 8000, InitialMmapSize: 1048576, PageSize: 16384, MaxSize: 1073741824, NoSync: true, OpenFile: %p, Mlock: true, Logger: %p, NoStatistics: true}",
		os.OpenFile, logger), o.String())
}

func TestOptions_DefaultOptions(t *testing.T) {
	require.Equal(t, bolt.Options{Timeout: 0, NoGrowSync: false, FreelistType: bolt.FreelistArrayType}, *bolt.DefaultOptions)
	before := *bolt.DefaultOptions

	db := mustOpenDB(t, nil)
	require.False(t, db.NoGrowSync)
	require.False(t, db.NoSync)
	require.Equal(t, bolt.FreelistArrayType, db.FreelistType)
	require.True(t, db.PreLoadFreelist)
	require.Equal(t, os.Getpagesize(), db.Info().PageSize)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("b"))
		return err
	}))
	db.MustReopen()
	db.MustReopenWith(&bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType, PageSize: 8192})
	db.MustClose()

	require.Equal(t, before, *bolt.DefaultOptions, "nothing mutates DefaultOptions")
	require.Equal(t, "{}", (*bolt.Options)(nil).String())
}

func TestOptions_CopiedToDB(t *testing.T) {
	mmapFlags := 0
	if runtime.GOOS == "linux" {
		mmapFlags = 0x8000 // MAP_POPULATE
	}
	opts := &bolt.Options{
		NoSync:         true,
		NoGrowSync:     true,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		MmapFlags:      mmapFlags,
		MaxSize:        64 << 20,
	}
	saved := *opts
	db := mustOpenDB(t, opts)
	require.True(t, db.NoSync)
	require.True(t, db.NoGrowSync)
	require.True(t, db.NoFreelistSync)
	require.Equal(t, bolt.FreelistMapType, db.FreelistType)
	require.Equal(t, mmapFlags, db.MmapFlags)
	require.Equal(t, 64<<20, db.MaxSize)
	require.False(t, db.Mlock)
	require.True(t, db.PreLoadFreelist, "forced on for read-write opens")
	require.False(t, db.StrictMode)
	require.Equal(t, 1000, db.MaxBatchSize)
	require.Equal(t, 10*time.Millisecond, db.MaxBatchDelay)
	require.Equal(t, 16*1024*1024, db.AllocSize)
	require.False(t, db.IsReadOnly())
	require.Equal(t, saved, *opts, "Open does not modify the caller's options")
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}))
	db.MustClose()

	// Read-only: PreLoadFreelist is taken as given.
	for _, preload := range []bool{false, true} {
		ro := mustOpenDBAt(t, db.path, &bolt.Options{ReadOnly: true, PreLoadFreelist: preload})
		require.Equal(t, preload, ro.PreLoadFreelist)
		require.True(t, ro.IsReadOnly())
		require.Equal(t, 1000, ro.MaxBatchSize)
		ro.MustClose()
	}
}

// optionsFillUntilError puts valueSize-byte values, one per transaction, until a commit
// fails; it returns that error and the number of committed values.
func optionsFillUntilError(tb testing.TB, db *bolt.DB, valueSize, limit int) (int, error) {
	tb.Helper()
	for i := 0; i < limit; i++ {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("data"))
			if err != nil {
				return err
			}
			return b.Put(u64key(uint64(i)), patterned(valueSize, byte(i)))
		})
		if err != nil {
			return i, err
		}
	}
	return limit, nil
}

func TestOptions_MaxSize_LimitsGrowth(t *testing.T) {
	for _, noGrowSync := range []bool{false, true} {
		t.Run(fmt.Sprint("NoGrowSync=", noGrowSync), func(t *testing.T) {
			const maxSize = 1 << 20
			path := filepath.Join(t.TempDir(), "db")
			db := mustOpenDBAt(t, path, &bolt.Options{PageSize: 4096, MaxSize: maxSize, NoGrowSync: noGrowSync, NoSync: true})
			n, err := optionsFillUntilError(t, db.DB, 60000, 100)
			require.Equal(t, berrors.ErrMaxSizeReached, err, "after %d values", n)
			require.Greater(t, n, 5)
			require.LessOrEqual(t, fileSize(t, path), int64(maxSize))

			// The failed commit left everything in place; a small write (a
			// new inline bucket: one root leaf page and the freelist page,
			// both taken from the free list) works.
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("other"))
				if err != nil {
					return err
				}
				return b.Put([]byte("small"), []byte("v"))
			}))
			require.LessOrEqual(t, fileSize(t, path), int64(maxSize))
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("data"))
				for i := 0; i < n; i++ {
					require.Equal(t, patterned(60000, byte(i)), b.Get(u64key(uint64(i))), "value %d", i)
				}
				require.Nil(t, b.Get(u64key(uint64(n))), "the failed write is not visible")
				return nil
			}))
			mustCheck(t, db.DB)
			db.MustReopen()
			mustCheck(t, db.DB)
		})
	}
}

func TestOptions_MaxSize_ExistingLargerFileOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpenDBAt(t, path, &bolt.Options{NoSync: true})
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		require.NoError(t, err)
		for i := 0; i < 2000; i++ {
			require.NoError(t, b.Put(u64key(uint64(i)), patterned(1000, byte(i))))
		}
		return nil
	}))
	db.MustClose()
	size := fileSize(t, path)
	require.Greater(t, size, int64(1<<20))

	for _, opts := range []*bolt.Options{
		{MaxSize: 1},
		{MaxSize: 1, InitialMmapSize: 2 << 20},
		{MaxSize: 1, ReadOnly: true},
	} {
		db.MustReopenWith(opts)
		require.Equal(t, 1, db.MaxSize)
		require.NoError(t, db.View(func(tx *bolt.Tx) error {
			require.Equal(t, patterned(1000, 7), tx.Bucket([]byte("data")).Get(u64key(7)))
			return nil
		}))
		mustCheck(t, db.DB)
		db.MustClose()
		if runtime.GOOS != "windows" {
			require.Equal(t, size, fileSize(t, path), "opening with %s changed the file size", opts)
		}
	}
}

// A value that needs more than MaxSize fails even when the initial mapping
// is larger than MaxSize.
func TestOptions_MaxSize_HighInitialMmap(t *testing.T) {
	const maxSize = 4 << 20
	path := filepath.Join(t.TempDir(), "db")
	db := openHighInitialMmap(t, path, &bolt.Options{MaxSize: maxSize, InitialMmapSize: 2 * maxSize, NoSync: true})
	if db == nil {
		return // Windows: Open refused the mapping, as checked
	}
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		if err != nil {
			return err
		}
		return b.Put([]byte("large"), make([]byte, 5<<20))
	})
	require.Equal(t, berrors.ErrMaxSizeReached, err)
	require.LessOrEqual(t, fileSize(t, path), int64(maxSize))
	// A value that fits is accepted. (bbolt then grows the file to the
	// mapping size, 8 MiB here, past MaxSize: not pinned.)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		if err != nil {
			return err
		}
		return b.Put([]byte("fits"), make([]byte, 1<<20))
	}))
}

func TestOptions_MaxSize_Unlimited(t *testing.T) {
	for _, maxSize := range []int{0, -1} {
		path := filepath.Join(t.TempDir(), "db")
		db := mustOpenDBAt(t, path, &bolt.Options{MaxSize: maxSize, NoSync: true})
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("data"))
			if err != nil {
				return err
			}
			return b.Put([]byte("big"), make([]byte, 3<<20))
		}))
		require.Greater(t, fileSize(t, path), int64(3<<20))
	}
}

func TestOptions_InitialMmapSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpenDBAt(t, path, &bolt.Options{InitialMmapSize: 8 << 20, NoSync: true})
	if runtime.GOOS != "windows" {
		require.Less(t, fileSize(t, path), int64(8<<20), "mapping ahead does not grow the file")
	}
	// A reader held open across writes that outgrow the initial mapping.
	ro, err := db.Begin(false)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		if err != nil {
			return err
		}
		for i := 0; i < 100; i++ {
			if err := b.Put(u64key(uint64(i)), make([]byte, 10000)); err != nil {
				return err
			}
		}
		return nil
	}))
	require.Nil(t, ro.Bucket([]byte("data")), "the reader keeps its snapshot")
	require.NoError(t, ro.Rollback())
	db.MustReopenWith(&bolt.Options{InitialMmapSize: 1 << 10})
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Len(t, tx.Bucket([]byte("data")).Get(u64key(99)), 10000)
		return nil
	}))
}

func TestOptions_Mlock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("mlock is exercised on Linux")
	}
	path := filepath.Join(t.TempDir(), "db")
	// ENOMEM is not excused: it was the error of locking the whole
	// mapping, past the end of the file.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Mlock: true, NoSync: true})
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EAGAIN) {
		t.Skipf("mlock not permitted here: %v", err)
	}
	require.NoError(t, err)
	require.True(t, db.Mlock)
	// Grow the file so the locked range changes.
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("data"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), make([]byte, 200000))
	})
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EAGAIN) {
		require.NoError(t, db.Close())
		t.Skipf("mlock not permitted here: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, db.View(checkTx))
	require.NoError(t, db.Close())

	db, err = bolt.Open(path, 0o600, &bolt.Options{Mlock: true, ReadOnly: true})
	require.NoError(t, err)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Len(t, tx.Bucket([]byte("data")).Get([]byte("k")), 200000)
		return nil
	}))
	require.NoError(t, db.Close())
}

func TestOptions_Timeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	holder := mustOpenDBAt(t, path, nil)
	_ = holder

	start := time.Now()
	_, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: -1})
	require.Equal(t, berrors.ErrTimeout, err)
	require.Equal(t, "timeout", err.Error())
	require.Less(t, time.Since(start), time.Second, "a negative timeout fails at once")

	start = time.Now()
	_, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond})
	require.Equal(t, berrors.ErrTimeout, err)
	// bbolt gives up once less than its 50ms retry interval remains.
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	_, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: -1, ReadOnly: true})
	require.Equal(t, berrors.ErrTimeout, err, "a shared lock waits for the writer too")
}

func TestOptions_OpenFileIsUsed(t *testing.T) {
	var calls []string
	opts := &bolt.Options{OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
		calls = append(calls, name)
		return os.OpenFile(name, flag, mode)
	}}
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpenDBAt(t, path, opts)
	require.Equal(t, []string{path}, calls)

	boom := errors.New("refused")
	_, err := bolt.Open(filepath.Join(t.TempDir(), "other"), 0o600, &bolt.Options{
		OpenFile: func(string, int, os.FileMode) (*os.File, error) { return nil, boom },
	})
	require.ErrorIs(t, err, boom)
	db.MustClose()
}
