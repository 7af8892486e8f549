package main

import (
	"strings"
	"testing"
)

func TestPage_MatchesBbolt(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		args   []string
		golden string
	}{
		{[]string{"--all"}, "page-all.txt"},
		{[]string{"12", "13", "6", "--format-value", "hex"}, "page-12-13-6-hex.txt"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got := mustRun(t, append([]string{"page", db}, tc.args...)...)
			if want := nativeText(t, golden(t, tc.golden)); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestPage(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"meta", []string{"1"}, `Page ID:    1
Page Type:  meta
Total Size: 4096 bytes
Overflow pages: 0
Version:    2
Page Size:  4096 bytes
Flags:      00000000
Root:       <pgid=10>
Freelist:   <pgid=11>
HWM:        <pgid=12>
Txn ID:     3
Checksum:   28b75be0ad152005

`},
		{"freelist", []string{"14"}, "Page ID:    14\nPage Type:  freelist\nTotal Size: 4096 bytes\nOverflow pages: 0\nItem Count: 6\nOverflow: 0\n\n2\n3\n4\n9\n10\n11\n\n"},
		// %q keeps the valid UTF-8 sequence de ad (U+07AD), as bbolt does.
		{"leaf formats", []string{"12", "--format-value", "ascii-encoded"}, `Page ID:    12
Page Type:  leaf
Total Size: 4096 bytes
Overflow pages: 0
Item Count: 5

0001ff: "ޭ\xbe\xef"
"baz": ""
"foo": "BAR"
"multi": "line\nvalue"
"sub": <pgid=0,seq=7>

`},
		{"stale page", []string{"8"}, "Printing page 8 failed: error: invalid value due to unexpected Page id: 5497853135693827148 != 8. Continuing...\n"},
		{"beyond the file", []string{"99", "13"}, "Printing page 99 failed: page 99 is beyond the end of the file (65536 bytes): unexpected EOF. Continuing...\n" +
			"===============================================\n" +
			"Page ID:    13\nPage Type:  leaf\nTotal Size: 4096 bytes\nOverflow pages: 0\nItem Count: 3\n\n" +
			"\"big\": <pgid=6,seq=1>\n\"empty\": <pgid=0,seq=3>\n\"widgets\": <pgid=12,seq=0>\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := mustRun(t, append([]string{"page", db}, tc.args...)...), nativeText(t, tc.want); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestPage_AllContinues damages a leaf: page --all reports it and goes on.
func TestPage_AllContinues(t *testing.T) {
	db := fixture(t)
	writeAt(t, db, 12*4096+10, []byte{0xff, 0x7f}) // element count far beyond the page
	out := mustRun(t, "page", "--all", db)
	if !strings.Contains(out, "Item Count: 32767") && !strings.Contains(out, "Printing page 12 failed: ") {
		t.Errorf("page 12 not reported:\n%s", out)
	}
	if !strings.Contains(out, "Printing page 12 failed: ") || !strings.Contains(out, "Page ID:    13\n") || !strings.Contains(out, "Page ID:    14\n") {
		t.Errorf("output does not go on after page 12:\n%s", out)
	}
}

func TestPage_Usage(t *testing.T) {
	db := fixture(t)
	wantUsage(t, runBolt(t, "page", db), "page: page id required")
	wantUsage(t, runBolt(t, "page", db, "--all", "2"), "page: invalid args: either use '--all' or 'pageid...'")
	wantUsage(t, runBolt(t, "page", db, "x"), `page: invalid page id "x"`)
	wantUsage(t, runBolt(t, "page", db, "2", "--format-value", "x"), `unsupported format "x"`)
	wantFailure(t, runBolt(t, "page", "--all", fixtureNoMagic(t)), "the Meta Page has wrong (unexpected) magic")
}

// fixtureNoMagic returns a copy of the fixture with both meta pages
// destroyed.
func fixtureNoMagic(t *testing.T) string {
	db := fixture(t)
	writeAt(t, db, 16, make([]byte, 64))
	writeAt(t, db, 4096+16, make([]byte, 64))
	return db
}
