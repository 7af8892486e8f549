package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

func TestCheck(t *testing.T) {
	empty := newDB(t, nil)
	db := fixture(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"bbolt file", []string{db}, "OK\n", exitOK},
		{"empty", []string{empty}, "OK\n", exitOK},
		// bbolt v1.5.0 prints exactly these for the same files.
		{"from meta page", []string{empty, "--from-page", "1"}, "page ID (1) out of range [2, 4)\n1 errors found\n", exitFailure},
		{"from beyond hwm", []string{"--from-page", "9", empty}, "page ID (9) out of range [2, 4)\n1 errors found\n", exitFailure},
		{"from root", []string{empty, "--from-page", "3"}, "OK\n", exitOK},
		{"from bucket root", []string{db, "--from-page", "6"}, "OK\n", exitOK},
		{"from 0 is everything", []string{db, "--from-page", "0"}, "OK\n", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runBolt(t, append([]string{"check"}, tc.args...)...)
			if r.stdout != tc.want || r.code != tc.code {
				t.Errorf("got %q exit %d, want %q exit %d", r.stdout, r.code, tc.want, tc.code)
			}
			if r.stderr != "" {
				t.Errorf("stderr %q, want nothing: the count is the report", r.stderr)
			}
		})
	}
}

// TestCheck_Problems damages a file: check reports every problem on its own
// line with printable keys, then the count, and fails.
func TestCheck_Problems(t *testing.T) {
	path := newDB(t, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 300; i++ {
			if err := b.Put([]byte{'k', byte('a' + i/26%26), byte('a' + i%26)}, make([]byte, 40)); err != nil {
				return err
			}
		}
		return nil
	})
	// Swap the first two elements' key bytes on the first leaf, so that the
	// keys are out of order.
	var leaf uint64
	view(t, path, func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			if p.Type == "leaf" && p.Count > 20 {
				leaf = uint64(id)
				return nil
			}
		}
	})
	if leaf == 0 {
		t.Fatal("no leaf found")
	}
	h, buf := readPage(t, path, leaf)
	elems, err := rawpage.DecodeLeaf(buf)
	if err != nil {
		t.Fatal(err)
	}
	elems[0].Key, elems[1].Key = elems[1].Key, elems[0].Key
	if err := rawpage.EncodeLeaf(buf, h.ID, h.Overflow, elems); err != nil {
		t.Fatal(err)
	}
	writeAt(t, path, int64(leaf)*4096, buf)

	r := runBolt(t, "check", path)
	if r.code != exitFailure || r.stderr != "" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) < 2 || lines[len(lines)-1] != fmt.Sprintf("%d errors found", len(lines)-1) {
		t.Fatalf("output %q", r.stdout)
	}
	if !strings.Contains(r.stdout, "kab") || !strings.Contains(r.stdout, "kaa") {
		t.Errorf("keys not shown printable: %q", r.stdout)
	}
}
