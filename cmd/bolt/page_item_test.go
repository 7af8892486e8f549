package main

import (
	"testing"
)

// The expectations are bbolt v1.5.0's output on testdata/bbolt.db.
func TestPageItem(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"12", "0"}, "0001ff\ndeadbeef\n"},
		{[]string{"12", "1", "--format", "ascii-encoded"}, "\"baz\"\n\"\"\n"},
		{[]string{"--key-only", "12", "3"}, "multi\n"},
		{[]string{"12", "3", "--value-only"}, "6c696e650a76616c7565\n"},
		{[]string{"12", "3", "--value-only", "--format", "bytes"}, "line\nvalue\n"},
		// Bucket values: a header, and for "sub" an inline page, whose
		// integers are in the machine's byte order.
		{[]string{"12", "4"}, "sub\n" + nativeBucketValue(t, "0000000000000000070000000000000000000000000000000200020000000000000000002000000001000000010000000000000012000000010000000100000061316232") + "\n"},
		{[]string{"13", "0"}, "big\n" + nativeBucketValue(t, "06000000000000000100000000000000") + "\n"},
		{[]string{"7", "2", "--format", "redacted"}, "<redacted len:5 sha256:d35c416a85b807e9b5384915d6ebb4a9f7352713efd89857b45a242f473728a9>\n" +
			"<redacted len:4500 sha256:edf62d52fea1b69cc808cd2e11e934a37f5a0a58d6c517197a0224ad712241ad>\n"},
	} {
		t.Run(tc.args[0]+"/"+tc.args[1], func(t *testing.T) {
			if got := mustRun(t, append([]string{"page-item", db}, tc.args...)...); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPageItem_Errors(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"12", "9"}, "leafPageElement: expected item index less than 5, but got 9"},
		{[]string{"6", "0"}, "leafPageElement: expected page type of 'leaf', but got 'branch'"},
		{[]string{"6", "9"}, "leafPageElement: expected item index less than 2, but got 9"},
		{[]string{"8", "0"}, "error: invalid value due to unexpected Page id: 5497853135693827148 != 8"},
		{[]string{"99", "0"}, "page 99 is beyond the end of the file"},
	} {
		wantFailure(t, runBolt(t, append([]string{"page-item", db}, tc.args...)...), tc.msg)
	}
	wantUsage(t, runBolt(t, "page-item", db, "12", "0", "--key-only", "--value-only"), "the --key-only or --value-only flag may be set, but not both")
	wantUsage(t, runBolt(t, "page-item", db, "x", "0"), `invalid page id "x"`)
	wantUsage(t, runBolt(t, "page-item", db, "12", "-"), `invalid item id "-"`)
	wantUsage(t, runBolt(t, "page-item", db, "12"), "page-item: accepts 3 arg(s), received 2")
}
