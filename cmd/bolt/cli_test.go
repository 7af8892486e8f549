package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/boltkv/bolt"
)

// TestRun_NoArgs: "bolt" alone prints the usage on stdout and exits 0, as
// bbolt's CLI does.
func TestRun_NoArgs(t *testing.T) {
	r := runBolt(t)
	if r.code != exitOK {
		t.Fatalf("exit %d, want %d", r.code, exitOK)
	}
	if !strings.Contains(r.stdout, "Commands:") || !strings.Contains(r.stdout, "Usage:\n  bolt <command>") {
		t.Errorf("stdout %q: want the usage", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr %q, want nothing", r.stderr)
	}
}

// allCommands returns the path of every command and command group.
func allCommands(cmd *command, parents []string) [][]string {
	var out [][]string
	for _, s := range cmd.subs {
		path := append(parents[:len(parents):len(parents)], s.name)
		out = append(out, path)
		out = append(out, allCommands(s, path)...)
	}
	return out
}

func TestRun_HelpEverywhere(t *testing.T) {
	paths := allCommands(rootCommand(), nil)
	if len(paths) < 25 {
		t.Fatalf("only %d commands found", len(paths))
	}
	paths = append(paths, nil)
	for _, path := range paths {
		for _, flag := range []string{"--help", "-h"} {
			args := append(append([]string{}, path...), flag)
			r := runBolt(t, args...)
			if r.code != exitOK || r.stderr != "" {
				t.Errorf("bolt %q: exit %d, stderr %q", args, r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "Usage:\n  bolt "+strings.Join(path, " ")) {
				t.Errorf("bolt %q: no usage line in %q", args, r.stdout)
			}
		}
		// "bolt help PATH" prints the same help.
		if got, want := mustRun(t, append([]string{"help"}, path...)...), mustRun(t, append(path, "--help")...); got != want {
			t.Errorf("bolt help %q:\n%s\nwant\n%s", path, got, want)
		}
	}
}

func TestRun_HelpListsFlags(t *testing.T) {
	out := mustRun(t, "compact", "--help")
	for _, want := range []string{"-o, --output file", "--tx-max-size bytes", "--no-sync", "(default 65536)", "-h, --help"} {
		if !strings.Contains(out, want) {
			t.Errorf("compact --help lacks %q:\n%s", want, out)
		}
	}
}

func TestRun_UsageErrors(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"nosuch"}, `unknown command "nosuch" for "bolt"`},
		{[]string{"help", "nosuch"}, `unknown help topic "nosuch"`},
		{[]string{"info"}, "info: accepts 1 arg(s), received 0"},
		{[]string{"info", db, db}, "info: accepts 1 arg(s), received 2"},
		{[]string{"keys", db}, "keys: requires at least 2 arg(s), only received 1"},
		{[]string{"stats", db, "a", "b"}, "stats: accepts between 1 and 2 arg(s), received 3"},
		{[]string{"info", "--bogus", db}, "info: unknown flag: --bogus"},
		{[]string{"check", db, "--from-page"}, "check: flag needs an argument: --from-page"},
		{[]string{"check", db, "--from-page", "x"}, `check: invalid value "x" for flag --from-page`},
		{[]string{"compact", db}, `compact: required flag(s) "output" not set`},
		{[]string{"surgery"}, "surgery: missing subcommand (one of revert-meta-page, copy-page"},
		{[]string{"surgery", "nosuch"}, `unknown command "nosuch" for "bolt surgery"`},
		{[]string{"surgery", "meta"}, "surgery meta: missing subcommand (one of validate, update)"},
		{[]string{"surgery", "copy-page", db, "--output", "x"}, `surgery copy-page: required flag(s) "from-page", "to-page" not set`},
		{[]string{"version", "extra"}, "version: accepts 0 arg(s), received 1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			wantUsage(t, runBolt(t, tc.args...), tc.msg)
		})
	}
}

func TestFlagSet_Parse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		out  string
		all  bool
		n    int64
	}{
		{[]string{"a", "--output", "x", "b"}, []string{"a", "b"}, "x", false, 0},
		{[]string{"--output=x", "a"}, []string{"a"}, "x", false, 0},
		{[]string{"-o", "x", "a", "--all"}, []string{"a"}, "x", true, 0},
		{[]string{"a", "-o=x", "-all=false"}, []string{"a"}, "x", false, 0},
		{[]string{"a", "--n", "-1", "b"}, []string{"a", "b"}, "", false, -1},
		{[]string{"a", "--", "--output", "-x"}, []string{"a", "--output", "-x"}, "", false, 0},
		{[]string{"-", "a"}, []string{"-", "a"}, "", false, 0},
	} {
		fs := newFlagSet()
		out := fs.String("output", "", "")
		fs.alias("o", "output")
		all := fs.Bool("all", false, "")
		n := fs.Int64("n", 0, "")
		pos, help, err := fs.parse(tc.args)
		if err != nil || help {
			t.Errorf("%q: err %v, help %v", tc.args, err, help)
			continue
		}
		if !reflect.DeepEqual(pos, tc.pos) || *out != tc.out || *all != tc.all || *n != tc.n {
			t.Errorf("%q: got %q output=%q all=%v n=%d", tc.args, pos, *out, *all, *n)
		}
	}
}

// TestInspection_LeavesFileUnchanged runs every command that only reads
// on a copy of a bbolt-written file and on one with no persisted free list,
// and compares the file's bytes before and after.
func TestInspection_LeavesFileUnchanged(t *testing.T) {
	noFreelist := filepath.Join(t.TempDir(), "nofreelist.db")
	db, err := bolt.Open(noFreelist, 0o600, &bolt.Options{PageSize: 4096, NoFreelistSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 200; i++ {
			if err := b.Put([]byte{byte(i), 1}, bytes.Repeat([]byte("v"), 40)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	commands := [][]string{
		{"info"}, {"buckets"}, {"keys", "", "widgets"}, {"get", "", "widgets", "foo"},
		{"check"}, {"check", "--from-page", "6"}, {"stats"}, {"inspect"}, {"pages"},
		{"page", "--all"}, {"page", "0", "1", "12"}, {"page-item", "", "12", "0"},
		{"dump", "", "0", "5"}, {"export"}, {"surgery", "meta", "validate"},
	}
	for _, path := range []string{fixture(t), noFreelist} {
		for _, args := range commands {
			args = append([]string{}, args...)
			if len(args) > 1 && args[1] == "" {
				args[1] = path
			} else {
				args = append(args, path)
			}
			t.Run(filepath.Base(path)+"/"+strings.Join(args[:1], " "), func(t *testing.T) {
				before, fi := fileSum(t, path), stat(t, path)
				runBolt(t, args...) // some fail on the second file: no widgets
				if fileSum(t, path) != before {
					t.Errorf("bolt %q changed the file", args)
				}
				if after := stat(t, path); !after.ModTime().Equal(fi.ModTime()) || after.Size() != fi.Size() {
					t.Errorf("bolt %q touched the file", args)
				}
			})
		}
	}
}

func stat(t testing.TB, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// TestDamagedFiles_NoPanic runs the inspection commands on damaged files:
// every one must end with output or an error message, never a panic.
func TestDamagedFiles_NoPanic(t *testing.T) {
	type damage struct {
		name string
		fn   func(t *testing.T, path string)
	}
	garbage := bytes.Repeat([]byte{0xff, 0x13, 0x00, 0x7f}, 1024)
	damages := []damage{
		{"leaf garbage", func(t *testing.T, p string) { writeAt(t, p, 12*4096+16, garbage[:4000]) }},
		{"branch garbage", func(t *testing.T, p string) { writeAt(t, p, 6*4096+8, garbage[:4000]) }},
		{"leaf count huge", func(t *testing.T, p string) { writeAt(t, p, 5*4096+10, []byte{0xff, 0xff}) }},
		{"overflow huge", func(t *testing.T, p string) { writeAt(t, p, 7*4096+12, []byte{0xff, 0xff, 0xff, 0x7f}) }},
		{"freelist garbage", func(t *testing.T, p string) { writeAt(t, p, 14*4096+10, garbage[:100]) }},
		{"root bucket page zeroed", func(t *testing.T, p string) { writeAt(t, p, 13*4096, make([]byte, 4096)) }},
		{"both metas garbage", func(t *testing.T, p string) {
			writeAt(t, p, 0, garbage[:200])
			writeAt(t, p, 4096, garbage[:200])
		}},
		{"meta 0 garbage", func(t *testing.T, p string) { writeAt(t, p, 16, garbage[:64]) }},
		{"truncated", func(t *testing.T, p string) {
			if err := os.Truncate(p, 3*4096+100); err != nil {
				t.Fatal(err)
			}
		}},
		{"empty", func(t *testing.T, p string) {
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"text", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte("this is not a bolt database\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	commands := [][]string{
		{"info"}, {"buckets"}, {"keys", "", "widgets"}, {"keys", "", "big"}, {"get", "", "big", "key-001"},
		{"check"}, {"stats"}, {"inspect"}, {"pages"}, {"page", "--all"},
		{"page", "", "5", "6", "7", "12", "13", "14"}, {"page-item", "", "12", "1"},
		{"page-item", "", "5", "3"}, {"dump", "", "0", "1", "7"}, {"export"},
		{"surgery", "meta", "validate"}, {"compact", "-o", "OUT"},
		{"surgery", "clear-page-elements", "--pageId", "5", "--from-index", "0", "--to-index", "1", "--output", "OUT"},
		{"surgery", "freelist", "abandon", "--output", "OUT"},
		{"surgery", "revert-meta-page", "--output", "OUT"},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := fixture(t)
			d.fn(t, path)
			for i, args := range commands {
				args = append([]string{}, args...)
				for j := range args {
					if args[j] == "OUT" {
						args[j] = filepath.Join(t.TempDir(), "out.db")
					}
				}
				if len(args) > 1 && args[1] == "" {
					args[1] = path
				} else {
					args = append(args, path)
				}
				r := runBolt(t, args...) // runBolt fails the test on a panic
				// A failure says why: on stderr, or (check) with its
				// count of problems on stdout; a salvage of a truncated
				// file warns first.
				lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				last := lines[len(lines)-1]
				reported := strings.HasPrefix(last, "Error: ") && (len(lines) == 1 || strings.HasPrefix(r.stderr, "warning: ")) ||
					strings.HasPrefix(r.stderr, "warning: ") && strings.HasSuffix(last, "the output is incomplete") ||
					args[0] == "check" && r.stderr == "" && strings.HasSuffix(r.stdout, " errors found\n")
				if r.code != exitOK && !reported {
					t.Errorf("%d: bolt %q: exit %d with stderr %q", i, args, r.code, r.stderr)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.db")
	for _, args := range [][]string{
		{"info", missing}, {"buckets", missing}, {"keys", missing, "b"}, {"get", missing, "b", "k"},
		{"check", missing}, {"stats", missing}, {"inspect", missing}, {"pages", missing},
		{"page", missing, "0"}, {"page-item", missing, "2", "0"}, {"dump", missing, "0"},
		{"export", missing}, {"put", missing, "b", "k", "v"}, {"delete", missing, "b", "k"},
		{"delete-bucket", missing, "b"}, {"compact", "-o", missing + ".out", missing},
		{"surgery", "meta", "validate", missing},
		{"surgery", "revert-meta-page", missing, "--output", missing + ".out"},
		{"surgery", "freelist", "rebuild", missing, "--output", missing + ".out"},
	} {
		// %q, as bbolt quotes paths: on Windows the backslashes are escaped.
		wantFailure(t, runBolt(t, args...), fmt.Sprintf("source database file %q doesn't exist", missing))
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a command created %s", missing)
	}
}
