//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletion_Bash loads the bash script into a real bash and completes
// command lines with it, the command itself being this test binary.
func TestCompletion_Bash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skipf("no bash: %v (TestComplete covers the completions themselves)", err)
	}
	if os.Getenv("BOLT_NO_REEXEC") != "" {
		t.Skip("BOLT_NO_REEXEC is set: bash must re-execute this test binary (TestComplete covers the completions themselves)")
	}
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bolt := filepath.Join(dir, "bolt")
	wrapper := fmt.Sprintf("#!/bin/sh\n%s=1 exec %q -- \"$@\"\n", asCLIEnv, self)
	if err := os.WriteFile(bolt, []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "bolt.bash")
	if err := os.WriteFile(script, []byte(mustRun(t, "completion", "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "my.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line string // the words typed; the last one is completed
		want string
	}{
		{"bolt sur", "surgery"},
		{"bolt surgery ''", "revert-meta-page copy-page clear-page clear-page-elements freelist meta"},
		{"bolt keys --format h", "hex"},
		{"bolt info my", "my.db"},
		{"bolt info --ti", "--timeout"},
	} {
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", fmt.Sprintf(
			`source %q; cd %q; COMP_WORDS=(%q %s); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _bolt_completion; echo "${COMPREPLY[*]}"`,
			script, dir, bolt, strings.TrimPrefix(tc.line, "bolt ")))
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tc.want {
			t.Errorf("%s<TAB>: got %q (%v), want %q", tc.line, out, err, tc.want)
		}
	}
}
