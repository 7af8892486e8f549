package main

import (
	"testing"
)

func TestDelete(t *testing.T) {
	db := fixture(t)
	mustRun(t, "delete", db, "widgets", "foo")
	mustRun(t, "delete", db, "widgets", "0001ff", "--parse-format", "hex")
	mustRun(t, "delete", db, "widgets", "sub", "a")
	if got := mustRun(t, "keys", db, "widgets"); got != "baz\nmulti\nsub\n" {
		t.Errorf("keys %q", got)
	}
	if got := mustRun(t, "keys", db, "widgets", "sub"); got != "b\n" {
		t.Errorf("sub keys %q", got)
	}
	mustCheck(t, db)
}

func TestDelete_Errors(t *testing.T) {
	db := fixture(t)
	wantFailure(t, runBolt(t, "delete", db, "widgets", "nokey"), `Error key not found for key: "nokey" hex: "6e6f6b6579"`)
	wantFailure(t, runBolt(t, "delete", db, "widgets", "sub"), "incompatible value")
	wantFailure(t, runBolt(t, "delete", db, "nosuch", "foo"), `bucket not found: "nosuch"`)
	wantUsage(t, runBolt(t, "delete", db, "widgets", ""), "delete: key is required")
	wantUsage(t, runBolt(t, "delete", db, "widgets"), "delete: requires at least 3 arg(s), only received 2")
}
