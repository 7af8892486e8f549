package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// surgeryRun runs a surgery on src writing a new file, checks that src did
// not change, and returns the output and the new file's path.
func surgeryRun(t *testing.T, src string, args ...string) (string, string) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "out.db")
	before := fileSum(t, src)
	out := mustRun(t, append(append([]string{"surgery"}, args...), src, "--output", dst)...)
	if fileSum(t, src) != before {
		t.Fatal("the source file changed")
	}
	return out, dst
}

func metaAt(t *testing.T, path string, id uint64) rawpage.Meta {
	t.Helper()
	_, buf := readPage(t, path, id)
	m, err := rawpage.DecodeMeta(buf)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSurgery_RevertMetaPage(t *testing.T) {
	src := fixture(t)
	out, dst := surgeryRun(t, src, "revert-meta-page")
	if out != "The meta page is reverted.\n" {
		t.Errorf("output %q", out)
	}
	// The fixture's last transaction (4) changed foo to BAR and deleted
	// keys; the copy is back at transaction 3.
	view(t, dst, func(tx *bolt.Tx) error {
		if tx.ID() != 3 {
			t.Errorf("txid %d, want 3", tx.ID())
		}
		if v := tx.Bucket([]byte("widgets")).Get([]byte("foo")); string(v) != "bar" {
			t.Errorf("foo = %q, want bar", v)
		}
		if n := tx.Bucket([]byte("big")).Stats().KeyN; n != 61 {
			t.Errorf("big has %d keys, want 61", n)
		}
		return nil
	})
	mustCheck(t, dst)
	if m0, m1 := metaAt(t, dst, 0), metaAt(t, dst, 1); m0 != m1 {
		t.Errorf("metas differ: %+v %+v", m0, m1)
	}
}

func TestSurgery_CopyPage(t *testing.T) {
	src := fixture(t)
	out, dst := surgeryRun(t, src, "copy-page", "--from-page", "5", "--to-page", "8")
	const want = "WARNING: the free list might have changed.\n" +
		"Please consider executing `bolt surgery freelist abandon ...`\n" +
		"The page 5 was successfully copied to page 8\n"
	if out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	h5, p5 := readPage(t, dst, 5)
	h8, p8 := readPage(t, dst, 8)
	if h8.ID != 8 || h8.Flags != h5.Flags || h8.Count != h5.Count || !bytes.Equal(p5[rawpage.HeaderSize:], p8[rawpage.HeaderSize:]) {
		t.Errorf("page 8 %+v is not a copy of page 5 %+v", h8, h5)
	}
	wantUsage(t, runBolt(t, "surgery", "copy-page", src, "--output", dst+"2", "--from-page", "3", "--to-page", "3"),
		"'--from-page' and '--to-page' have the same value: 3")
}

func TestSurgery_ClearPage(t *testing.T) {
	src := fixture(t)
	out, dst := surgeryRun(t, src, "clear-page", "--pageId", "12")
	if out != "The page (12) was cleared\n" {
		t.Errorf("output %q", out)
	}
	if got := mustRun(t, "keys", dst, "widgets"); got != "" {
		t.Errorf("widgets still has keys %q", got)
	}
	if h, _ := readPage(t, dst, 12); h.Count != 0 || h.Flags != rawpage.LeafPageFlag {
		t.Errorf("page 12: %+v", h)
	}
	mustCheck(t, dst)
}

func TestSurgery_ClearPageElements(t *testing.T) {
	src := fixture(t)
	keysBefore := strings.Split(mustRun(t, "keys", src, "big"), "\n")

	out, dst := surgeryRun(t, src, "clear-page-elements", "--pageId", "5", "--from-index", "3", "--to-index", "10")
	if out != "All elements in [3, 10) in page 5 were cleared\n" {
		t.Errorf("output %q", out)
	}
	want := strings.Join(append(append([]string{}, keysBefore[:3]...), keysBefore[10:]...), "\n")
	if got := mustRun(t, "keys", dst, "big"); got != want {
		t.Errorf("keys\n%s\nwant\n%s", got, want)
	}
	mustCheck(t, dst)

	// To the end of the page, dropping the overflowing value: the page
	// shrinks to one page, its old overflow page is lost, and the user is
	// told to abandon the free list. Once that is done the file is sound.
	out, dst = surgeryRun(t, src, "clear-page-elements", "--pageId", "7", "--from-index", "2", "--to-index", "-1")
	const warned = "WARNING: The clearing has abandoned some pages that are not yet referenced from free list.\n" +
		"Please consider executing `bolt surgery freelist abandon ...`\n" +
		"All elements in [2, -1) in page 7 were cleared\n"
	if out != warned {
		t.Errorf("output %q, want %q", out, warned)
	}
	if h, _ := readPage(t, dst, 7); h.Count != 2 || h.Overflow != 0 {
		t.Errorf("page 7: %+v", h)
	}
	if r := runBolt(t, "check", dst); r.code != exitFailure || !strings.Contains(r.stdout, "page 8: unreachable unfreed") {
		t.Errorf("check: %q", r.stdout)
	}
	_, fixed := surgeryRun(t, dst, "freelist", "abandon")
	mustCheck(t, fixed)
	if got := mustRun(t, "get", fixed, "big", "key-059"); got != "9999999999999999\n" {
		t.Errorf("key-059 = %q", got)
	}

	// Branch elements orphan their children.
	out, _ = surgeryRun(t, src, "clear-page-elements", "--pageId", "6", "--from-index", "0", "--to-index", "1")
	if !strings.HasPrefix(out, "WARNING: ") {
		t.Errorf("no warning for a branch: %q", out)
	}
}

func TestSurgery_ClearPageElements_Errors(t *testing.T) {
	src := fixture(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--pageId", "5", "--from-index", "38", "--to-index", "-1"}, "the start index (38) is out of range [0, 38)"},
		{[]string{"--pageId", "5", "--from-index", "-1", "--to-index", "3"}, "the start index (-1) is out of range [0, 38)"},
		{[]string{"--pageId", "5", "--from-index", "3", "--to-index", "39"}, "the end index (39) is out of range [0, 38]"},
		{[]string{"--pageId", "5", "--from-index", "4", "--to-index", "3"}, "the start index (4) is bigger than the end index (3)"},
		{[]string{"--pageId", "5", "--from-index", "3", "--to-index", "3"}, "invalid: the start index (3) is equal to the end index (3)"},
		{[]string{"--pageId", "14", "--from-index", "0", "--to-index", "1"}, `can't clear elements in "freelist" page`},
		{[]string{"--pageId", "8", "--from-index", "0", "--to-index", "1"}, "unexpected Page id"},
	} {
		dst := filepath.Join(t.TempDir(), "out.db")
		args := append([]string{"surgery", "clear-page-elements", src, "--output", dst}, tc.args...)
		wantFailure(t, runBolt(t, args...), "clear-page-element command failed: ")
		wantFailure(t, runBolt(t, append(args[:len(args):len(args)], "--output", dst+"2")...), tc.msg)
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Errorf("%q: a failed surgery left %s", tc.args, dst)
		}
	}
	wantUsage(t, runBolt(t, "surgery", "clear-page-elements", src, "--output", "x", "--pageId", "1", "--from-index", "0", "--to-index", "1"),
		"the pageId must be at least 2, but got 1")
	wantUsage(t, runBolt(t, "surgery", "clear-page-elements", src, "--output", "x", "--pageId", "5"),
		`required flag(s) "from-index", "to-index" not set`)
	wantUsage(t, runBolt(t, "surgery", "clear-page", src, "--pageId", "5"), `required flag(s) "output" not set`)
	wantUsage(t, runBolt(t, "surgery", "clear-page", src, "--output", "x", "--pageId", "0"), "the pageId must be at least 2, but got 0")
}

func TestSurgery_OutputExists(t *testing.T) {
	src := fixture(t)
	existing := filepath.Join(t.TempDir(), "existing")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"revert-meta-page"}, {"copy-page", "--from-page", "5", "--to-page", "8"}, {"clear-page", "--pageId", "5"},
		{"clear-page-elements", "--pageId", "5", "--from-index", "0", "--to-index", "1"},
		{"freelist", "abandon"}, {"meta", "update"},
	} {
		r := runBolt(t, append(append([]string{"surgery"}, args...), src, "--output", existing)...)
		wantFailure(t, r, fmt.Sprintf("output file %q already exists", existing))
		if data, _ := os.ReadFile(existing); string(data) != "keep me" {
			t.Fatalf("%q overwrote the output file", args)
		}
	}
}
