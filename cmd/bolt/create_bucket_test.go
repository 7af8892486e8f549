package main

import (
	"path/filepath"
	"testing"
)

func TestCreateBucket(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	mustRun(t, "create-bucket", db, "a", "--page-size", "8192")
	mustRun(t, "create-bucket", db, "a", "b", "c")
	mustRun(t, "create-bucket", db, "x", "y")
	if got := mustRun(t, "buckets", db); got != "a\nx\n" {
		t.Errorf("buckets %q", got)
	}
	if got := mustRun(t, "keys", db, "a", "b"); got != "c\n" {
		t.Errorf("keys %q", got)
	}
	if got := mustRun(t, "info", db); got != "Page Size: 8192\n" {
		t.Errorf("info %q", got)
	}
	mustCheck(t, db)
	wantFailure(t, runBolt(t, "create-bucket", db, "a"), "bucket already exists")
	wantFailure(t, runBolt(t, "create-bucket", db, "a", "b"), "bucket already exists")
	mustRun(t, "put", db, "a", "k", "v")
	wantFailure(t, runBolt(t, "create-bucket", db, "a", "k"), "incompatible value")
	wantFailure(t, runBolt(t, "create-bucket", db, "a", "k", "z"), "incompatible value")
	wantUsage(t, runBolt(t, "create-bucket", db), "create-bucket: requires at least 2 arg(s), only received 1")
}
