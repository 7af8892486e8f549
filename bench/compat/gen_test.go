package compat_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompatUpToDate regenerates the forwarding files of compat/bbolt and
// compat/boltdb from the bbolt and boltdb versions bench/go.mod requires and
// compares them with the committed ones: a name bbolt exports that the
// compatibility module lacks (after a bbolt upgrade, say) fails here, with
// the first difference.
func TestCompatUpToDate(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	cmd := exec.Command(goTool(t), "run", "./gen", "-dir", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}
	for _, name := range []string{"bbolt/bbolt.go", "bbolt/errors/errors.go", "boltdb/bolt.go"} {
		name = filepath.FromSlash(name)
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, "compat", name))
		if err != nil {
			t.Errorf("compat/%s: %v (run `go generate ./compat` in bench)", filepath.ToSlash(name), err)
			continue
		}
		if !bytes.Equal(got, want) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
			i := 0
			for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
				i++
			}
			line := func(l []string) string {
				if i < len(l) {
					return l[i]
				}
				return "<EOF>"
			}
			t.Errorf("compat/%s is stale: run `go generate ./compat` in bench.\nfirst difference at line %d:\ncommitted: %s\ngenerated: %s",
				filepath.ToSlash(name), i+1, line(gl), line(wl))
		}
	}
}
