package main

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toolOutput is the end of a real `benchmark put` run (etcd v3.6.8), after
// the client's log lines and the progress bar.
const toolOutput = `2026/12/05 18:06:12 INFO: [core] [Channel #3]Channel created
 10000 / 10000 [-------------------------------------------] 100.00% 11211 p/s

Summary:
  Total:	0.891919293 secs.
  Slowest:	0.050135125 secs.
  Fastest:	0.000568334 secs.
  Average:	0.008703133295299975 secs.
  Stddev:	0.004390551888051529 secs.
  Requests/sec:	11211.776758819366

Response time histogram:
  0.000568334 [1]	|
  0.005525013100000001 [2164]	|∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎
  0.050135125 [1]	|

Latency distribution:
  10% in 0.0046335 secs.
  50% in 0.007434538 secs.
  99% in 0.024603569 secs.
  99.9% in 0.028893417 secs.
`

func TestParseToolReport(t *testing.T) {
	r, err := parseToolReport([]byte(toolOutput))
	require.NoError(t, err)
	assert.InDelta(t, 0.891919293, r.Total, 1e-12)
	assert.InDelta(t, 0.050135125, r.Slowest, 1e-12)
	assert.InDelta(t, 0.000568334, r.Fastest, 1e-12)
	assert.InDelta(t, 11211.776758819366, r.RPS, 1e-9)
	assert.InDelta(t, 0.007434538, r.Pct[50], 1e-12)
	assert.InDelta(t, 0.024603569, r.Pct[99], 1e-12)
	assert.InDelta(t, 0.028893417, r.Pct[99.9], 1e-12)
	assert.Empty(t, r.Errors)
}

func TestParseToolReport_Failures(t *testing.T) {
	for _, tc := range []struct {
		name, out, want string
	}{
		{"no summary", "Error: context deadline exceeded\n", "no summary"},
		{"errors listed", toolOutput + "\nError distribution:\n  [3]\tetcdserver: mvcc: database space exceeded\n", "database space exceeded"},
		{"bad number", "Summary:\n  Total:\tabc secs.\n", "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseToolReport([]byte(tc.out))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func samples(vals map[string][][2]float64) []sample {
	var out []sample
	for key, rounds := range vals {
		for i, v := range rounds {
			out = append(out,
				sample{Build: "bbolt", Round: i + 1, Metrics: map[string]float64{key: v[0]}},
				sample{Build: "bolt", Round: i + 1, Metrics: map[string]float64{key: v[1]}})
		}
	}
	return out
}

func rowOf(t *testing.T, rows []row, key string) row {
	t.Helper()
	for _, r := range rows {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no row %s", key)
	return row{}
}

func TestFold(t *testing.T) {
	rows := fold(samples(map[string][][2]float64{
		// Throughput: factor bolt/bbolt per round: 2, 1, 0.5.
		"put_rps": {{100, 200}, {100, 100}, {100, 50}},
		// Time: factor bbolt/bolt per round: 4, 3, 2.
		"restart_s": {{8, 2}, {9, 3}, {10, 5}},
		// Absolute target: bolt's median 40 ms ≤ 50 ms.
		"busy_put_max_ms": {{300, 40}, {200, 60}, {100, 30}},
		// Context row: no factor.
		"db_mib": {{1400, 1400}},
	}))

	put := rowOf(t, rows, "put_rps")
	assert.Equal(t, 100.0, put.BBolt)
	assert.Equal(t, 100.0, put.Bolt)
	assert.Equal(t, 1.0, put.Factor)
	assert.Equal(t, 0.5, put.Min)
	assert.Equal(t, 2.0, put.Max)
	require.NotNil(t, put.Met)
	assert.True(t, *put.Met, "factor 1 meets ≥ bbolt")

	rs := rowOf(t, rows, "restart_s")
	assert.Equal(t, 3.0, rs.Factor)
	assert.Equal(t, 2.0, rs.Min)
	assert.Equal(t, 4.0, rs.Max)
	require.NotNil(t, rs.Met)
	assert.True(t, *rs.Met)

	st := rowOf(t, rows, "busy_put_max_ms")
	assert.Equal(t, 40.0, st.Bolt)
	require.NotNil(t, st.Met)
	assert.True(t, *st.Met)

	db := rowOf(t, rows, "db_mib")
	assert.Zero(t, db.Factor)
	assert.Nil(t, db.Met)

	for _, r := range rows {
		assert.NotEqual(t, "defrag_s", r.Key, "a metric without samples gets no row")
	}
}

func TestFold_TargetMissed(t *testing.T) {
	rows := fold(samples(map[string][][2]float64{
		"defrag_s":        {{3, 2}},
		"busy_put_p99_ms": {{10, 11}},
	}))
	d := rowOf(t, rows, "defrag_s")
	assert.InDelta(t, 1.5, d.Factor, 1e-12)
	require.NotNil(t, d.Met)
	assert.False(t, *d.Met, "1.5× is short of 3×")
	p := rowOf(t, rows, "busy_put_p99_ms")
	require.NotNil(t, p.Met)
	assert.False(t, *p.Met, "bolt's p99 above bbolt's")
}

func TestRenderChart(t *testing.T) {
	rows := fold(samples(map[string][][2]float64{
		"put_rps":   {{100, 90}, {100, 110}},
		"restart_s": {{8, 2}, {9, 3}},
		"db_mib":    {{1400, 1400}},
	}))
	svg, err := renderChart(&report{Release: "etcd v3.6.8", Mode: "full", Rounds: 2, CPUs: 2, Go: "go1.26", Rows: rows})
	require.NoError(t, err)

	// Well-formed XML, one bar (a rect with a title) per ratio row.
	d := xml.NewDecoder(bytes.NewReader(svg))
	bars := 0
	var texts []string
	var inText bool
	for {
		tok, err := d.Token()
		if err != nil {
			require.ErrorContains(t, err, "EOF")
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "text"
			if e.Name.Local == "title" {
				bars++
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(e))
			}
		case xml.EndElement:
			inText = false
		}
	}
	assert.Equal(t, 2, bars, "put_rps and restart_s; db_mib is context")
	all := strings.Join(texts, "\n")
	assert.Contains(t, all, "1.00×", "put_rps: factors 0.9 and 1.1, median 1.00")
	assert.Contains(t, all, "3.50×", "restart_s: factors 4 and 3")
	assert.Contains(t, all, "restart to first read, cold")
	assert.NotContains(t, all, "backend size")
}

func TestAxis(t *testing.T) {
	lin := newAxis([]float64{0.8, 1.6}, 0, 100)
	assert.False(t, lin.log)
	assert.LessOrEqual(t, lin.lo, 0.8)
	assert.GreaterOrEqual(t, lin.hi, 1.6)
	assert.InDelta(t, 0, lin.x(lin.lo), 1e-9)
	assert.InDelta(t, 100, lin.x(lin.hi), 1e-9)
	assert.InDelta(t, 0, lin.x(-1), 1e-9, "clamped")

	lg := newAxis([]float64{0.5, 4}, 0, 90)
	assert.True(t, lg.log, "a span of 8× is drawn on a log axis")
	assert.Equal(t, []float64{0.5, 1, 2, 4}, lg.ticks)
	assert.InDelta(t, 30, lg.x(1), 1e-9, "1× is one octave of three from 0.5×")
}

func TestHistogram_LongestSince(t *testing.T) {
	const name = "etcd_disk_backend_commit_duration_seconds"
	text := func(counts ...int) []byte {
		var b strings.Builder
		b.WriteString("# HELP x\n" + name + "_sum 1\n")
		for i, le := range []string{"0.001", "0.002", "0.004", "+Inf"} {
			b.WriteString(name + `_bucket{le="` + le + `"} ` + strconv.Itoa(counts[i]) + "\n")
		}
		b.WriteString(name + "_count 9\nother_bucket{le=\"1\"} 5\n")
		return []byte(b.String())
	}
	before, err := parseHistogram(text(2, 3, 5, 5), name)
	require.NoError(t, err)
	assert.Len(t, before, 4)
	assert.Equal(t, 5.0, before[math.Inf(1)])

	// Two more commits, one of them between 2 and 4 ms.
	after, err := parseHistogram(text(3, 3, 7, 7), name)
	require.NoError(t, err)
	assert.Equal(t, 0.004, after.longestSince(before))
	assert.Equal(t, 0.0, before.longestSince(before), "no commit in between")

	// One past the last finite bound.
	slow, err := parseHistogram(text(2, 3, 5, 6), name)
	require.NoError(t, err)
	assert.True(t, math.IsInf(slow.longestSince(before), 1))

	_, err = parseHistogram(text(1, 1, 1, 1), "missing")
	require.Error(t, err)
}

func TestParseRestartLog(t *testing.T) {
	// The first start's lines come before the restart's in a shared log;
	// restartLog hands over only the restart's part.
	log := `{"level":"info","ts":"2026-12-05T18:11:00.100000Z","caller":"storage/backend.go:80","msg":"opened backend db","path":"/d/member/snap/db","took":"1.5s"}
not JSON: a line from the Go runtime
{"level":"info","ts":"2026-12-05T18:11:01.000000Z","msg":"something else"}
{"level":"info","ts":"2026-12-05T18:11:04.350000Z","caller":"mvcc/kvstore.go:408","msg":"kvstore restored","current-rev":1441793}
{"level":"info","ts":"2026-12-05T18:11:09.000000Z","msg":"kvstore restored","current-rev":1441793}
`
	p, err := parseRestartLog([]byte(log))
	require.NoError(t, err)
	assert.InDelta(t, 1.5, p.open, 1e-9)
	assert.InDelta(t, 4.25, p.restore, 1e-9, "from the open's line to the first restore line after it")

	_, err = parseRestartLog([]byte(`{"msg":"kvstore restored","ts":"2026-12-05T18:11:04Z"}`))
	require.Error(t, err, "no open line")
	_, err = parseRestartLog([]byte(`{"msg":"opened backend db","ts":"2026-12-05T18:11:04Z","took":"soon"}`))
	require.Error(t, err)
}
