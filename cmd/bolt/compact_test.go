package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/boltkv/bolt"
)

// bigDB makes a database worth compacting: nested buckets, sequences, many
// keys, and half of them deleted.
func bigDB(t testing.TB) string {
	t.Helper()
	return newDB(t, func(tx *bolt.Tx) error {
		for i := 0; i < 3; i++ {
			b, err := tx.CreateBucket([]byte(fmt.Sprintf("bucket-%d", i)))
			if err != nil {
				return err
			}
			if err := b.SetSequence(uint64(100 + i)); err != nil {
				return err
			}
			nested, err := b.CreateBucket([]byte("nested"))
			if err != nil {
				return err
			}
			for j := 0; j < 400; j++ {
				if err := b.Put([]byte(fmt.Sprintf("key-%05d", j)), bytes.Repeat([]byte{byte(j)}, 50)); err != nil {
					return err
				}
				if j%2 == 0 {
					if err := nested.Put([]byte(fmt.Sprintf("n-%05d", j)), []byte("v")); err != nil {
						return err
					}
				}
			}
			for j := 0; j < 400; j += 2 {
				if err := b.Delete([]byte(fmt.Sprintf("key-%05d", j))); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

var gainLine = regexp.MustCompile(`^(\d+) -> (\d+) bytes \(gain=\d+\.\d\dx\)\n$`)

func TestCompact(t *testing.T) {
	src := bigDB(t)
	srcSum := fileSum(t, src)
	for _, txMaxSize := range []string{"65536", "0", "2000"} {
		t.Run("tx-max-size="+txMaxSize, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "dst.db")
			out := mustRun(t, "compact", src, "-o", dst, "--tx-max-size", txMaxSize, "--no-sync")
			m := gainLine.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("output %q", out)
			}
			if m[1] != fmt.Sprint(stat(t, src).Size()) || m[2] != fmt.Sprint(stat(t, dst).Size()) {
				t.Errorf("sizes in %q do not match the files", out)
			}
			if stat(t, dst).Size() > stat(t, src).Size() {
				t.Errorf("the copy is larger: %s", out)
			}
			mustCheck(t, dst)
			if fileSum(t, src) != srcSum {
				t.Error("the source changed")
			}
			if a, b := mustRun(t, "export", src), mustRun(t, "export", dst); a != b {
				t.Error("export of the compacted copy differs")
			}
		})
	}
}

// TestCompact_SameAsLibrary checks that the command, which runs the
// library's compaction with a progress hook, commits where bolt.Compact
// does and writes the same file. The source has one bucket: with several buckets
// dirty in one transaction, the order in which they are written follows Go
// map iteration, in bolt as in bbolt, and files differ from run to run.
func TestCompact_SameAsLibrary(t *testing.T) {
	src := newDB(t, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("only"))
		if err != nil {
			return err
		}
		if err := b.SetSequence(42); err != nil {
			return err
		}
		for j := 0; j < 800; j++ {
			if err := b.Put([]byte(fmt.Sprintf("key-%05d", j*7%800)), bytes.Repeat([]byte{byte(j)}, j%200)); err != nil {
				return err
			}
		}
		return nil
	})
	for _, txMaxSize := range []string{"0", "1000", "8000", "65536"} {
		dst := filepath.Join(t.TempDir(), "dst.db")
		mustRun(t, "compact", src, "-o", dst, "--tx-max-size", txMaxSize, "--no-sync")
		want := filepath.Join(t.TempDir(), "want.db")
		libraryCompact(t, src, want, txMaxSize)
		if fileSum(t, dst) != fileSum(t, want) {
			t.Errorf("tx-max-size %s: the copy differs from bolt.Compact's", txMaxSize)
		}
	}
}

func libraryCompact(t *testing.T, src, dst, txMaxSize string) {
	t.Helper()
	var n int64
	fmt.Sscan(txMaxSize, &n)
	s, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := bolt.Open(dst, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := bolt.Compact(d, s, n); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCompact_OutputUnchanged pins what the command prints, as recorded
// before it ran the library's compaction instead of a walk of its own.
func TestCompact_OutputUnchanged(t *testing.T) {
	src := bigDB(t)
	for txMaxSize, want := range map[string]string{
		"0":     "262144 -> 131072 bytes (gain=2.00x)\n",
		"2000":  "262144 -> 262144 bytes (gain=1.00x)\n",
		"65536": "262144 -> 131072 bytes (gain=2.00x)\n",
	} {
		dst := filepath.Join(t.TempDir(), "dst.db")
		if got := mustRun(t, "compact", src, "-o", dst, "--tx-max-size", txMaxSize); got != want {
			t.Errorf("tx-max-size %s: got %q, want %q", txMaxSize, got, want)
		}
	}
}

func TestCompact_BboltFile(t *testing.T) {
	src := fixture(t)
	dst := filepath.Join(t.TempDir(), "dst.db")
	// bbolt v1.5.0 prints this for its own file, and writes the same bytes.
	if got, want := mustRun(t, "compact", "-o", dst, src), "65536 -> 65536 bytes (gain=1.00x)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if mustRun(t, "export", src) != mustRun(t, "export", dst) {
		t.Error("content differs")
	}
	if fi := stat(t, dst); fi.Mode().Perm() != stat(t, src).Mode().Perm() {
		t.Errorf("mode %v, want the source's", fi.Mode())
	}
}

func TestCompact_ProgressBarOnTerminal(t *testing.T) {
	src := bigDB(t)
	dst := filepath.Join(t.TempDir(), "dst.db")
	var out, errOut bytes.Buffer
	c := newCLI(strings.NewReader(""), &out, &errOut)
	c.progressInterval = time.Millisecond
	c.terminal = func(w io.Writer) bool { return w == &errOut }
	if code := c.main([]string{"compact", "-o", dst, src, "--no-sync"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	total := 3 * (1 + 200 + 1 + 200) // buckets, keys left, nested, nested keys
	final := fmt.Sprintf("\rcompacting [%s] 100%% %d/%d\n", strings.Repeat("#", 40), total, total)
	if !strings.HasSuffix(errOut.String(), final) {
		t.Errorf("stderr ends with %q, want %q", errOut.String()[max(0, errOut.Len()-120):], final)
	}
	if !gainLine.MatchString(out.String()) {
		t.Errorf("stdout %q", out.String())
	}
	// No bar when stderr is not a terminal.
	dst2 := filepath.Join(t.TempDir(), "dst.db")
	if r := runBolt(t, "compact", "-o", dst2, src); r.stderr != "" {
		t.Errorf("stderr %q, want nothing", r.stderr)
	}
}

func TestCompact_Errors(t *testing.T) {
	src := fixture(t)
	existing := fixture(t)
	sum := fileSum(t, existing)
	wantFailure(t, runBolt(t, "compact", "-o", existing, src), "already exists")
	if fileSum(t, existing) != sum {
		t.Error("an existing destination was changed")
	}
	wantUsage(t, runBolt(t, "compact", src), `compact: required flag(s) "output" not set`)
	wantUsage(t, runBolt(t, "compact", src, "-o", ""), "compact: output file required")
	wantUsage(t, runBolt(t, "compact", "-o", "x"), "compact: accepts 1 arg(s), received 0")
	// An empty destination file is fine.
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "compact", "-o", empty, src)
	mustCheck(t, empty)
}
