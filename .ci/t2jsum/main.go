// Command t2jsum reads `go test -json` (test2json) events on stdin and prints
// a short summary of one package's run: how many tests ran, passed, failed
// and were skipped, and for each failing test the first lines of its own
// output. The last line is "result: PASS" or "result: FAIL (...)"; the exit
// status is 1 when the run failed: a test failed, the binary died without a
// verdict, or no test ran.
//
// .ci/platforms.sh runs it on the logs of test binaries that run under an
// emulator, where the raw -v output of a whole suite is too long to read.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// options are the command-line flags.
type options struct {
	lines   int  // output lines shown per failing test
	fails   int  // failing tests shown in detail
	tempdir bool // tag failures that show nothing but a t.TempDir cleanup error
	emptyOK bool // a run in which no test matched passes
}

func main() {
	var o options
	flag.IntVar(&o.lines, "lines", 10, "output lines shown per failing test")
	flag.IntVar(&o.fails, "fails", 15, "failing tests shown in detail")
	flag.BoolVar(&o.tempdir, "tempdir", false, "tag failures that show a t.TempDir cleanup error")
	flag.BoolVar(&o.emptyOK, "empty-ok", false, "a run in which no test matched passes")
	flag.Parse()

	r, err := parse(os.Stdin)
	if err != nil {
		fmt.Printf("result: FAIL (reading the test2json stream: %v)\n", err)
		os.Exit(1)
	}
	if !r.report(os.Stdout, o) {
		os.Exit(1)
	}
}

// event is one test2json record; only the fields used here.
type event struct {
	Action  string
	Test    string
	Elapsed float64
	Output  string
}

// test is what the stream said about one test or subtest.
type test struct {
	name    string
	result  string // pass, fail or skip; "" if it never ended
	elapsed float64
	out     []string // its own output, without the === and --- lines
}

// run is one package's stream, in the order the tests started.
type run struct {
	tests     map[string]*test
	order     []string
	pkgOut    []string // output outside any test, and lines that are not JSON
	pkgResult string   // the package's pass, fail or skip; "" if the binary died first
}

// parse reads a test2json stream. Lines that are not JSON events (a crash
// of test2json's input, say) are kept as package output.
func parse(in io.Reader) (*run, error) {
	r := &run{tests: map[string]*test{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			r.pkgOut = append(r.pkgOut, string(line))
			continue
		}
		r.add(e)
	}
	return r, sc.Err()
}

// add records one event.
func (r *run) add(e event) {
	out := strings.TrimRight(e.Output, "\r\n")
	switch {
	case e.Action == "build-output":
		r.pkgOut = append(r.pkgOut, out)
	case e.Action == "build-fail":
		r.pkgResult = "fail"
	case e.Test == "":
		switch e.Action {
		case "output":
			r.pkgOut = append(r.pkgOut, out)
		case "pass", "fail", "skip":
			r.pkgResult = e.Action
		}
	default:
		t := r.tests[e.Test]
		if t == nil {
			t = &test{name: e.Test}
			r.tests[e.Test] = t
			r.order = append(r.order, e.Test)
		}
		switch e.Action {
		case "output":
			if !isFrame(out) {
				t.out = append(t.out, out)
			}
		case "pass", "fail", "skip":
			t.result, t.elapsed = e.Action, e.Elapsed
		}
	}
}

// isFrame reports whether a test's output line is one the testing package
// writes around every test (=== RUN, --- PASS, ...) or is blank.
func isFrame(line string) bool {
	s := strings.TrimSpace(line)
	for _, p := range []string{"=== ", "--- PASS", "--- FAIL", "--- SKIP"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return s == ""
}

// counts are the tests of one level (top-level tests or subtests).
type counts struct{ run, passed, failed, skipped int }

// tally counts the tests and returns the failures worth showing (a parent
// that failed only because a subtest did is left out) and the tests that
// never ended.
func (r *run) tally() (top, sub counts, fails, unfinished []*test) {
	failedChild := map[string]bool{}
	for _, name := range r.order {
		if r.tests[name].result != "fail" {
			continue
		}
		for p := name; strings.Contains(p, "/"); {
			p = p[:strings.LastIndex(p, "/")]
			failedChild[p] = true
		}
	}
	for _, name := range r.order {
		t := r.tests[name]
		c := &top
		if strings.Contains(name, "/") {
			c = &sub
		}
		c.run++
		switch t.result {
		case "pass":
			c.passed++
		case "fail":
			c.failed++
			if !failedChild[name] {
				fails = append(fails, t)
			}
		case "skip":
			c.skipped++
		default:
			unfinished = append(unfinished, t)
		}
	}
	return top, sub, fails, unfinished
}

// report prints the summary to w and reports whether the run passed.
func (r *run) report(w io.Writer, o options) bool {
	top, sub, fails, unfinished := r.tally()
	fmt.Fprintf(w, "tests: %d run, %d passed, %d failed, %d skipped; subtests: %d run, %d passed, %d failed, %d skipped\n",
		top.run, top.passed, top.failed, top.skipped, sub.run, sub.passed, sub.failed, sub.skipped)

	onlyCleanup := 0
	for i, t := range fails {
		tag := ""
		if o.tempdir {
			tag = tempdirTag(t)
			if tag == tagOnlyCleanup {
				onlyCleanup++
			}
		}
		if i < o.fails {
			fmt.Fprintf(w, "FAILED %s (%.2fs)%s\n", t.name, t.elapsed, tag)
			printLines(w, t.out, o.lines)
		}
	}
	if len(fails) > o.fails {
		fmt.Fprintf(w, "... and %d more failing tests (listed below; details in the log)\n", len(fails)-o.fails)
	}
	for _, t := range unfinished {
		fmt.Fprintf(w, "UNFINISHED %s: still running when the test binary stopped\n", t.name)
		printLines(w, t.out, o.lines)
	}
	if len(unfinished) > 0 || r.pkgResult == "" || (r.pkgResult == "fail" && len(fails) == 0) {
		r.printEnding(w, 3*o.lines)
	}
	if onlyCleanup > 0 {
		fmt.Fprintf(w, "%d of the %d failing tests show nothing but a t.TempDir cleanup error\n", onlyCleanup, len(fails))
	}
	if len(fails) > 0 {
		names := make([]string, len(fails))
		for i, t := range fails {
			names[i] = t.name
		}
		sort.Strings(names)
		fmt.Fprintf(w, "failing: %s\n", strings.Join(names, " "))
	}

	verdict, ok := "FAIL", false
	switch {
	case top.run == 0 && r.pkgResult == "pass" && o.emptyOK:
		verdict, ok = "PASS (no test matched)", true
	case top.run == 0 && r.pkgResult != "fail":
		verdict = "FAIL (no test ran)"
	case r.pkgResult == "pass" && len(fails) == 0 && len(unfinished) == 0:
		verdict, ok = "PASS", true
	case r.pkgResult == "":
		verdict = "FAIL (the test binary ended without a verdict)"
	}
	fmt.Fprintf(w, "result: %s\n", verdict)
	return ok
}

// The tags tempdirTag gives. Under wine 8, os.RemoveAll can fail, and with
// it every t.TempDir cleanup; such a failure says nothing about bolt.
const (
	tagOnlyCleanup = " [nothing but a t.TempDir cleanup error]"
	tagCleanupAnd  = " [a t.TempDir cleanup error, and more]"
)

// tempdirTag tells whether a failing test's output shows a t.TempDir
// cleanup error, alone or beside other failures.
func tempdirTag(t *test) string {
	cleanup, other := false, false
	for _, l := range t.out {
		switch {
		case strings.Contains(l, "TempDir RemoveAll cleanup"):
			cleanup = true
		case strings.Contains(l, "Error Trace:"), strings.Contains(l, "panic:"),
			strings.Contains(l, "Error:"), strings.Contains(l, "hang:"):
			other = true
		}
	}
	switch {
	case cleanup && !other:
		return tagOnlyCleanup
	case cleanup:
		return tagCleanupAnd
	}
	return ""
}

// printEnding prints the package output outside any test (a panic that
// killed the binary, a timeout), which says how a run without a verdict
// ended.
func (r *run) printEnding(w io.Writer, n int) {
	var keep []string
	for _, l := range r.pkgOut {
		if s := strings.TrimSpace(l); s != "" && s != "FAIL" && s != "PASS" && !strings.HasPrefix(s, "FAIL\t") {
			keep = append(keep, l)
		}
	}
	if len(keep) > 0 {
		fmt.Fprintln(w, "output outside any test (how the binary ended):")
		printLines(w, keep, n)
	}
}

// maxWidth is the longest output line printed; longer ones are cut.
const maxWidth = 240

// printLines prints the first n non-blank lines, each cut to maxWidth, with
// a run of identical lines shown once.
func printLines(w io.Writer, lines []string, n int) {
	var kept []string
	var reps []int
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if k := len(kept); k > 0 && kept[k-1] == l {
			reps[k-1]++
			continue
		}
		kept, reps = append(kept, l), append(reps, 1)
	}
	for i, l := range kept {
		if i == n {
			fmt.Fprintf(w, "    | ... (%d lines in all: see the log)\n", len(lines))
			return
		}
		if len(l) > maxWidth {
			l = l[:maxWidth] + " ..."
		}
		if reps[i] > 1 {
			l += fmt.Sprintf("   [this line %d times]", reps[i])
		}
		fmt.Fprintf(w, "    | %s\n", l)
	}
}
