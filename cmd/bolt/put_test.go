package main

import (
	"testing"
)

func TestPut(t *testing.T) {
	db := fixture(t)
	mustRun(t, "put", db, "widgets", "new", "value")
	mustRun(t, "put", db, "widgets", "foo", "replaced")
	mustRun(t, "put", db, "widgets", "sub", "c", "3")
	mustRun(t, "put", "--parse-format", "hex", db, "widgets", "00ff", "")
	mustRun(t, "put", db, "widgets", "empty", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"widgets", "new"}, "value\n"},
		{[]string{"widgets", "foo"}, "replaced\n"},
		{[]string{"widgets", "sub", "c"}, "3\n"},
		{[]string{"widgets", "00ff", "--parse-format", "hex", "--format", "ascii-encoded"}, "\"\"\n"},
		{[]string{"widgets", "empty", "--format", "ascii-encoded"}, "\"\"\n"},
	} {
		if got := mustRun(t, append([]string{"get", db}, tc.args...)...); got != tc.want {
			t.Errorf("get %q = %q, want %q", tc.args, got, tc.want)
		}
	}
	mustCheck(t, db)
}

func TestPut_Errors(t *testing.T) {
	db := fixture(t)
	wantFailure(t, runBolt(t, "put", db, "nosuch", "k", "v"), `bucket not found: "nosuch"`)
	wantFailure(t, runBolt(t, "put", db, "widgets", "sub", "v"), "incompatible value")
	wantUsage(t, runBolt(t, "put", db, "widgets", "", "v"), "put: key is required")
	wantUsage(t, runBolt(t, "put", db, "widgets", "k"), "put: requires at least 4 arg(s), only received 3")
	wantUsage(t, runBolt(t, "put", db, "widgets", "k", "zz", "--parse-format", "hex"), `invalid hex "k"`)
}
