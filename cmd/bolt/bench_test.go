package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	writeLine = regexp.MustCompile(`^# Write\t(\d+)\(ops\)\t\S+\t\(\S+/op\)\t\(\d+ op/sec\)$`)
	readLine  = regexp.MustCompile(`^# Read\t(\d+)\(ops\)\t\S+\t\(\S+/op\)\t\(\d+ op/sec\)$`)
)

// TestBench runs bench as it runs out of the box: a temporary file, which
// is gone afterwards.
func TestBench(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, args := range [][]string{
		{"--count", "1000"},
		{"--count", "1000", "--batch-size", "100", "--write-mode", "rnd", "--read-mode", "rnd", "--no-sync"},
		{"--count", "1000", "--batch-size", "250", "--write-mode", "seq-nest", "--key-size", "16", "--value-size", "0", "--no-sync"},
		{"--count", "1000", "--batch-size", "500", "--write-mode", "rnd-nest", "--read-mode", "rnd", "--fill-percent", "0.9", "--no-sync"},
		{"--count", "500", "--page-size", "8192", "--initial-mmap-size", "1048576", "--profile-mode", "w", "--no-sync"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runBolt(t, append([]string{"bench"}, args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			lines := strings.Split(r.stdout, "\n")
			if len(lines) != 4 || lines[2] != "" || lines[3] != "" {
				t.Fatalf("output %q", r.stdout)
			}
			w, rd := writeLine.FindStringSubmatch(lines[0]), readLine.FindStringSubmatch(lines[1])
			if w == nil || rd == nil {
				t.Fatalf("output %q", r.stdout)
			}
			if w[1] != args[1] {
				t.Errorf("wrote %s ops, want %s", w[1], args[1])
			}
			if rd[1] == "0" {
				t.Error("no reads")
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("bench left %v behind", entries[0].Name())
			}
		})
	}
}

func TestBench_Work(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.db")
	r := runBolt(t, "bench", "--count", "100", "--path", path, "--work", "--no-sync")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "work: "+path+"\n") {
		t.Errorf("stderr %q", r.stderr)
	}
	if got := strings.Count(mustRun(t, "keys", path, "bench"), "\n"); got != 100 {
		t.Errorf("%d keys kept, want 100", got)
	}
	mustCheck(t, path)
	// Without --work bench would remove the file: it refuses.
	wantFailure(t, runBolt(t, "bench", "--count", "100", "--path", path), "pass --work to keep it")
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
	// A new --path is removed afterwards.
	other := filepath.Join(t.TempDir(), "other.db")
	mustRun(t, "bench", "--count", "100", "--path", other, "--no-sync")
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Error("bench left its --path behind")
	}
}

func TestBench_GoBenchOutput(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	out := mustRun(t, "bench", "--count", "200", "--gobench-output", "--no-sync")
	re := regexp.MustCompile(`^BenchmarkWrite\t +200\t +\d+(\.\d+)? ns/op\nBenchmarkRead \t +\d+\t +\d+(\.\d+)? ns/op\n\n$`)
	if !re.MatchString(out) {
		t.Errorf("output %q", out)
	}
}

func TestBench_Profiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	mustRun(t, "bench", "--count", "200", "--no-sync",
		"--cpuprofile", filepath.Join(dir, "cpu"), "--memprofile", filepath.Join(dir, "mem"), "--blockprofile", filepath.Join(dir, "block"))
	for _, name := range []string{"cpu", "mem", "block"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s profile: %v", name, err)
		}
	}
}

func TestBench_Progress(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var out, errOut bytes.Buffer
	c := newCLI(strings.NewReader(""), &out, &errOut)
	c.benchReadTime = 50 * time.Millisecond
	c.progressInterval = 10 * time.Millisecond
	c.terminal = func(io.Writer) bool { return false }
	if code := c.main([]string{"bench", "--count", "1000", "--no-sync"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !regexp.MustCompile(`(?m)^Completed \d+ requests, \d+/s $`).MatchString(errOut.String()) {
		t.Errorf("no progress line in %q", errOut.String())
	}
}

func TestBench_Usage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--count", "1000", "--batch-size", "300"}, "the number of iterations must be divisible by the batch size"},
		{[]string{"--write-mode", "seq-del"}, "the write mode should be one of seq, rnd, seq-nest, or rnd-nest"},
		{[]string{"--read-mode", "x"}, "the read mode should be one of seq or rnd"},
		{[]string{"--profile-mode", "x"}, "the profile mode should be one of rw, r or w"},
		{[]string{"--count", "0"}, "--count must be at least 1"},
		{[]string{"--key-size", "3"}, "--key-size must be at least 4"},
		{[]string{"--value-size", "-1"}, "--value-size must not be negative"},
		{[]string{"extra"}, "bench: accepts 0 arg(s), received 1"},
	} {
		wantUsage(t, runBolt(t, append([]string{"bench"}, tc.args...)...), tc.msg)
	}
}
