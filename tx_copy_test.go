package bolt_test

// Tests of Tx.WriteTo, Tx.Copy and Tx.CopyFile.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

var errInjected = errors.New("error injected for tests")

// failingWriter accepts limit bytes, then fails every write.
type failingWriter struct{ limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.limit {
		w.limit -= len(p)
		return len(p), nil
	}
	n := w.limit
	w.limit = 0
	return n, errInjected
}

func TestTx_WriteTo_Layout(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps})
	for i := 0; i < 2; i++ {
		mustUpdate(t, db, func(tx *bolt.Tx) {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			require.NoError(t, err)
			for j := 0; j < 200; j++ {
				require.NoError(t, b.Put(u64key(uint64(i*1000+j)), make([]byte, 100)))
			}
		})
	}
	mustView(t, db, func(tx *bolt.Tx) {
		require.Equal(t, 3, tx.ID())
		var buf bytes.Buffer
		n, err := tx.WriteTo(&buf)
		require.NoError(t, err)
		require.Equal(t, tx.Size(), n)
		require.Equal(t, int(tx.Size()), buf.Len())
		out := buf.Bytes()

		m0, m1 := readMeta(out[:ps]), readMeta(out[ps:2*ps])
		require.Equal(t, uint64(0), m0.ID)
		require.Equal(t, uint64(1), m1.ID)
		require.Equal(t, uint64(3), m0.Txid)
		require.Equal(t, uint64(2), m1.Txid)
		for _, m := range []metaFields{m0, m1} {
			require.Equal(t, uint16(pageFlagMt), m.Flags)
			require.Equal(t, uint64(tx.Size()/ps), m.Pgid)
			require.Equal(t, m0.Root, m.Root)
			require.Equal(t, m0.Freelist, m.Freelist)
		}
		require.Equal(t, metaChecksum(out[:ps]), m0.Checksum)
		require.Equal(t, metaChecksum(out[ps:2*ps]), m1.Checksum)

		file, err := os.ReadFile(db.path)
		require.NoError(t, err)
		require.True(t, bytes.Equal(file[2*ps:tx.Size()], out[2*ps:]), "data pages are copied verbatim")

		var viaCopy bytes.Buffer
		require.NoError(t, tx.Copy(&viaCopy))
		require.Equal(t, out, viaCopy.Bytes())
	})
}

func TestTx_WriteTo_WriterErrors(t *testing.T) {
	const ps = 4096
	db := mustOpenDB(t, &bolt.Options{PageSize: ps})
	mustUpdate(t, db, func(tx *bolt.Tx) {
		b := mustCreate(t, tx, nil, "b")
		require.NoError(t, b.Put([]byte("k"), make([]byte, 5*ps)))
	})
	tests := []struct {
		name    string
		limit   int
		wantMsg string
	}{
		{"Meta0", 0, "meta 0 copy: error injected for tests"},
		{"Meta1", ps, "meta 1 copy: error injected for tests"},
		{"Data", 3 * ps, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustView(t, db, func(tx *bolt.Tx) {
				n, err := tx.WriteTo(&failingWriter{limit: tt.limit})
				require.Error(t, err)
				if tt.wantMsg != "" {
					require.Equal(t, tt.wantMsg, err.Error())
				} else {
					require.True(t, err == errInjected, "data errors are returned as is, got %v", err)
				}
				require.Equal(t, int64(tt.limit), n)

				err = tx.Copy(&failingWriter{limit: tt.limit})
				if tt.wantMsg != "" {
					require.EqualError(t, err, tt.wantMsg)
				} else {
					require.True(t, err == errInjected, "got %v", err)
				}
			})
		})
	}
}

// dump reads every key and value of the database into a map keyed by
// bucket path and key.
func dump(t *testing.T, tx *bolt.Tx) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(prefix string, b *bolt.Bucket)
	walk = func(prefix string, b *bolt.Bucket) {
		require.NoError(t, b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(prefix+string(k)+"/", b.Bucket(k))
				return nil
			}
			out[prefix+string(k)] = string(v)
			return nil
		}))
	}
	require.NoError(t, tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		out[string(name)+"/"] = fmt.Sprint(b.Sequence())
		walk(string(name)+"/", b)
		return nil
	}))
	return out
}

func TestTx_CopyFile_SnapshotUnderConcurrentWrites(t *testing.T) {
	db := mustOpenDB(t, &bolt.Options{NoSync: true})
	write := func(round int) error {
		return db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte(fmt.Sprintf("b%d", round%5)))
			if err != nil {
				return err
			}
			if _, err := b.NextSequence(); err != nil {
				return err
			}
			for j := 0; j < 50; j++ {
				if err := b.Put(u64key(uint64(round*100+j)), bytes.Repeat([]byte{byte(round)}, 300)); err != nil {
					return err
				}
			}
			return b.Delete(u64key(uint64((round-3)*100 + 7)))
		})
	}
	for r := 0; r < 10; r++ {
		require.NoError(t, write(r))
	}

	stop := make(chan struct{})
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r := 10; ; r++ {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			if err := write(r); err != nil {
				errc <- err
				return
			}
		}
	}()

	dir := t.TempDir()
	for i := 0; i < 5; i++ {
		tx, err := db.Begin(false)
		require.NoError(t, err)
		want := dump(t, tx)
		out := filepath.Join(dir, fmt.Sprintf("copy%d", i))
		require.NoError(t, tx.CopyFile(out, 0o600))
		require.NoError(t, tx.Rollback())

		cp := mustOpenDBAt(t, out, &bolt.Options{ReadOnly: true})
		mustCheck(t, cp.DB)
		mustView(t, cp, func(tx *bolt.Tx) {
			require.Equal(t, want, dump(t, tx))
		})
		cp.MustClose()
	}
	close(stop)
	wg.Wait()
	require.NoError(t, <-errc)
}

func TestTx_CopyFile_AfterPathReplaced(t *testing.T) {
	db := mustOpenDB(t, nil)
	mustUpdate(t, db, func(tx *bolt.Tx) {
		require.NoError(t, mustCreate(t, tx, nil, "orig").Put([]byte("k"), []byte("v")))
	})
	tx, err := db.Begin(false)
	require.NoError(t, err)
	defer func() { require.NoError(t, tx.Rollback()) }()

	// Replace the file under the open database with a different one.
	other := createClosedDB(t, 0)
	err = os.Rename(other, db.path)
	if runtime.GOOS == "windows" {
		require.Error(t, err, "Windows does not replace a file that is open")
	} else {
		require.NoError(t, err)
	}

	out := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, tx.CopyFile(out, 0o600))
	cp := mustOpenDBAt(t, out, nil)
	mustView(t, cp, func(tx *bolt.Tx) {
		require.Equal(t, []byte("v"), tx.Bucket([]byte("orig")).Get([]byte("k")))
	})
}
