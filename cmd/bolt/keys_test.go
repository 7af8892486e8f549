package main

import (
	"testing"
)

// The expectations are bbolt v1.5.0's output on testdata/bbolt.db.
func TestKeys(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"widgets"}, "0001ff\nbaz\nfoo\nmulti\nsub\n"},
		{[]string{"widgets", "-f", "auto"}, "0001ff\nbaz\nfoo\nmulti\nsub\n"},
		{[]string{"--format", "ascii-encoded", "widgets"}, "\"\\x00\\x01\\xff\"\n\"baz\"\n\"foo\"\n\"multi\"\n\"sub\"\n"},
		{[]string{"widgets", "--format=hex"}, "0001ff\n62617a\n666f6f\n6d756c7469\n737562\n"},
		{[]string{"widgets", "-f", "bytes"}, "\x00\x01\xff\nbaz\nfoo\nmulti\nsub\n"},
		{[]string{"widgets", "-f", "redacted"}, "<redacted len:3 sha256:26a66b061e8f48f39927c312f25293959729eee95978e2892d49d3512a5cc092>\n" +
			"<redacted len:3 sha256:baa5a0964d3320fbc0c6a922140453c8513ea24ab8fd0577034804a967248096>\n" +
			"<redacted len:3 sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae>\n" +
			"<redacted len:5 sha256:4bd77cffb0da8cbda839ed5caaf5d418f19addc5941776e87261e000d6f96e93>\n" +
			"<redacted len:3 sha256:ddc6e2b224d0fd821669202258386936fc9ce2899e215eec6322b95f8dd96d6a>\n"},
		{[]string{"widgets", "sub"}, "a\nb\n"},
		{[]string{"empty"}, ""},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			args := append([]string{"keys", db}, tc.args...)
			if got := mustRun(t, args...); got != tc.want {
				t.Errorf("bolt %q = %q, want %q", args, got, tc.want)
			}
		})
	}
}

func TestKeys_Errors(t *testing.T) {
	db := fixture(t)
	wantFailure(t, runBolt(t, "keys", db, "nosuch"), `bucket not found: "nosuch"`)
	wantFailure(t, runBolt(t, "keys", db, "widgets", "foo"), `bucket not found: "widgets"/"foo"`)
	wantUsage(t, runBolt(t, "keys", db, "widgets", "-f", "nosuch"), `unsupported format "nosuch"`)
}
