package bolt_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// The Tx documentation promises that a transaction remembers the damage
// any of its reads meets: calls that cannot return an error behave as if
// the data ended there, and ForEach, View, Update and Commit return the
// error. These tests damage one page and run every read path over it.

const readDamagePageSize = 1024

// readDamageFile writes a database of 1 KiB pages whose bucket "b" holds
// 5000 keys in a tree of three levels, and returns its path, the bucket's
// root page and the root's children (branch pages).
func readDamageFile(tb testing.TB) (path string, root uint64, children []uint64) {
	tb.Helper()
	path = filepath.Join(tb.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: readDamagePageSize})
	require.NoError(tb, err)
	require.NoError(tb, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 5000; i++ {
			if err := b.Put(u64key(uint64(i)), []byte("sixteen byte val")); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(tb, db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket([]byte("b")).Root())
		return nil
	}))
	require.NoError(tb, db.Close())
	buf := readDamagePage(tb, path, root)
	require.Equal(tb, uint16(0x01), binary.NativeEndian.Uint16(buf[8:]), "the root must be a branch")
	for i := 0; i < int(binary.NativeEndian.Uint16(buf[10:])); i++ {
		children = append(children, binary.NativeEndian.Uint64(buf[16+16*i+8:]))
	}
	child := readDamagePage(tb, path, children[0])
	require.Equal(tb, uint16(0x01), binary.NativeEndian.Uint16(child[8:]), "the tree must have three levels")
	return path, root, children
}

func readDamagePage(tb testing.TB, path string, id uint64) []byte {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	buf := make([]byte, readDamagePageSize)
	_, err = f.ReadAt(buf, int64(id)*readDamagePageSize)
	require.NoError(tb, err)
	return buf
}

// readDamageEmptyBranch sets the element count of branch page id to 0.
func readDamageEmptyBranch(tb testing.TB, path string, id uint64) {
	tb.Helper()
	buf := readDamagePage(tb, path, id)
	require.Equal(tb, uint16(0x01), binary.NativeEndian.Uint16(buf[8:]))
	binary.NativeEndian.PutUint16(buf[10:], 0)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(tb, err)
	_, err = f.WriteAt(buf, int64(id)*readDamagePageSize)
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
}

// readPaths are the ways to read a whole bucket; each returns the error
// the call itself reports (nil for calls that cannot return one).
var readPaths = []struct {
	name string
	read func(tx *bolt.Tx) error
}{
	{"ForEach", func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).ForEach(func(k, v []byte) error { return nil })
	}},
	{"ForEachBucket", func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("b")).ForEachBucket(func(k []byte) error { return nil })
	}},
	{"First-Next", func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
		}
		return nil
	}},
	{"Last-Prev", func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		}
		return nil
	}},
	{"Seek-Next", func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		for k, _ := c.Seek(u64key(0)); k != nil; k, _ = c.Next() {
		}
		return nil
	}},
	{"Get-each", func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		for i := 0; i < 5000; i++ {
			b.Get(u64key(uint64(i)))
		}
		return nil
	}},
	{"Stats", func(tx *bolt.Tx) error {
		tx.Bucket([]byte("b")).Stats()
		return nil
	}},
	{"Inspect", func(tx *bolt.Tx) error {
		tx.Inspect()
		return nil
	}},
}

// TestRead_EmptyBranchPage_TxRemembers empties a branch page (count 0: the
// damage reads as "no keys here") at the bucket's root, at its first child
// and at its last child, and runs every read path over the whole bucket:
// each must make View return an error wrapping ErrCorrupt, and ForEach
// return it itself. Before, ForEach, Cursor.First and View returned nil with
// keys missing.
func TestRead_EmptyBranchPage_TxRemembers(t *testing.T) {
	for _, where := range []string{"root", "first-child", "last-child"} {
		path, root, children := readDamageFile(t)
		switch where {
		case "root":
			readDamageEmptyBranch(t, path, root)
		case "first-child":
			readDamageEmptyBranch(t, path, children[0])
		case "last-child":
			readDamageEmptyBranch(t, path, children[len(children)-1])
		}
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		require.NoError(t, err)
		for _, rp := range readPaths {
			t.Run(fmt.Sprintf("%s/%s", where, rp.name), func(t *testing.T) {
				var callErr error
				err := db.View(func(tx *bolt.Tx) error {
					callErr = rp.read(tx)
					return nil
				})
				require.ErrorIs(t, err, berrors.ErrCorrupt, "View must return the damage the read met")
				if rp.name == "ForEach" || rp.name == "ForEachBucket" {
					require.ErrorIs(t, callErr, berrors.ErrCorrupt)
				}
			})
		}
		require.NoError(t, db.Close())

		// A writer meets it too: Commit refuses.
		t.Run(where+"/Update-Put", func(t *testing.T) {
			db, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			defer db.Close()
			err = db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("b"))
				for i := 0; i < 5000; i += 100 {
					if err := b.Put(u64key(uint64(i)), []byte("new")); err != nil {
						return err
					}
				}
				c := b.Cursor()
				for k, _ := c.First(); k != nil; k, _ = c.Next() {
				}
				return nil
			})
			require.ErrorIs(t, err, berrors.ErrCorrupt)
		})
	}
}
