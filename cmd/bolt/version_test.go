package main

import (
	"runtime"
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
