package main

import (
	"strings"
	"testing"
)

// ev builds one test2json line.
func ev(action, test, output string) string {
	line := `{"Action":"` + action + `","Package":"p"`
	if test != "" {
		line += `,"Test":"` + test + `"`
	}
	if output != "" {
		line += `,"Output":` + quote(output)
	}
	return line + "}\n"
}

// quote is a JSON string literal for the simple texts used here.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(s) + `"`
}

// summarize parses stream and returns the report and whether it passed.
func summarize(t *testing.T, stream string, o options) (string, bool) {
	t.Helper()
	r, err := parse(strings.NewReader(stream))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var b strings.Builder
	ok := r.report(&b, o)
	return b.String(), ok
}

var defaults = options{lines: 10, fails: 15}

func TestReport_Verdicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream string
		o      options
		pass   bool
		want   []string // substrings of the report
	}{
		{
			name: "all pass",
			stream: ev("run", "TestA", "") + ev("pass", "TestA", "") +
				ev("run", "TestB", "") + ev("skip", "TestB", "") + ev("pass", "", ""),
			o: defaults, pass: true,
			want: []string{"tests: 2 run, 1 passed, 0 failed, 1 skipped", "result: PASS\n"},
		},
		{
			name: "a subtest fails: the parent is not listed again",
			stream: ev("run", "TestA", "") + ev("run", "TestA/x", "") +
				ev("output", "TestA/x", "    a_test.go:9: Error: boom\n") +
				ev("fail", "TestA/x", "") + ev("fail", "TestA", "") + ev("fail", "", ""),
			o: defaults, pass: false,
			want: []string{"FAILED TestA/x", "| a_test.go:9: Error: boom", "failing: TestA/x\n", "result: FAIL\n"},
		},
		{
			name: "the binary dies inside a test",
			stream: ev("run", "TestA", "") + ev("output", "", "panic: runtime error: invalid memory address\n") +
				"exit status 2\n",
			o: defaults, pass: false,
			want: []string{"UNFINISHED TestA", "panic: runtime error", "result: FAIL (the test binary ended without a verdict)"},
		},
		{
			name:   "no test ran",
			stream: ev("output", "", "testing: warning: no tests to run\n") + ev("pass", "", ""),
			o:      defaults, pass: false,
			want: []string{"result: FAIL (no test ran)"},
		},
		{
			name:   "no test matched, and that is allowed",
			stream: ev("pass", "", ""),
			o:      options{lines: 10, fails: 15, emptyOK: true}, pass: true,
			want: []string{"result: PASS (no test matched)"},
		},
		{
			name: "a passing run whose package failed (TestMain, say)",
			stream: ev("run", "TestA", "") + ev("pass", "TestA", "") +
				ev("output", "", "leaked goroutines\n") + ev("fail", "", ""),
			o: defaults, pass: false,
			want: []string{"leaked goroutines", "result: FAIL\n"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, pass := summarize(t, tc.stream, tc.o)
			if pass != tc.pass {
				t.Errorf("passed = %v, want %v; report:\n%s", pass, tc.pass, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("report lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestReport_TempdirTag(t *testing.T) {
	cleanup := "    testing.go:1: TempDir RemoveAll cleanup: unlinkat x: Invalid function.\n"
	stream := ev("run", "TestOnly", "") + ev("output", "TestOnly", cleanup) + ev("fail", "TestOnly", "") +
		ev("run", "TestMore", "") + ev("output", "TestMore", cleanup) +
		ev("output", "TestMore", "    Error Trace: x_test.go:3\n") + ev("fail", "TestMore", "") +
		ev("fail", "", "")
	got, pass := summarize(t, stream, options{lines: 10, fails: 15, tempdir: true})
	if pass {
		t.Fatalf("a failing run passed:\n%s", got)
	}
	for _, w := range []string{
		"FAILED TestOnly (0.00s)" + tagOnlyCleanup,
		"FAILED TestMore (0.00s)" + tagCleanupAnd,
		"1 of the 2 failing tests show nothing but a t.TempDir cleanup error",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("report lacks %q:\n%s", w, got)
		}
	}
}

func TestPrintLines_FoldsRepeatsAndCuts(t *testing.T) {
	var b strings.Builder
	long := strings.Repeat("x", maxWidth+10)
	printLines(&b, []string{"a", "a", "a", "", long, "b", "c"}, 2)
	want := "    | a   [this line 3 times]\n" +
		"    | " + strings.Repeat("x", maxWidth) + " ...\n" +
		"    | ... (7 lines in all: see the log)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
