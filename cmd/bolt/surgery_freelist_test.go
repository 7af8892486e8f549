package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/boltkv/bolt/internal/rawpage"
)

func TestSurgery_FreelistAbandon(t *testing.T) {
	src := fixture(t)
	out, dst := surgeryRun(t, src, "freelist", "abandon")
	const want = "The freelist was abandoned in both meta pages.\n" +
		"It may cause some delay on next startup because bolt needs to scan the whole db to reconstruct the free list.\n"
	if out != want {
		t.Errorf("output %q", out)
	}
	for id := uint64(0); id <= 1; id++ {
		m := metaAt(t, dst, id)
		if m.Freelist != rawpage.NoFreelist {
			t.Errorf("meta %d freelist %d", id, m.Freelist)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("meta %d: %v", id, err)
		}
	}
	// It still opens, with the same data, and the scanned free list is
	// right.
	mustCheck(t, dst)
	if mustRun(t, "export", src) != mustRun(t, "export", dst) {
		t.Error("content changed")
	}
	if got := mustRun(t, "surgery", "meta", "validate", dst); got != "The meta page 0 is valid!\nThe meta page 1 is valid!\n" {
		t.Errorf("validate: %q", got)
	}
}

func TestSurgery_FreelistRebuild(t *testing.T) {
	src := fixture(t)
	dst := filepath.Join(t.TempDir(), "out.db")
	wantFailure(t, runBolt(t, "surgery", "freelist", "rebuild", src, "--output", dst),
		"the file already has freelist, please consider to abandon the freelist to forcibly rebuild it")
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Error("a refused rebuild created the output")
	}

	_, abandoned := surgeryRun(t, src, "freelist", "abandon")
	out, rebuilt := surgeryRun(t, abandoned, "freelist", "rebuild")
	if out != "The freelist was successfully rebuilt.\n" {
		t.Errorf("output %q", out)
	}
	pf, err := openPageFile(rebuilt, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if !pf.freelistPersisted() {
		t.Error("no freelist after rebuild")
	}
	mustCheck(t, rebuilt)
	if mustRun(t, "export", src) != mustRun(t, "export", rebuilt) {
		t.Error("content changed")
	}
}
