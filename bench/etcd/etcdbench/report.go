package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// sample is one build's figures from one round.
type sample struct {
	Build   string             `json:"build"`
	Round   int                `json:"round"`
	Metrics map[string]float64 `json:"metrics"`
}

// metric describes one figure of a sample.
type metric struct {
	key    string
	name   string // the table's and the chart's row label
	unit   string
	higher bool // higher is better (throughput); else lower is (time)
	// ratio: the row gets a bolt-versus-bbolt factor and a bar in the
	// chart. Sizes and residency are context, not a contest.
	ratio bool
	// target, if set, says whether the row meets its target given the
	// medians and the median factor, and states the target.
	target func(bbolt, bolt, factor float64) bool
	goal   string
}

// metrics are the report's rows, in order.
var metrics = []metric{
	{key: "put_rps", name: "puts/s, 256-byte values", unit: "/s", higher: true, ratio: true,
		target: func(a, b, f float64) bool { return f >= 1 }, goal: "≥ bbolt"},
	{key: "put_p50_ms", name: "put p50", unit: "ms", ratio: true},
	{key: "put_p99_ms", name: "put p99", unit: "ms", ratio: true},
	{key: "fill_rps", name: "fill puts/s, 1000-byte values", unit: "/s", higher: true, ratio: true},
	{key: "busy_put_p99_ms", name: "put p99 during ranges", unit: "ms", ratio: true,
		target: func(a, b, f float64) bool { return b <= a }, goal: "≤ bbolt"},
	{key: "busy_put_max_ms", name: "longest put during ranges", unit: "ms", ratio: true,
		target: func(a, b, f float64) bool { return b <= 50 }, goal: "≤ 50 ms"},
	{key: "busy_commit_max_ms", name: "longest backend commit during ranges, at most", unit: "ms"},
	{key: "range_s", name: "whole-keyspace range", unit: "s", ratio: true},
	{key: "restart_s", name: "restart to first read, cold", unit: "s", ratio: true,
		target: func(a, b, f float64) bool { return f >= 3 }, goal: "≥ 3× faster"},
	{key: "restart_open_s", name: "restart: opening the backend", unit: "s", ratio: true},
	{key: "restart_index_s", name: "restart: rebuilding the index", unit: "s", ratio: true},
	{key: "compact_s", name: "compaction", unit: "s", ratio: true},
	{key: "defrag_s", name: "defragmentation", unit: "s", ratio: true,
		target: func(a, b, f float64) bool { return f >= 3 }, goal: "≥ 3× faster"},
	{key: "db_mib", name: "backend size before restart", unit: "MiB"},
	{key: "db_defrag_mib", name: "backend size after defragmentation", unit: "MiB"},
	{key: "resident_pct", name: "backend cached after eviction", unit: "%"},
	{key: "rss_peak_mib", name: "peak RSS, puts and ranges", unit: "MiB"},
}

// row is one metric folded over the rounds.
type row struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	BBolt  float64 `json:"bbolt"` // median over the rounds
	Bolt   float64 `json:"bolt"`
	Factor float64 `json:"factor,omitempty"` // median per-round factor; > 1: bolt better
	Min    float64 `json:"factor_min,omitempty"`
	Max    float64 `json:"factor_max,omitempty"`
	Goal   string  `json:"target,omitempty"`
	Met    *bool   `json:"met,omitempty"`
}

// report is a finished run.
type report struct {
	Release string   `json:"release"`
	Mode    string   `json:"mode"`
	Rounds  int      `json:"rounds"`
	Go      string   `json:"go"`
	CPUs    int      `json:"cpus"`
	Elapsed string   `json:"elapsed"`
	Rows    []row    `json:"rows"`
	Samples []sample `json:"samples"`
	sizes   sizes
	elapsed time.Duration
}

// factor is how many times better bolt's figure is than bbolt's: bolt over
// bbolt for throughput, bbolt over bolt for times. 0 when undefined.
func factor(m metric, bbolt, bolt float64) float64 {
	if m.higher {
		bbolt, bolt = bolt, bbolt
	}
	if bolt <= 0 || bbolt <= 0 {
		return 0
	}
	return bbolt / bolt
}

// median of v (which it sorts); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// fold turns the samples into rows: each build's median per metric and,
// for ratio rows, the median, lowest and highest per-round factor.
func fold(samples []sample) []row {
	var rows []row
	for _, m := range metrics {
		var a, b, f []float64
		rounds := map[int][2]float64{}
		seen := map[int][2]bool{}
		for _, s := range samples {
			v, ok := s.Metrics[m.key]
			if !ok {
				continue
			}
			i := 0
			if s.Build == "bolt" {
				i = 1
				b = append(b, v)
			} else {
				a = append(a, v)
			}
			r, sn := rounds[s.Round], seen[s.Round]
			r[i], sn[i] = v, true
			rounds[s.Round], seen[s.Round] = r, sn
		}
		if len(a) == 0 && len(b) == 0 {
			continue
		}
		rw := row{Key: m.key, Name: m.name, Unit: m.unit, BBolt: median(a), Bolt: median(b)}
		if m.ratio {
			for round, v := range rounds {
				if sn := seen[round]; sn[0] && sn[1] {
					if x := factor(m, v[0], v[1]); x > 0 {
						f = append(f, x)
					}
				}
			}
			if len(f) > 0 {
				rw.Factor = median(f) // sorts f
				rw.Min, rw.Max = f[0], f[len(f)-1]
			}
		}
		if m.target != nil {
			met := m.target(rw.BBolt, rw.Bolt, rw.Factor)
			rw.Goal, rw.Met = m.goal, &met
		}
		rows = append(rows, rw)
	}
	return rows
}

func newReport(c *config, samples []sample, elapsed time.Duration) *report {
	return &report{
		Release: c.label, Mode: c.mode, Rounds: c.rounds,
		Go: runtime.Version(), CPUs: runtime.NumCPU(),
		Elapsed: elapsed.Round(time.Second).String(),
		Rows:    fold(samples), Samples: samples,
		sizes: c.sz, elapsed: elapsed,
	}
}

// value formats a figure for the table.
func value(v float64, unit string) string {
	switch {
	case unit == "/s" || unit == "MiB":
		return fmt.Sprintf("%.0f", v)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// markdown writes the table.
func (r *report) markdown(w io.Writer) {
	fmt.Fprintf(w, "%s, %s mode, %d round(s), %s, %d CPUs, %s\n\n", r.Release, r.Mode, r.Rounds, r.Go, r.CPUs, r.Elapsed)
	fmt.Fprintln(w, "| | bbolt | bolt | bolt vs bbolt | target | met |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---|")
	for _, rw := range r.Rows {
		unit := rw.Unit
		if unit == "/s" {
			unit = ""
		}
		name := rw.Name
		if unit != "" {
			name += " (" + unit + ")"
		}
		f := ""
		if rw.Factor > 0 {
			f = fmt.Sprintf("%.2f×", rw.Factor)
			if rw.Max > rw.Min {
				f += fmt.Sprintf(" (%.2f–%.2f)", rw.Min, rw.Max)
			}
		}
		met := ""
		if rw.Met != nil {
			met = "no"
			if *rw.Met {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", name, value(rw.BBolt, rw.Unit), value(rw.Bolt, rw.Unit), f, rw.Goal, met)
	}
	fmt.Fprintln(w, "\nbolt vs bbolt: how many times better bolt's figure is (throughput: bolt/bbolt; times: bbolt/bolt), the median of the rounds' factors, with the lowest and highest in parentheses.")
}

// write writes results.json, results.md and etcd.svg to dir and the table
// to stdout.
func (r *report) write(dir string, stdout io.Writer) error {
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	var md strings.Builder
	r.markdown(&md)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	svg, err := renderChart(r)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "etcd.svg"), svg, 0o644); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, md.String())
	return err
}
