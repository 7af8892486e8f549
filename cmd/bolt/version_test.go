package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	lines := strings.Split(mustRun(t, "version"), "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("got %q", lines)
	}
	if !strings.HasPrefix(lines[0], "bolt Version: ") || len(lines[0]) == len("bolt Version: ") {
		t.Errorf("line 1: %q", lines[0])
	}
	if want := "Go Version: " + runtime.Version(); lines[1] != want {
		t.Errorf("line 2: %q, want %q", lines[1], want)
	}
	if want := "Go OS/Arch: " + runtime.GOOS + "/" + runtime.GOARCH; lines[2] != want {
		t.Errorf("line 3: %q, want %q", lines[2], want)
	}
}

func TestVersionOf(t *testing.T) {
	for _, tc := range []struct {
		main     string
		settings map[string]string
		want     string
	}{
		{"v1.2.3", nil, "v1.2.3"},
		{"v0.0.0-20250101120000-0123456789ab+dirty", map[string]string{"vcs.revision": "ff"}, "v0.0.0-20250101120000-0123456789ab+dirty"},
		{"(devel)", map[string]string{"vcs.revision": "0123456789abcdef0123", "vcs.modified": "false"}, "devel-0123456789ab"},
		{"(devel)", map[string]string{"vcs.revision": "0123456789abcdef0123", "vcs.modified": "true"}, "devel-0123456789ab+dirty"},
		{"", map[string]string{"vcs.revision": "abc"}, "devel-abc"},
		{"(devel)", nil, "devel"},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/boltkv/bolt", Version: tc.main}}
		for k, v := range tc.settings {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
		}
		if got := versionOf(bi); got != tc.want {
			t.Errorf("%q %v: got %q, want %q", tc.main, tc.settings, got, tc.want)
		}
	}
}

// TestVersion_Flags: --version and -v print bbolt's one line, with the
// version "bolt version" prints.
func TestVersion_Flags(t *testing.T) {
	want := "bolt version " + version() + "\n"
	for _, flag := range []string{"--version", "-v"} {
		if got := mustRun(t, flag); got != want {
			t.Errorf("bolt %s: got %q, want %q", flag, got, want)
		}
	}
	if !strings.HasPrefix(mustRun(t, "version"), "bolt Version: "+version()+"\n") {
		t.Error("bolt version disagrees with --version")
	}
}

// TestVersion_BuiltBinary builds the command as "go build" does and checks
// that it reports a version from its build information, not a constant.
func TestVersion_BuiltBinary(t *testing.T) {
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build with: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "bolt")
	if out, err := exec.Command(gotool, "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(exe, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := exec.Command(gotool, "version", "-m", exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(strings.TrimPrefix(string(out), "bolt version "))
	// What the Go tool recorded, read back by "go version -m".
	want := "devel"
	var rev string
	dirty := false
	for _, line := range strings.Split(string(bi), "\n") {
		f := strings.Split(strings.TrimSpace(line), "\t")
		switch {
		case len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/boltkv/bolt" && f[2] != "(devel)":
			want = f[2]
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			rev = strings.TrimPrefix(f[1], "vcs.revision=")
		case len(f) == 2 && f[0] == "build" && f[1] == "vcs.modified=true":
			dirty = true
		}
	}
	if want == "devel" && rev != "" {
		want += "-" + rev[:min(12, len(rev))]
		if dirty {
			want += "+dirty"
		}
	}
	if got != want {
		t.Errorf("--version says %q, want %q; build info:\n%s", got, want, bi)
	}
}
