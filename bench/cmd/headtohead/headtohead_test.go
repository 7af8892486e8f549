package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRun_QuickJSON runs every workload once on a tiny database and checks
// that each row reports a throughput for both engines and that no database
// file is left behind.
func TestRun_QuickJSON(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-quick", "-n", "2000", "-runs", "1", "-grow-mib", "4", "-hold", "20ms", "-json", "-dir", dir}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}

	want := map[string]bool{}
	for _, w := range workloads {
		for _, r := range w.rows {
			want[r.name] = true
		}
	}
	got := map[string]bool{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var res result
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if !want[res.Row] {
			t.Errorf("unexpected row %q", res.Row)
		}
		if got[res.Row] {
			t.Errorf("row %q printed twice", res.Row)
		}
		got[res.Row] = true
		if res.Runs != 1 {
			t.Errorf("%s: runs = %d, want 1", res.Row, res.Runs)
		}
		for name, er := range map[string]engineResult{"bolt": res.Bolt, "bbolt": res.BBolt} {
			if !(er.OpsPerSec > 0) || !(er.NsPerOp > 0) || len(er.OpsPerSecRuns) != 1 {
				t.Errorf("%s %s: ops/s %v, ns/op %v, runs %v; want positive", res.Row, name, er.OpsPerSec, er.NsPerOp, er.OpsPerSecRuns)
			}
		}
		if !(res.Ratio > 0) || res.RatioMin > res.Ratio || res.Ratio > res.RatioMax {
			t.Errorf("%s: ratio %v not within [%v, %v]", res.Row, res.Ratio, res.RatioMin, res.RatioMax)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for name := range want {
		if !got[name] {
			t.Errorf("row %q missing", name)
		}
	}

	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind in -dir: %s", e.Name())
	}
}

// TestRun_Table checks the table layout on one cheap workload.
func TestRun_Table(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"-quick", "-n", "500", "-only", "scan,rand-get", "-dir", t.TempDir()}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"bolt ops/s", "bbolt ops/s", "\nscan ", "\nrand-get/1g ", "\nrand-get/2g ", "\nsummary: bolt/bbolt geometric mean", "over 3 rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRun_BadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-only", "nosuch"},
		{"-n", "10"},
		{"-runs", "0"},
		{"extra"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(append(args, "-dir", t.TempDir()), &stdout, &stderr); err == nil {
				t.Errorf("run(%q) succeeded, want an error", args)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		n    int
		q    float64
		want int
	}{
		{100, 0.5, 50}, {100, 0.99, 99}, {1000, 0.99, 990}, {1, 0.99, 1}, {3, 0.5, 2},
	} {
		ds := make([]time.Duration, tc.n)
		for i := range ds {
			ds[i] = time.Duration(i + 1)
		}
		if got := percentile(ds, tc.q); got != time.Duration(tc.want) {
			t.Errorf("percentile(1..%d, %v) = %d, want %d", tc.n, tc.q, got, tc.want)
		}
	}
}
