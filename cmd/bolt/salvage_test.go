package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// truncatedDB writes buckets "a" and "b" and, in bucket "late", a value
// that overflows onto pages at the end of the file, then cuts the file
// just after the first page of that value: everything but that value is
// still in the file. (The library refuses such a file, or opens it at the
// previous transaction if that one fits.)
func truncatedDB(t *testing.T) (path string, bigPage uint64) {
	t.Helper()
	// The big value first: the second commit writes the small pages
	// (the root among them) into pages the first one freed, below it.
	path = newDB(t, func(tx *bolt.Tx) error {
		late, err := tx.CreateBucket([]byte("late"))
		if err != nil {
			return err
		}
		return late.Put([]byte("big"), []byte(strings.Repeat("z", 60000)))
	})
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		a, err := tx.CreateBucket([]byte("a"))
		if err != nil {
			return err
		}
		if err := a.Put([]byte("x"), []byte("y")); err != nil {
			return err
		}
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 30; i++ {
			if err := b.Put([]byte(fmt.Sprintf("key%02d", i)), []byte(fmt.Sprintf("value%d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	view(t, path, func(tx *bolt.Tx) error {
		for id := 2; bigPage == 0; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return fmt.Errorf("no overflowing page: %v", err)
			}
			if p.OverflowCount > 0 {
				bigPage = uint64(id)
			}
		}
		return nil
	})
	if err := os.Truncate(path, int64(bigPage+1)*4096); err != nil {
		t.Fatal(err)
	}
	return path, bigPage
}

// TestSalvage_TruncatedFile: info, buckets, keys, get and export read what
// a truncated file still holds, warn on stderr, and exit 1 only when they
// had to skip something.
func TestSalvage_TruncatedFile(t *testing.T) {
	path, bigPage := truncatedDB(t)
	before := fileSum(t, path)
	warning := "warning: " + path + " is truncated: "

	var keys, pairs strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&keys, "key%02d\n", i)
		fmt.Fprintf(&pairs, `{"bucket":["Yg=="],"key":%q,"value":%q}`+"\n",
			b64(fmt.Sprintf("key%02d", i)), b64(fmt.Sprintf("value%d", i)))
	}
	for _, tc := range []struct {
		args   []string
		stdout string
		code   int
	}{
		{[]string{"info", path}, "Page Size: 4096\n", exitOK},
		{[]string{"buckets", path}, "a\nb\nlate\n", exitOK},
		{[]string{"keys", path, "b"}, keys.String(), exitOK},
		{[]string{"get", path, "a", "x"}, "y\n", exitOK},
		{[]string{"get", path, "b", "key07"}, "value7\n", exitOK},
		{[]string{"keys", path, "late"}, "", exitFailure},
		{[]string{"export", path}, `{"bucket":["YQ=="],"seq":0}` + "\n" +
			`{"bucket":["YQ=="],"key":"eA==","value":"eQ=="}` + "\n" +
			`{"bucket":["Yg=="],"seq":0}` + "\n" + pairs.String() +
			`{"bucket":["bGF0ZQ=="],"seq":0}` + "\n", exitFailure},
	} {
		r := runBolt(t, tc.args...)
		if r.stdout != tc.stdout || r.code != tc.code || !strings.HasPrefix(r.stderr, warning) {
			t.Errorf("bolt %q: exit %d (want %d)\nstdout %q\nwant   %q\nstderr %q", tc.args, r.code, tc.code, r.stdout, tc.stdout, r.stderr)
		}
		skipped := fmt.Sprintf("warning: skipped page %d: ", bigPage)
		if (tc.code == exitFailure) != strings.Contains(r.stderr, skipped) {
			t.Errorf("bolt %q: stderr %q: the skipped page is reported iff the exit status is 1", tc.args, r.stderr)
		}
	}
	for args, want := range map[[2]string]string{
		{"nosuch", "k"}: `Error: bucket not found: "nosuch"`,
		{"a", "late"}:   `Error: Error key not found for key: "late"`,
	} {
		r := runBolt(t, "get", path, args[0], args[1])
		if r.code != exitFailure || !strings.HasPrefix(r.stderr, warning) || !strings.HasSuffix(r.stderr, want+` hex: "6c617465"`+"\n") && !strings.HasSuffix(r.stderr, want+"\n") {
			t.Errorf("get %q: exit %d stderr %q, want %q", args, r.code, r.stderr, want)
		}
	}
	if r := runBolt(t, "get", path, "late", "big"); r.code != exitFailure || !strings.Contains(r.stderr, "Error: Error key not found") ||
		!strings.Contains(r.stderr, "output is incomplete") {
		t.Errorf("get of the lost value: exit %d stderr %q", r.code, r.stderr)
	}
	if fileSum(t, path) != before {
		t.Error("salvage changed the file")
	}
}

// TestSalvage_PreviousTransaction: when the cut took the root page of the
// last transaction, the previous transaction's tree is read, and the
// command says so.
func TestSalvage_PreviousTransaction(t *testing.T) {
	path, bigPage := truncatedDB(t)
	// The newer meta page names a root beyond the end, as when the last
	// commit wrote its root there; the older one names the tree that is
	// in the file.
	pf, err := openPageFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	newer := pf.activeMeta()
	root := pf.current.Root
	var txids [2]uint64
	for id, newRoot := range map[uint64]uint64{newer: bigPage + 5, 1 - newer: root} {
		buf, err := pf.readRaw(id, 1)
		if err != nil {
			t.Fatal(err)
		}
		m, err := rawpage.DecodeMeta(buf)
		if err != nil {
			t.Fatal(err)
		}
		m.Root, txids[id] = newRoot, m.Txid
		if err := rawpage.EncodeMeta(buf, m); err != nil {
			t.Fatal(err)
		}
		if err := pf.writePage(buf); err != nil {
			t.Fatal(err)
		}
	}
	pf.Close()

	r := runBolt(t, "buckets", path)
	want := fmt.Sprintf("warning: the root page of txid %d is beyond the end; reading the previous transaction, txid %d\n", txids[newer], txids[1-newer])
	if r.code != exitOK || !strings.Contains(r.stderr, want) || r.stdout != "a\nb\nlate\n" {
		t.Errorf("exit %d stdout %q stderr %q, want %q", r.code, r.stdout, r.stderr, want)
	}
}

func b64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}
