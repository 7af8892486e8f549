package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// engineResult is one engine's side of a row: medians over the runs.
type engineResult struct {
	Ops           float64            `json:"ops"`
	OpsPerSec     float64            `json:"ops_per_sec"`
	NsPerOp       float64            `json:"ns_per_op"`
	AllocsPerOp   float64            `json:"allocs_per_op"`
	OpsPerSecRuns []float64          `json:"ops_per_sec_runs"`
	Figures       map[string]float64 `json:"figures,omitempty"`
	figs          []figure           // the same medians, in the workload's order
}

// result is one output row.
type result struct {
	Row      string       `json:"workload"`
	Unit     string       `json:"unit"`
	Runs     int          `json:"runs"`
	Ratio    float64      `json:"ratio"` // median over runs of bolt ops/s / bbolt ops/s
	RatioMin float64      `json:"ratio_min"`
	RatioMax float64      `json:"ratio_max"`
	Bolt     engineResult `json:"bolt"`
	BBolt    engineResult `json:"bbolt"`
	Skipped  string       `json:"skipped,omitempty"` // set instead of the figures when the row could not run
}

// fold turns each engine's phases of one row (one per run) into a result.
// The ratio pairs run r of bolt with run r of bbolt, which ran right after it.
func fold(rw row, per [len(kinds)][]phase) result {
	res := result{Row: rw.name, Unit: rw.unit, Runs: len(per[0])}
	if res.Skipped = skippedReason(per); res.Skipped != "" {
		return res
	}
	sides := [len(kinds)]*engineResult{&res.Bolt, &res.BBolt}
	for ki, phs := range per {
		er := sides[ki]
		var ops, nsop, allocs []float64
		for _, p := range phs {
			ops = append(ops, float64(p.ops))
			ps := float64(p.ops) / p.elapsed.Seconds()
			er.OpsPerSecRuns = append(er.OpsPerSecRuns, ps)
			nsop = append(nsop, float64(p.elapsed.Nanoseconds())/float64(p.ops))
			allocs = append(allocs, float64(p.mallocs)/float64(p.ops))
		}
		er.Ops = median(ops)
		er.OpsPerSec = median(er.OpsPerSecRuns)
		er.NsPerOp = median(nsop)
		er.AllocsPerOp = median(allocs)
		for fi, f := range phs[0].figures {
			var vs []float64
			for _, p := range phs {
				vs = append(vs, p.figures[fi].value)
			}
			m := figure{f.name, f.unit, median(vs)}
			er.figs = append(er.figs, m)
			if er.Figures == nil {
				er.Figures = map[string]float64{}
			}
			er.Figures[jsonName(m)] = m.value
		}
	}
	var ratios []float64
	for r := range res.Runs {
		ratios = append(ratios, res.Bolt.OpsPerSecRuns[r]/res.BBolt.OpsPerSecRuns[r])
	}
	res.Ratio = median(ratios)
	res.RatioMin = slices.Min(ratios)
	res.RatioMax = slices.Max(ratios)
	return res
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func jsonName(f figure) string {
	name := strings.NewReplacer(" ", "_", ">", "_over_", "/", "_per_").Replace(f.name)
	if f.unit != "" {
		name += "_" + strings.ToLower(f.unit)
	}
	return name
}

// reporter prints the rows as a fixed-width table, or as JSON lines.
// The summary line goes to the table's writer, or to the progress writer
// when the rows are JSON.
type reporter struct {
	w, progress io.Writer
	json        bool
	results     []result
}

func newReporter(w, progress io.Writer, jsonOut bool) *reporter {
	return &reporter{w: w, progress: progress, json: jsonOut}
}

const rowFormat = "%-24s %-7s %12s %12s %6s %-13s %11s %11s %11s %12s  %s\n"

func (r *reporter) header(c *config) {
	if r.json {
		return
	}
	fmt.Fprintf(r.w, "bolt vs bbolt head to head: n=%d keys (%d B keys, %d B values), runs=%d per engine (A B, B A, ...), %s/%s, %d CPUs, %s\n\n",
		c.n, keySize, valueSize, c.runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(r.w, rowFormat, "row", "unit", "bolt ops/s", "bbolt ops/s", "ratio", "[min-max]",
		"bolt ns/op", "bbolt ns/op", "bolt allocs", "bbolt allocs", "figures bolt/bbolt")
}

// footer explains the columns once the rows are out.
func (r *reporter) footer() {
	if r.json || len(r.results) == 0 {
		return
	}
	fmt.Fprintf(r.w, "\nops/s, ns/op, allocs (heap allocations per op) and figures are medians over the runs; ratio is the median over\n"+
		"the A/B pairs of bolt ops/s / bbolt ops/s, with the lowest and highest pair in brackets (> 1: bolt faster).\n")
}

func (r *reporter) row(res result) error {
	if res.Skipped != "" {
		return r.skippedRow(res)
	}
	r.results = append(r.results, res)
	if r.json {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(r.w, "%s\n", b)
		return err
	}
	var figs []string
	for i, f := range res.Bolt.figs {
		figs = append(figs, fmt.Sprintf("%s %s/%s%s", f.name, num(f.value), num(res.BBolt.figs[i].value), f.unit))
	}
	_, err := fmt.Fprintf(r.w, rowFormat, res.Row, res.Unit,
		grouped(res.Bolt.OpsPerSec), grouped(res.BBolt.OpsPerSec),
		fmt.Sprintf("%.2fx", res.Ratio), fmt.Sprintf("[%.2f-%.2f]", res.RatioMin, res.RatioMax),
		grouped(res.Bolt.NsPerOp), grouped(res.BBolt.NsPerOp),
		num(res.Bolt.AllocsPerOp), num(res.BBolt.AllocsPerOp),
		strings.Join(figs, "  "))
	return err
}

// tie is how far from 1 a median ratio may be and still count as even.
const tie = 0.03

// geoMean is the geometric mean of the rows' ratios; rows must not be empty.
func geoMean(rows []result) float64 {
	logSum := 0.0
	for _, r := range rows {
		logSum += math.Log(r.Ratio)
	}
	return math.Exp(logSum / float64(len(rows)))
}

func (r *reporter) summary(elapsed time.Duration) {
	if len(r.results) == 0 {
		return
	}
	w := r.w
	if r.json {
		w = r.progress
	}
	var faster, even, slower []string
	for _, res := range r.results {
		label := fmt.Sprintf("%s %.2fx", res.Row, res.Ratio)
		switch {
		case res.Ratio > 1+tie:
			faster = append(faster, label)
		case res.Ratio < 1-tie:
			slower = append(slower, label)
		default:
			even = append(even, label)
		}
	}
	r.footer()
	geo := geoMean(r.results)
	fmt.Fprintf(w, "\nsummary: bolt/bbolt geometric mean %.2fx over %d rows; bolt faster in %d, within %.0f%% in %d, slower in %d",
		geo, len(r.results), len(faster), tie*100, len(even), len(slower))
	if len(slower) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(slower, ", "))
	}
	fmt.Fprintf(w, "; %s\n", elapsed.Round(time.Second))
}

// grouped formats v rounded to an integer with thousands separators.
func grouped(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// num formats v with about three significant digits.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100 || a == math.Trunc(a):
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}
