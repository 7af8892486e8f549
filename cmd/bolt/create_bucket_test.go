package main

import (
	"os"
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

// TestPageSizeFlag_RefusedUpFront: a --page-size no file can have is a
// usage error before anything is created (it used to leave an empty or
// half-written file behind); the smallest one works.
func TestPageSizeFlag_RefusedUpFront(t *testing.T) {
	for _, ps := range []string{"-5", "10", "79", "1073741825"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "new.db")
		for _, args := range [][]string{
			{"create-bucket", path, "b", "--page-size", ps},
			{"import", path, "--page-size", ps},
			{"bench", "--path", path, "--count", "10", "--page-size", ps},
		} {
			wantUsage(t, runBoltIn(t, "", args...), "invalid page size "+ps+": a page size is from 80 to 1073741824 bytes")
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("bolt %q left a file behind: %v", args, err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "small.db")
	mustRun(t, "create-bucket", path, "b", "--page-size", "80")
	mustRun(t, "put", path, "b", "k", "v")
	if got := mustRun(t, "get", path, "b", "k"); got != "v\n" {
		t.Errorf("get: %q", got)
	}
	mustCheck(t, path)
}
