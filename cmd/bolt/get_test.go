package main

import (
	"testing"
)

// The expectations are bbolt v1.5.0's output on testdata/bbolt.db.
func TestGet(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"widgets", "foo"}, "BAR\n"},
		{[]string{"widgets", "baz"}, "\n"},
		{[]string{"widgets", "multi"}, "6c696e650a76616c7565\n"},
		{[]string{"widgets", "multi", "--format", "ascii-encoded"}, "\"line\\nvalue\"\n"},
		{[]string{"widgets", "multi", "--format", "bytes"}, "line\nvalue\n"},
		{[]string{"widgets", "foo", "--format", "hex"}, "424152\n"},
		{[]string{"widgets", "baz", "--format", "ascii-encoded"}, "\"\"\n"},
		{[]string{"widgets", "baz", "--format", "redacted"}, "<redacted len:0 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855>\n"},
		{[]string{"widgets", "foo", "--format", "redacted"}, "<redacted len:3 sha256:81f5f5515e670645c30c6340fe397157bbd2d42caa6968fd296a725ec9fac4ed>\n"},
		{[]string{"--parse-format", "hex", "widgets", "0001ff"}, "deadbeef\n"},
		{[]string{"widgets", "0001ff", "--parse-format", "hex", "--format", "hex"}, "deadbeef\n"},
		{[]string{"widgets", "sub", "a"}, "1\n"},
		{[]string{"big", "large", "--format", "redacted"}, "<redacted len:4500 sha256:edf62d52fea1b69cc808cd2e11e934a37f5a0a58d6c517197a0224ad712241ad>\n"},
	} {
		t.Run(tc.args[len(tc.args)-1], func(t *testing.T) {
			args := append([]string{"get", db}, tc.args...)
			if got := mustRun(t, args...); got != tc.want {
				t.Errorf("bolt %q = %q, want %q", args, got, tc.want)
			}
		})
	}
}

func TestGet_Errors(t *testing.T) {
	db := fixture(t)
	wantFailure(t, runBolt(t, "get", db, "widgets", "nokey"), `Error: Error key not found for key: "nokey" hex: "6e6f6b6579"`)
	wantFailure(t, runBolt(t, "get", db, "widgets", "00", "--parse-format", "hex"), `Error key not found for key: "\x00" hex: "00"`)
	wantFailure(t, runBolt(t, "get", db, "widgets", "sub"), `key "sub" is a nested bucket, not a value`)
	wantFailure(t, runBolt(t, "get", db, "nosuch", "foo"), `bucket not found: "nosuch"`)
	wantFailure(t, runBolt(t, "get", db, "widgets", "nosuch", "foo"), `bucket not found: "widgets"/"nosuch"`)
	wantUsage(t, runBolt(t, "get", db, "widgets", ""), "get: key is required: key required")
	wantUsage(t, runBolt(t, "get", db, "widgets", "zz", "--parse-format", "hex"), `invalid hex "zz"`)
	wantUsage(t, runBolt(t, "get", db, "widgets", "foo", "--parse-format", "bytes"), `unsupported parse format "bytes"`)
	wantUsage(t, runBolt(t, "get", db, "foo"), "get: requires at least 3 arg(s), only received 2")
	wantUsage(t, runBolt(t, "get", "", "b", "foo"), "get: path required")
}
