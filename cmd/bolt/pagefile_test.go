package main

import (
	"errors"
	"os"
	"testing"

	"github.com/boltkv/bolt"
)

func TestPageFile_PageSize(t *testing.T) {
	for _, ps := range []int{512, 1024, 4096, 16384, 65536} {
		path := t.TempDir() + "/db"
		db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: ps})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		// With meta 0 destroyed, meta 1 is found by its page size.
		writeAt(t, path, 0, make([]byte, 512))
		pf, err := openPageFile(path, false)
		if err != nil {
			t.Fatalf("page size %d: %v", ps, err)
		}
		if pf.pageSize != ps || pf.hwm != 4 || pf.metaErrs[0] == nil || pf.metaErrs[1] != nil {
			t.Errorf("page size %d: got %d, hwm %d, errs %v", ps, pf.pageSize, pf.hwm, pf.metaErrs)
		}
		pf.Close()
	}
}

func TestPageFile_ActiveMeta(t *testing.T) {
	path := fixture(t)
	pf, err := openPageFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	// Meta 0 has txid 4 and HWM 15, meta 1 txid 3 and HWM 12.
	if pf.activeMeta() != 0 || pf.hwm != 15 || !pf.freelistPersisted() {
		t.Errorf("active %d hwm %d", pf.activeMeta(), pf.hwm)
	}
	pf.Close()

	// With meta 0 invalid, meta 1 is the one the database opens with.
	writeAt(t, path, 16+40, []byte{0x99})
	if pf, err = openPageFile(path, false); err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if pf.hwm != 12 {
		t.Errorf("hwm %d, want meta 1's 12", pf.hwm)
	}
}

func TestPageFile_Errors(t *testing.T) {
	path := fixture(t)
	writeAt(t, path, 0, make([]byte, 8192))
	if _, err := openPageFile(path, false); !errors.Is(err, errNoMeta) {
		t.Errorf("got %v, want errNoMeta", err)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openPageFile(path, false); !errors.Is(err, errNoMeta) {
		t.Errorf("got %v, want errNoMeta", err)
	}
}
