//go:build unix

package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSurgery_ReadOnlySource: every surgery command works on a 0444
// source, and its output is created 0644 (under umask 022), as bbolt's
// are: it used to get the source's mode and then fail to be reopened for
// writing by anyone but root.
func TestSurgery_ReadOnlySource(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })

	src := bigDB(t)
	if err := os.Chmod(src, 0o444); err != nil {
		t.Fatal(err)
	}
	leaf := "3"
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	runs := [][]string{
		{"surgery", "revert-meta-page", src, "--output", out("reverted")},
		{"surgery", "copy-page", src, "--output", out("copied"), "--from-page", leaf, "--to-page", "4"},
		{"surgery", "clear-page", src, "--output", out("cleared"), "--pageId", leaf},
		{"surgery", "clear-page-elements", src, "--output", out("elements"), "--pageId", leaf, "--from-index", "0", "--to-index", "1"},
		{"surgery", "freelist", "abandon", src, "--output", out("abandoned")},
		{"surgery", "meta", "update", src, "--output", out("updated"), "--meta-page", "0", "--fields", "pageSize:4096"},
	}
	for _, args := range runs {
		mustRun(t, args...)
	}
	for _, name := range []string{"reverted", "copied", "cleared", "elements", "abandoned", "updated"} {
		if mode := stat(t, out(name)).Mode().Perm(); mode != 0o644 {
			t.Errorf("%s: mode %v, want 0644", name, mode)
		}
	}
	// rebuild reopens its copy as a database, for writing.
	abandoned := out("abandoned")
	if err := os.Chmod(abandoned, 0o444); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "surgery", "freelist", "rebuild", abandoned, "--output", out("rebuilt"))
	if mode := stat(t, out("rebuilt")).Mode().Perm(); mode != 0o644 {
		t.Errorf("rebuilt: mode %v, want 0644", mode)
	}
	mustCheck(t, out("rebuilt"))

	asNobody(t, src)
}

// asNobody runs surgery on the 0444 source as the unprivileged user nobody,
// where root's permission to write anything would hide the bug. It needs
// root and setpriv(1); without them the mode checks above stand alone.
func asNobody(t *testing.T, src string) {
	if os.Getenv("BOLT_NO_REEXEC") != "" {
		t.Log("not run as nobody: BOLT_NO_REEXEC is set, and this needs to re-execute the test binary")
		return
	}
	setpriv, err := exec.LookPath("setpriv")
	if os.Geteuid() != 0 || err != nil {
		t.Logf("not run as nobody: euid %d, setpriv: %v", os.Geteuid(), err)
		return
	}
	// nobody needs a directory of its own and a copy of this binary it can
	// execute: the test's own directories are root's alone.
	dir, err := os.MkdirTemp("", "bolt-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "bolt.test")
	copyExecutable(t, exe)
	readable := filepath.Join(dir, "src.db")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readable, data, 0o444); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"surgery", "revert-meta-page", readable, "--output", filepath.Join(dir, "reverted")},
		{"surgery", "freelist", "abandon", readable, "--output", filepath.Join(dir, "abandoned")},
		{"surgery", "freelist", "rebuild", filepath.Join(dir, "abandoned"), "--output", filepath.Join(dir, "rebuilt")},
	} {
		cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", exe, "--"}, args...)...)
		cmd.Env = append(os.Environ(), asCLIEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("as nobody: bolt %q: %v\n%s", args, err, out)
		}
	}
	mustCheck(t, filepath.Join(dir, "rebuilt"))
}

func copyExecutable(t *testing.T, dst string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
