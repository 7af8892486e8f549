package compat_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The migration steps of README.md, "Migrating from bbolt", as the
// arguments of the go commands a user runs in the directory of their
// go.mod. REPO is the root of a clone of bolt, VERSION a release.
var (
	localStep = [][]string{
		{"mod", "edit", "-replace", "go.etcd.io/bbolt=REPO/compat/bbolt", "-replace", "github.com/boltkv/bolt=REPO"},
		{"mod", "tidy"},
	}
	publishedStep = [][]string{
		{"mod", "edit", "-replace", "go.etcd.io/bbolt=github.com/boltkv/bolt/compat/bbolt@VERSION"},
		{"mod", "tidy"},
	}
)

func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// repoRoot is the root of this checkout: bench/compat/../..
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "compat", "bbolt", "go.mod")); err != nil {
		t.Fatalf("not a bolt checkout: %v", err)
	}
	return root
}

// goEnv is the environment of every go command the tests run: no
// workspace, no toolchain switch, and no network. Everything a build needs
// is in the module cache already (the bench module requires bbolt, and bolt
// needs nothing beyond what bbolt needs), so the proof does not depend on
// the network and cannot fetch anything that is not this checkout.
func goEnv(extra ...string) []string {
	env := []string{"GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=-modcacherw", "GONOSUMDB=", "GOPRIVATE="}
	return append(append(os.Environ(), env...), extra...)
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", filepath.Base(name), strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// copyProgram copies testdata/bboltprog, a program written for bbolt, into
// a new directory: the user's module.
func copyProgram(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "bboltprog")
	err := filepath.WalkDir(filepath.Join("testdata", "bboltprog"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "bboltprog"), path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// buildAndRun builds the program in dir, runs it, and returns its
// transcript and the modules linked into it ("path version => replacement"
// lines of its build info).
func buildAndRun(t *testing.T, dir string, env []string) (transcript string, deps []string) {
	t.Helper()
	gobin := goTool(t)
	exe := filepath.Join(t.TempDir(), "bboltprog")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	run(t, dir, env, gobin, "vet", ".")
	run(t, dir, env, gobin, "build", "-o", exe, ".")
	info := run(t, dir, env, gobin, "version", "-m", exe)
	for _, line := range strings.Split(info, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && (f[0] == "dep" || f[0] == "=>") {
			deps = append(deps, strings.Join(f[:3], " "))
		}
	}
	cmd := exec.Command(exe, t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bboltprog: %v\n%s", err, out)
	}
	if !strings.HasSuffix(string(out), "\nok\n") {
		t.Fatalf("bboltprog did not end with ok:\n%s", out)
	}
	return string(out), deps
}

// applyStep runs a migration step in the user's module.
func applyStep(t *testing.T, dir string, env []string, step [][]string, repl *strings.Replacer) {
	t.Helper()
	for _, args := range step {
		a := make([]string, len(args))
		for i, s := range args {
			a[i] = repl.Replace(s)
		}
		t.Logf("go %s", strings.Join(a, " "))
		run(t, dir, env, goTool(t), a...)
	}
}

func hasDep(deps []string, prefix string) bool {
	for _, d := range deps {
		if strings.HasPrefix(d, prefix) {
			return true
		}
	}
	return false
}

// TestMigration builds testdata/bboltprog, unchanged, three ways and runs
// it: against the real bbolt its go.mod requires, after the local-clone
// step (replace directives to this checkout), and after the step for a
// published release (the replace line of README.md, with bolt published
// at the version compat/bbolt/go.mod requires on a file-based module proxy
// built from this checkout). Each run checks its own assertions; the
// transcripts must be equal, and the build info must show which code was
// linked.
func TestMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program three times; run by bench/compat.sh")
	}
	root := repoRoot(t)

	var want string
	t.Run("bbolt", func(t *testing.T) {
		dir := copyProgram(t)
		out, deps := buildAndRun(t, dir, goEnv())
		if !hasDep(deps, "dep go.etcd.io/bbolt v1.5.0") || hasDep(deps, "dep github.com/boltkv/bolt") {
			t.Fatalf("the unmigrated program should link the real bbolt only; build info:\n%s", strings.Join(deps, "\n"))
		}
		want = out
	})
	if want == "" {
		t.FailNow()
	}

	check := func(t *testing.T, out string, deps []string, replaced string) {
		t.Helper()
		for _, d := range []string{"=> " + replaced, "dep github.com/boltkv/bolt"} {
			if !hasDep(deps, d) {
				t.Errorf("build info lacks %q:\n%s", d, strings.Join(deps, "\n"))
			}
		}
		if out != want {
			t.Errorf("transcript differs from bbolt's:\n%s", lineDiff(want, out))
		}
	}

	t.Run("local-clone", func(t *testing.T) {
		dir := copyProgram(t)
		env := goEnv()
		applyStep(t, dir, env, localStep, strings.NewReplacer("REPO", filepath.ToSlash(root)))
		out, deps := buildAndRun(t, dir, env)
		check(t, out, deps, filepath.Join(root, "compat", "bbolt"))
	})

	t.Run("published", func(t *testing.T) {
		version := requiredBoltVersion(t, root)
		proxy := t.TempDir()
		publish(t, proxy, root, "github.com/boltkv/bolt", version)
		publish(t, proxy, filepath.Join(root, "compat", "bbolt"), "github.com/boltkv/bolt/compat/bbolt", version)
		cache := strings.TrimSpace(run(t, ".", goEnv(), goTool(t), "env", "GOMODCACHE"))
		// A module cache of its own, so that the stand-in release never
		// lands in the real one; what is not in the stand-in proxy comes
		// from the real cache's download directory, which is a module
		// proxy too. The checksum database does not know the stand-in
		// release: GONOSUMDB, for it only.
		env := goEnv(
			"GOMODCACHE="+filepath.Join(t.TempDir(), "modcache"),
			"GOPROXY="+fileURL(proxy)+","+fileURL(filepath.Join(cache, "cache", "download")),
			"GONOSUMDB=github.com/boltkv/bolt",
		)
		dir := copyProgram(t)
		applyStep(t, dir, env, publishedStep, strings.NewReplacer("VERSION", version))
		out, deps := buildAndRun(t, dir, env)
		check(t, out, deps, "github.com/boltkv/bolt/compat/bbolt "+version)
	})
}

// requiredBoltVersion reads the version of bolt that compat/bbolt/go.mod
// requires: the release the two modules are tagged with together.
func requiredBoltVersion(t *testing.T, root string) string {
	t.Helper()
	out := run(t, filepath.Join(root, "compat", "bbolt"), goEnv(), goTool(t), "mod", "edit", "-json")
	var mod struct {
		Require []struct{ Path, Version string }
	}
	if err := json.Unmarshal([]byte(out), &mod); err != nil {
		t.Fatal(err)
	}
	for _, r := range mod.Require {
		if r.Path == "github.com/boltkv/bolt" {
			return r.Version
		}
	}
	t.Fatal("compat/bbolt/go.mod does not require github.com/boltkv/bolt")
	return ""
}

func fileURL(dir string) string {
	dir = filepath.ToSlash(dir)
	if !strings.HasPrefix(dir, "/") {
		dir = "/" + dir // C:/x -> /C:/x
	}
	return "file://" + dir
}

// publish writes the module in dir to the module proxy directory proxy,
// as path@version: what tagging the repository and the proxy's download
// would make of it. The zip holds the files the go command would put in
// it: everything under dir but version control directories, vendor
// directories and other modules (directories with a go.mod of their own).
func publish(t *testing.T, proxy, dir, path, version string) {
	t.Helper()
	at := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`, version, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339))
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(info),
		version + ".mod":  gomod,
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			switch d.Name() {
			case ".git", ".hg", ".svn", ".bzr", "vendor":
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		w, err := zw.Create(path + "@" + version + "/" + rel)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		n++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(at, version+".zip"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("published %s@%s: %d files", path, version, n)
}

// lineDiff shows the first lines where two transcripts differ.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g && shown < 10 {
			fmt.Fprintf(&b, "line %d:\n  bbolt: %s\n  bolt:  %s\n", i+1, w, g)
			shown++
		}
	}
	return b.String()
}
