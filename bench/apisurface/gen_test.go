package apisurface_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Skip("go command not found")
	}
	return p
}

// TestSurfaceUpToDate regenerates the surface files from the bbolt version
// bench/go.mod requires and compares them with the committed ones, so that a
// bbolt upgrade or a generator change can't leave the surface incomplete.
func TestSurfaceUpToDate(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(goTool(t), "run", "./gen", "-dir", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}
	for _, name := range []string{"surface_test.go", "surface_strict_test.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v (run `go generate ./apisurface` in bench)", name, err)
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
			t.Errorf("%s is stale: run `go generate ./apisurface` in bench.\nfirst difference at line %d:\ncommitted: %s\ngenerated: %s",
				name, i+1, line(gl), line(wl))
		}
	}
}

var compileErr = regexp.MustCompile(`surface_strict_test\.go:(\d+):\d+: (.*)`)

// TestKnownDivergences compiles the strict checks (the ones bolt is known to
// fail, see knownDivergences in gen/main.go) and checks that each of them
// still fails: once bolt is fixed, the entry must go from the list so that
// the check moves back into the default build.
func TestKnownDivergences(t *testing.T) {
	if len(knownDivergences) == 0 {
		return
	}
	src, err := os.ReadFile("surface_strict_test.go")
	if err != nil {
		t.Fatal(err)
	}
	// Line of each check -> the divergence it checks.
	checks := map[int]string{}
	what := ""
	for i, l := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(l, "// DIVERGENCE "); ok {
			what, _, _ = strings.Cut(rest, ": ")
		} else if strings.HasPrefix(l, "var _ ") && what != "" {
			checks[i+1] = what
			what = ""
		}
	}
	if len(checks) != len(knownDivergences) {
		t.Fatalf("surface_strict_test.go has %d checks for %d known divergences", len(checks), len(knownDivergences))
	}

	cmd := exec.Command(goTool(t), "test", "-c", "-o", filepath.Join(t.TempDir(), "strict.test"),
		"-tags", "apisurface_strict", "-gcflags=-e", ".")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the strict surface compiles now: bolt matches bbolt there; empty knownDivergences in gen/main.go and run go generate ./apisurface")
	}
	failing := map[string]string{}
	for _, m := range compileErr.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[1])
		w, ok := checks[n]
		if !ok {
			t.Errorf("unexpected compile error in surface_strict_test.go:%s: %s", m[1], m[2])
			continue
		}
		failing[w] = m[2]
	}
	for _, w := range knownDivergences {
		if msg, ok := failing[w]; ok {
			t.Logf("known divergence %s: %s", w, msg)
		} else {
			t.Errorf("%s compiles now: remove it from knownDivergences in gen/main.go and run go generate ./apisurface", w)
		}
	}
	if len(failing) == 0 {
		t.Fatalf("the strict build failed for another reason:\n%s", out)
	}
}
