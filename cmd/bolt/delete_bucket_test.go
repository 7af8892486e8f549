package main

import (
	"testing"
)

func TestDeleteBucket(t *testing.T) {
	db := fixture(t)
	mustRun(t, "delete-bucket", db, "widgets", "sub")
	if got := mustRun(t, "keys", db, "widgets"); got != "0001ff\nbaz\nfoo\nmulti\n" {
		t.Errorf("keys %q", got)
	}
	mustRun(t, "delete-bucket", db, "big")
	if got := mustRun(t, "buckets", db); got != "empty\nwidgets\n" {
		t.Errorf("buckets %q", got)
	}
	mustCheck(t, db)
	wantFailure(t, runBolt(t, "delete-bucket", db, "big"), `bucket not found: "big"`)
	wantFailure(t, runBolt(t, "delete-bucket", db, "nosuch", "x"), `bucket not found: "nosuch"`)
	wantFailure(t, runBolt(t, "delete-bucket", db, "widgets", "foo"), "incompatible value")
	wantUsage(t, runBolt(t, "delete-bucket", db), "delete-bucket: requires at least 2 arg(s), only received 1")
}
