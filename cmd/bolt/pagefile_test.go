package main

import (
	"errors"
	"os"
	"testing"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
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

func TestEncodedSize(t *testing.T) {
	elems := []rawpage.LeafElement{{Key: []byte("abc"), Value: []byte("defgh")}, {Key: []byte("x"), Value: nil}}
	size, err := encodedSize(func(b []byte) error { return rawpage.EncodeLeaf(b, 9, 0, elems) }, 4096)
	if err != nil {
		t.Fatal(err)
	}
	// Header, two 16-byte elements, 9 bytes of keys and values.
	if want := rawpage.HeaderSize + 2*16 + 9; size != want {
		t.Errorf("size %d, want %d", size, want)
	}
	buf := make([]byte, size)
	if err := rawpage.EncodeLeaf(buf, 9, 0, elems); err != nil {
		t.Fatal(err)
	}
	got, err := rawpage.DecodeLeaf(buf)
	if err != nil || len(got) != 2 || string(got[0].Value) != "defgh" {
		t.Errorf("decoded %v %v", got, err)
	}
}
