package main

import (
	"os"
	"testing"

	"github.com/boltkv/bolt"
)

func TestInfo(t *testing.T) {
	if got := mustRun(t, "info", fixture(t)); got != "Page Size: 4096\n" {
		t.Errorf("got %q", got)
	}
	// The page size of the file, not the OS's.
	path := newDB(t, nil)
	db, err := bolt.Open(path+"2", 0o600, &bolt.Options{PageSize: 8192})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if got := mustRun(t, "info", path+"2"); got != "Page Size: 8192\n" {
		t.Errorf("got %q", got)
	}
}

func TestInfo_NotADatabase(t *testing.T) {
	path := fixture(t)
	writeAt(t, path, 0, make([]byte, 8192))
	wantFailure(t, runBolt(t, "info", path), "invalid database")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, runBolt(t, "info", path), "is empty")
}
