package main

import (
	"bytes"
	"testing"
)

func TestDump(t *testing.T) {
	db := fixture(t)
	want := golden(t, "dump-0-7-12.txt")
	if hostBigEndian {
		// The raw bytes of the swapped fixture, in the format that
		// TestFixture_DumpMatchesBbolt holds to bbolt's.
		want = odDump(fixtureBytes(t), fixturePageSize, 0, 7, 12)
	}
	if got := mustRun(t, "dump", db, "0", "7", "12"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	wantFailure(t, runBolt(t, "dump", db, "16"), "page 16 is beyond the end of the file")
	wantUsage(t, runBolt(t, "dump", db, ""), "dump: page id required")
	wantUsage(t, runBolt(t, "dump", db, "-"), `dump: invalid page id "-"`)
}

func TestDumpPage(t *testing.T) {
	for _, tc := range []struct {
		name string
		buf  []byte
		want string
	}{
		// A run of equal lines collapses to one "*" line, but the last line
		// is always printed.
		{"zeros", make([]byte, 64), "0001000 0000 0000 0000 0000 0000 0000 0000 0000\n0001010 *\n0001030 0000 0000 0000 0000 0000 0000 0000 0000\n\n"},
		{"distinct", append(bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{0xab, 0xcd}, 8)...),
			"0001000 0101 0101 0101 0101 0101 0101 0101 0101\n0001010 abcd abcd abcd abcd abcd abcd abcd abcd\n\n"},
	} {
		var out bytes.Buffer
		dumpPage(&out, tc.buf, 0x1000)
		if out.String() != tc.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, out.String(), tc.want)
		}
	}
}
