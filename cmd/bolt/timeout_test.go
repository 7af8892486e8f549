package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boltkv/bolt"
)

// lockDB opens path for writing, holding its lock until the test ends or
// the returned function is called.
func lockDB(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { db.Close() }) }
	t.Cleanup(release)
	return release
}

// TestTimeout_EveryCommandThatOpens: each command that opens a database
// takes --timeout and, when a writer holds the file, says it is waiting
// and then gives up with an error naming the lock.
func TestTimeout_EveryCommandThatOpens(t *testing.T) {
	path := fixture(t)
	lockDB(t, path)
	dst := filepath.Join(t.TempDir(), "dst.db")
	for _, args := range [][]string{
		{"info", path}, {"buckets", path}, {"keys", path, "widgets"}, {"get", path, "widgets", "foo"},
		{"check", path}, {"stats", path}, {"pages", path}, {"inspect", path}, {"export", path},
		{"compact", "-o", dst, path}, {"put", path, "widgets", "k", "v"}, {"delete", path, "widgets", "foo"},
		{"delete-bucket", path, "widgets"}, {"create-bucket", path, "new"},
		{"bench", "--path", path, "--work", "--count", "10"},
	} {
		var out, errOut bytes.Buffer
		c := newCLI(strings.NewReader(""), &out, &errOut)
		c.lockNotice = time.Millisecond
		c.terminal = func(io.Writer) bool { return false }
		code := c.main(append(args, "--timeout", "100ms"))
		want := path + " is locked by another process: waiting at most 100ms (--timeout)\n" +
			"Error: " + path + " is locked by another process: gave up after 100ms: timeout\n"
		if code != exitFailure || !strings.HasSuffix(errOut.String(), want) {
			t.Errorf("bolt %q: exit %d, stderr %q, want %q", args, code, errOut.String(), want)
		}
	}
	// A negative timeout gives up at once, without a word of waiting.
	r := runBolt(t, "info", path, "--timeout", "-1s")
	if want := "Error: " + path + " is locked by another process: timeout\n"; r.code != exitFailure || r.stderr != want {
		t.Errorf("got exit %d stderr %q, want %q", r.code, r.stderr, want)
	}
}

// TestTimeout_FlagOnEveryOpeningCommand: the help of every command marked
// as opening a database lists --timeout, and no other command's does.
func TestTimeout_FlagOnEveryOpeningCommand(t *testing.T) {
	n := 0
	for _, path := range allCommands(rootCommand(), nil) {
		cmd := rootCommand()
		for _, name := range path {
			cmd = cmd.sub(name)
		}
		if cmd.subs != nil {
			continue
		}
		help := mustRun(t, append(path, "--help")...)
		if has := strings.Contains(help, "--timeout duration"); has != cmd.opensDB {
			t.Errorf("%q: --timeout listed %v, opens a database %v", path, has, cmd.opensDB)
		}
		if cmd.opensDB {
			n++
		}
	}
	if n < 16 {
		t.Errorf("%d commands take --timeout, want 16", n)
	}
}

// syncBuffer is a bytes.Buffer that a command's notice goroutine may write
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestTimeout_WaitsAndSaysSo: without --timeout a reader waits for the
// writer as long as it takes, saying so on stderr, and then does its work.
func TestTimeout_WaitsAndSaysSo(t *testing.T) {
	path := fixture(t)
	release := lockDB(t, path)
	var out, errOut syncBuffer
	c := newCLI(strings.NewReader(""), &out, &errOut)
	c.lockNotice = time.Millisecond
	done := make(chan int)
	go func() { done <- c.main([]string{"get", path, "widgets", "foo"}) }()

	const notice = " is locked by another process: waiting until it is released (--timeout limits the wait)\n"
	for !strings.Contains(errOut.String(), notice) {
		select {
		case code := <-done:
			t.Fatalf("finished (exit %d) while the file was locked: stderr %q", code, errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	release()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if out.String() != "BAR\n" || errOut.String() != path+notice {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}

	// An open that does not wait says nothing.
	r := runBolt(t, "get", path, "widgets", "foo")
	if r.stderr != "" || r.stdout != "BAR\n" {
		t.Errorf("unlocked: stdout %q stderr %q", r.stdout, r.stderr)
	}
}
