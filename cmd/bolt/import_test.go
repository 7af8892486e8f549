package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportImport_RoundTrip exports files written by bbolt and by bolt,
// imports them into new files and exports those: the exports are
// identical, and so are the buckets' sequences and contents.
func TestExportImport_RoundTrip(t *testing.T) {
	for name, src := range map[string]string{"bbolt": fixture(t), "bolt": bigDB(t)} {
		t.Run(name, func(t *testing.T) {
			first := mustRun(t, "export", src)
			jsonl := filepath.Join(t.TempDir(), "dump.jsonl")
			if err := os.WriteFile(jsonl, []byte(first), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, txMaxSize := range []string{"0", "2000"} {
				dst := filepath.Join(t.TempDir(), "imported.db")
				if out := mustRun(t, "import", dst, jsonl, "--tx-max-size", txMaxSize, "--no-sync"); out != "" {
					t.Errorf("stdout %q", out)
				}
				mustCheck(t, dst)
				if second := mustRun(t, "export", dst); second != first {
					t.Errorf("tx-max-size %s: second export differs", txMaxSize)
				}
				if got, want := mustRun(t, "inspect", dst), mustRun(t, "inspect", src); got != want {
					t.Errorf("inspect: %s, want %s", got, want)
				}
			}
		})
	}
}

func TestImport_Stdin(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "db")
	in := `{"bucket":["YQ=="],"key":"aw==","value":"dg=="}` + "\n\n" + `{"bucket":["YQ==","Yg=="],"seq":7}` // no final newline
	for _, args := range [][]string{{"import", dst}, {"import", dst + "2", "-"}} {
		if r := runBoltIn(t, in, args...); r.code != exitOK {
			t.Fatalf("%q: exit %d %s", args, r.code, r.stderr)
		}
		db := args[1]
		if got := mustRun(t, "get", db, "a", "k"); got != "v\n" {
			t.Errorf("get %q", got)
		}
		if got := mustRun(t, "export", db); got != `{"bucket":["YQ=="],"seq":0}`+"\n"+`{"bucket":["YQ==","Yg=="],"seq":7}`+"\n"+`{"bucket":["YQ=="],"key":"aw==","value":"dg=="}`+"\n" {
			t.Errorf("export %q", got)
		}
	}
}

func TestImport_Errors(t *testing.T) {
	for _, tc := range []struct {
		in, msg string
	}{
		{"{", "line 1: invalid line"},
		{`{"bucket":["YQ=="],"seq":1}` + "\nnot json\n", "line 2: invalid line"},
		{`{"bucket":[],"seq":1}`, `line 1: invalid line: "bucket" must name a bucket path`},
		{`{"seq":1}`, `line 1: invalid line: "bucket" must name a bucket path`},
		{`{"bucket":["YQ=="],"key":"aw=="}`, `line 1: invalid line: needs "seq", or "key" and "value"`},
		{`{"bucket":["YQ=="],"seq":1,"key":"aw==","value":""}`, `"seq" cannot go with "key" or "value"`},
		{`{"bucket":["YQ=="],"key":"","value":""}`, "key required"},
		{`{"bucket":["YQ=="],"key":"aw==","value":"","extra":1}`, `unknown field "extra"`},
		{`{"bucket":["YQ=="],"key":"!!","value":""}`, "line 1: invalid line"},
		{`{"bucket":["YQ=="],"key":"aw==","value":""} {}`, "more than one JSON value"},
		{`{"bucket":["YQ==",""],"seq":0}`, "empty bucket name"},
		{`{"bucket":["YQ=="],"key":"aw==","value":""}` + "\n" + `{"bucket":["YQ==","aw=="],"seq":0}`, "line 2: incompatible value"},
	} {
		dst := filepath.Join(t.TempDir(), "db")
		wantFailure(t, runBoltIn(t, tc.in, "import", dst), tc.msg)
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Errorf("%q: a failed import left %s", tc.in, dst)
		}
	}
}

func TestImport_RefusesExisting(t *testing.T) {
	db := fixture(t)
	sum := fileSum(t, db)
	wantFailure(t, runBoltIn(t, `{"bucket":["YQ=="],"seq":1}`, "import", db), fmt.Sprintf("database file %q already exists and is not empty", db))
	if fileSum(t, db) != sum {
		t.Error("the existing database changed")
	}
	// An existing empty file is fine.
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "import", empty, "-")
	if got := mustRun(t, "export", empty); got != "" {
		t.Errorf("%q", got)
	}
	// The open error as the OS words it ("no such file or directory" on
	// Unix, "The system cannot find the file specified." on Windows).
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	_, openErr := os.Open(missing)
	if !errors.Is(openErr, fs.ErrNotExist) {
		t.Fatalf("opening %s: %v", missing, openErr)
	}
	wantFailure(t, runBolt(t, "import", filepath.Join(t.TempDir(), "x"), missing), openErr.Error())
	wantUsage(t, runBolt(t, "import", "a", "b", "c"), "import: accepts between 1 and 2 arg(s), received 3")
	if !strings.Contains(mustRun(t, "import", "--help"), "--tx-max-size") {
		t.Error("help")
	}
}
