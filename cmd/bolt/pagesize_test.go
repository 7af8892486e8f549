package main

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// newDBWithPageSize is newDB with another page size: three buckets of keys
// spread over branch and leaf pages, an overflowing value, and pages freed
// by a second commit.
func newDBWithPageSize(t *testing.T, ps int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: ps})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"a", "b", "gone"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for i := 0; i < 200; i++ {
				if err := b.Put([]byte(fmt.Sprintf("key-%04d", i)), []byte(fmt.Sprintf("value-%d", i))); err != nil {
					return err
				}
			}
		}
		return tx.Bucket([]byte("a")).Put([]byte("large"), []byte(strings.Repeat("L", 3*ps)))
	})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("gone")) })
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPageSize512_EveryCommand: a valid file with 512-byte pages works with
// every command, the page-level ones included (they used to probe the page
// size with bounds of their own, starting at 1 KiB, and refused it).
func TestPageSize512_EveryCommand(t *testing.T) {
	const ps = 512
	path := newDBWithPageSize(t, ps)
	before := fileSum(t, path)
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }

	// A leaf of bucket "a" with at least two elements, for page-item and
	// clear-page-elements.
	leaf := uint64(0)
	view(t, path, func(tx *bolt.Tx) error {
		for id := 2; leaf == 0; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return fmt.Errorf("no leaf found: %v", err)
			}
			if p.Type == "leaf" && p.Count >= 2 {
				leaf = uint64(id)
			}
		}
		return nil
	})

	_, leafBuf := readPage(t, path, leaf)
	elems, err := rawpage.DecodeLeaf(leafBuf)
	if err != nil {
		t.Fatal(err)
	}

	checks := []struct {
		args []string
		want string // a fragment of stdout
	}{
		{[]string{"info", path}, "Page Size: 512\n"},
		{[]string{"pages", path}, "meta"},
		{[]string{"check", path}, "OK\n"},
		{[]string{"page", path, "0"}, "Page Type:  meta\nTotal Size: 512 bytes\n"},
		{[]string{"page", path, "1"}, "Page Size:  512 bytes\n"},
		{[]string{"page", path, fmt.Sprint(leaf)}, "Page Type:  leaf\n"},
		{[]string{"page", path, "--all"}, "Page Type:  freelist\n"},
		{[]string{"page-item", path, fmt.Sprint(leaf), "1", "--key-only"}, string(elems[1].Key) + "\n"},
		{[]string{"dump", path, "0"}, magicDumpLine()},
		{[]string{"stats", path}, "Page size utilization"},
		{[]string{"buckets", path}, "a\nb\n"},
		{[]string{"keys", path, "b"}, "key-0199\n"},
		{[]string{"get", path, "b", "key-0007"}, "value-7\n"},
		{[]string{"inspect", path}, `"name": "a"`},
		{[]string{"export", path}, `{"bucket":["Yg=="],"key":"a2V5LTAxOTk=","value":"dmFsdWUtMTk5"}`},
		{[]string{"compact", "-o", out("compacted"), path}, " bytes (gain="},
		{[]string{"surgery", "meta", "validate", path}, "The meta page 1 is valid!"},
		{[]string{"surgery", "revert-meta-page", path, "--output", out("reverted")}, "The meta page is reverted."},
		{[]string{"surgery", "copy-page", path, "--output", out("copied"), "--from-page", fmt.Sprint(leaf), "--to-page", fmt.Sprint(leaf + 1)}, "copied"},
		{[]string{"surgery", "clear-page", path, "--output", out("cleared"), "--pageId", fmt.Sprint(leaf)}, "cleared"},
		{[]string{"surgery", "clear-page-elements", path, "--output", out("elements"), "--pageId", fmt.Sprint(leaf), "--from-index", "0", "--to-index", "1"}, "cleared"},
		{[]string{"surgery", "freelist", "abandon", path, "--output", out("abandoned")}, "abandoned"},
		{[]string{"surgery", "meta", "update", path, "--output", out("updated"), "--meta-page", "0", "--fields", "pageSize:512"}, "updated"},
	}
	for _, c := range checks {
		got := mustRun(t, c.args...)
		if !strings.Contains(got, c.want) {
			t.Errorf("bolt %q: output lacks %q:\n%.500s", c.args, c.want, got)
		}
	}
	if fileSum(t, path) != before {
		t.Fatal("a command changed its source")
	}
	mustCheck(t, out("compacted"))
	mustCheck(t, out("reverted"))

	// Updating meta page 0 rewrote that page alone: meta page 1, which
	// starts 512 bytes in, is still valid and unchanged.
	updated := out("updated")
	if r := mustRun(t, "surgery", "meta", "validate", updated); !strings.Contains(r, "The meta page 0 is valid!") ||
		!strings.Contains(r, "The meta page 1 is valid!") {
		t.Errorf("after meta update:\n%s", r)
	}
	_, m1 := readPage(t, path, 1)
	_, u1 := readPage(t, updated, 1)
	if string(m1) != string(u1) {
		t.Error("meta update of page 0 changed page 1")
	}

	// freelist rebuild needs a file without a free list.
	rebuilt := out("rebuilt")
	mustRun(t, "surgery", "freelist", "rebuild", out("abandoned"), "--output", rebuilt)
	mustCheck(t, rebuilt)
}

// magicDumpLine is how dump shows the second line of a meta page, which
// starts with the magic number, stored in the machine's byte order.
func magicDumpLine() string {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return "0000010 edda 0ced"
	}
	return "0000010 ed0c daed"
}
