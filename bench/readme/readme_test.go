// Package readme checks that the command lines of README.md's
// "The command-line tool" run as shown, in order, from an empty directory.
package readme

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestREADMECommandLines builds cmd/bolt and runs each line of the first
// sh block of README.md's "The command-line tool" section with it, in one
// empty directory, in order: every command must exist and succeed, and a
// trailing "# output" comment that is a single word must be what the
// command printed.
func TestREADMECommandLines(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i := strings.Index(text, "\n## The command-line tool\n")
	if i < 0 {
		t.Fatal(`README.md has no "## The command-line tool" section`)
	}
	text = text[i:]
	i = strings.Index(text, "```sh\n")
	if i < 0 {
		t.Fatal("no sh block in the command-line tool section")
	}
	block := text[i+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]

	bin := filepath.Join(t.TempDir(), "bolt")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/bolt")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/bolt: %v\n%s", err, out)
	}

	work := t.TempDir()
	n := 0
	for _, line := range strings.Split(block, "\n") {
		cmdline, comment, _ := strings.Cut(line, "#")
		cmdline = strings.TrimSpace(cmdline)
		if cmdline == "" {
			continue
		}
		n++
		fields := strings.Fields(cmdline)
		if len(fields) < 3 || fields[0] != "go" || fields[1] != "run" || fields[2] != "./cmd/bolt" {
			t.Fatalf("line %q does not start with go run ./cmd/bolt", cmdline)
		}
		args := fields[3:]
		var stdout string
		if k := len(args); k >= 2 && args[k-2] == ">" { // a redirection to a file
			stdout = args[k-1]
			args = args[:k-2]
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = work
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("%s: %v\n%s%s", cmdline, err, out, stderr)
		}
		if stdout != "" {
			if err := os.WriteFile(filepath.Join(work, stdout), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if want := strings.TrimSpace(comment); want != "" && !strings.ContainsAny(want, " \"") {
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("%s printed %q, the README says %q", cmdline, got, want)
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d command lines found", n)
	}
}
