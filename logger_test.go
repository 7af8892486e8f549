package bolt_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// loggerNew returns a DefaultLogger writing to a buffer without flags.
func loggerNew() (*bolt.DefaultLogger, *bytes.Buffer) {
	var buf bytes.Buffer
	return &bolt.DefaultLogger{Logger: log.New(&buf, "", 0)}, &buf
}

func TestDefaultLogger_Prefixes(t *testing.T) {
	l, buf := loggerNew()
	l.Info("a", 1)
	l.Infof("b %d", 2)
	l.Error("c")
	l.Errorf("d %s", "x")
	l.Warning("e")
	l.Warningf("f %v", true)
	l.Debug("hidden")
	l.Debugf("hidden %d", 3)
	require.Equal(t, "INFO: a1\nINFO: b 2\nERROR: c\nERROR: d x\nWARN: e\nWARN: f true\n", buf.String())

	buf.Reset()
	l.EnableDebug()
	l.Debug("shown", 4)
	l.Debugf("shown %d", 5)
	require.Equal(t, "DEBUG: shown4\nDEBUG: shown 5\n", buf.String())
}

func TestDefaultLogger_EnableTimestamps(t *testing.T) {
	l, buf := loggerNew()
	l.SetFlags(log.Lshortfile)
	l.EnableTimestamps()
	require.Equal(t, log.Lshortfile|log.Ldate|log.Ltime, l.Flags(), "timestamps are added to the existing flags")

	l.Info("hello")
	// The file name is the caller's: the logger reports the right depth.
	require.Regexp(t, regexp.MustCompile(`^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} logger_test\.go:\d+: INFO: hello\n$`), buf.String())

	buf.Reset()
	l.EnableDebug()
	l.Debugf("x=%d", 1)
	require.Regexp(t, regexp.MustCompile(`^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} logger_test\.go:\d+: DEBUG: x=1\n$`), buf.String())
}

func TestDefaultLogger_Panic(t *testing.T) {
	l, buf := loggerNew()
	requirePanicValue := func(want string, fn func()) {
		t.Helper()
		var got any
		func() {
			defer func() { got = recover() }()
			fn()
		}()
		require.Equal(t, want, got)
	}
	requirePanicValue("boom1", func() { l.Panic("boom", 1) })
	requirePanicValue("boom 2", func() { l.Panicf("boom %d", 2) })
	// Panic delegates to log.Logger: no level tag.
	require.Equal(t, "boom1\nboom 2\n", buf.String())
}

// Fatal prints with its tag and exits with status 1; run it in a child
// process.
func TestDefaultLogger_Fatal(t *testing.T) {
	if mode := os.Getenv("BOLT_LOGGER_FATAL_CHILD"); mode != "" {
		l := &bolt.DefaultLogger{Logger: log.New(os.Stdout, "", 0)}
		if mode == "f" {
			l.Fatalf("bye %d", 7)
		}
		l.Fatal("bye", 7)
		return
	}
	if os.Getenv("BOLT_NO_REEXEC") != "" {
		t.Skip("BOLT_NO_REEXEC is set: this test binary cannot be re-executed here, and Fatal must run in a child process")
	}
	for mode, want := range map[string]string{"plain": "FATAL: bye7\n", "f": "FATAL: bye 7\n"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultLogger_Fatal$")
		cmd.Env = append(os.Environ(), "BOLT_LOGGER_FATAL_CHILD="+mode)
		out, err := cmd.Output()
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr, "mode %s", mode)
		require.Equal(t, 1, exitErr.ExitCode())
		require.Equal(t, want, string(out))
	}
}

func TestDB_Logger_Default(t *testing.T) {
	var nilDB *bolt.DB
	require.NotNil(t, nilDB.Logger())
	nilDB.Logger().Info("discarded")
	nilDB.Logger().Debugf("discarded %d", 1)

	var zero bolt.DB
	require.NotNil(t, zero.Logger())

	db := mustOpenDB(t, nil)
	lg := db.Logger()
	require.NotNil(t, lg)
	lg.Error("discarded")
	lg.Warningf("discarded %s", "too")
}

// loggerRecorder is a Logger that records each call as "LEVEL: message".
type loggerRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *loggerRecorder) add(level, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, level+": "+msg)
}

func (r *loggerRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

func (r *loggerRecorder) Debug(v ...interface{}) { r.add("DEBUG", fmt.Sprint(v...)) }
func (r *loggerRecorder) Debugf(format string, v ...interface{}) {
	r.add("DEBUG", fmt.Sprintf(format, v...))
}
func (r *loggerRecorder) Error(v ...interface{}) { r.add("ERROR", fmt.Sprint(v...)) }
func (r *loggerRecorder) Errorf(format string, v ...interface{}) {
	r.add("ERROR", fmt.Sprintf(format, v...))
}
func (r *loggerRecorder) Info(v ...interface{}) { r.add("INFO", fmt.Sprint(v...)) }
func (r *loggerRecorder) Infof(format string, v ...interface{}) {
	r.add("INFO", fmt.Sprintf(format, v...))
}
func (r *loggerRecorder) Warning(v ...interface{}) { r.add("WARN", fmt.Sprint(v...)) }
func (r *loggerRecorder) Warningf(format string, v ...interface{}) {
	r.add("WARN", fmt.Sprintf(format, v...))
}
func (r *loggerRecorder) Fatal(v ...interface{}) { r.add("FATAL", fmt.Sprint(v...)) }
func (r *loggerRecorder) Fatalf(format string, v ...interface{}) {
	r.add("FATAL", fmt.Sprintf(format, v...))
}
func (r *loggerRecorder) Panic(v ...interface{}) { r.add("PANIC", fmt.Sprint(v...)) }
func (r *loggerRecorder) Panicf(format string, v ...interface{}) {
	r.add("PANIC", fmt.Sprintf(format, v...))
}

func TestDB_Logger_Custom(t *testing.T) {
	rec := &loggerRecorder{}
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpenDBAt(t, path, &bolt.Options{Logger: rec})
	require.Same(t, rec, db.Logger())

	var opened bool
	for _, line := range rec.all() {
		if strings.HasPrefix(line, "INFO: ") && strings.Contains(line, path) {
			opened = true
		}
	}
	require.True(t, opened, "no Info message naming %s among %q", path, rec.all())

	// Writes work with a logger attached.
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}))
	db.MustClose()
	require.NotNil(t, db.Logger())
}
