package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgElem is one element of a parsed chart: its name, attributes and the
// character data directly inside it.
type svgElem struct {
	name  string
	attrs map[string]string
	text  string
}

// parseSVG runs an XML decoder through every token of data, failing the test
// on any error, and returns the elements in document order.
func parseSVG(t testing.TB, data []byte) []svgElem {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var elems []svgElem
	var open []int // indices into elems of the enclosing elements
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := svgElem{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			elems = append(elems, e)
			open = append(open, len(elems)-1)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				elems[open[len(open)-1]].text += string(tok)
			}
		}
	}
	if len(elems) == 0 || elems[0].name != "svg" {
		t.Fatalf("root element is not svg:\n%s", data)
	}
	return elems
}

func withClass(elems []svgElem, class string) []svgElem {
	var out []svgElem
	for _, e := range elems {
		if e.attrs["class"] == class {
			out = append(out, e)
		}
	}
	return out
}

func texts(elems []svgElem) []string {
	var out []string
	for _, e := range elems {
		out = append(out, e.text)
	}
	return out
}

func testRow(name string, ratio, lo, hi float64) result {
	return result{
		Row: name, Unit: "puts", Runs: 3, Ratio: ratio, RatioMin: lo, RatioMax: hi,
		Bolt:  engineResult{OpsPerSec: 1000 * ratio},
		BBolt: engineResult{OpsPerSec: 1000},
	}
}

var testMeta = chartMeta{n: 100000, runs: 3, goos: "linux", goarch: "amd64", cpus: 2, goVersion: "go1.99"}

func renderTest(t testing.TB, rows []result) ([]byte, []svgElem) {
	t.Helper()
	var buf bytes.Buffer
	if err := renderChart(&buf, rows, testMeta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), parseSVG(t, buf.Bytes())
}

// TestRenderChart_Rows checks that each row gets one bar, its name and its
// ratio, colored by which engine is faster, and that the chart has its
// title, subtitle and parity line.
func TestRenderChart_Rows(t *testing.T) {
	rows := []result{
		testRow("seq-insert", 1.84, 1.70, 1.95),
		testRow("rand-get/1g", 0.92, 0.90, 0.95),
		testRow("scan", 1.0, 1.0, 1.0),
	}
	_, elems := renderTest(t, rows)

	bars := withClass(elems, "bar")
	if len(bars) != len(rows) {
		t.Fatalf("%d bars for %d rows", len(bars), len(rows))
	}
	if got, want := texts(withClass(elems, "name")), []string{"seq-insert", "rand-get/1g", "scan"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	if got, want := texts(withClass(elems, "ratio")), []string{"1.84×", "0.92×", "1.00×"}; !slices.Equal(got, want) {
		t.Errorf("ratio labels %q, want %q", got, want)
	}
	// Rows with no spread over the runs have no whisker.
	if got := len(withClass(elems, "whisker")); got != 2 {
		t.Errorf("%d whiskers, want 2", got)
	}
	if bars[0].attrs["fill"] == bars[1].attrs["fill"] {
		t.Errorf("faster and slower bars share fill %s", bars[0].attrs["fill"])
	}
	if bars[0].attrs["fill"] != bars[2].attrs["fill"] {
		t.Errorf("a 1.00× bar is filled %s, a faster one %s; want the same", bars[2].attrs["fill"], bars[0].attrs["fill"])
	}

	parity := withClass(elems, "parity")
	if len(parity) != 1 || parity[0].name != "line" || parity[0].attrs["x1"] != parity[0].attrs["x2"] {
		t.Fatalf("parity line: %+v, want one vertical line", parity)
	}
	if got := texts(withClass(elems, "parity-label")); !slices.Equal(got, []string{"bbolt = 1.0×"}) {
		t.Errorf("parity label %q", got)
	}
	// The bars of the faster and the slower row start at the parity line
	// and extend to either side of it.
	px := attrFloat(t, parity[0], "x1")
	if x := attrFloat(t, bars[0], "x"); math.Abs(x-px) > 0.1 {
		t.Errorf("faster bar starts at x=%v, parity at %v", x, px)
	}
	if x, w := attrFloat(t, bars[1], "x"), attrFloat(t, bars[1], "width"); math.Abs(x+w-px) > 0.1 {
		t.Errorf("slower bar ends at x=%v, parity at %v", x+w, px)
	}

	if got := texts(withClass(elems, "title")); !slices.Equal(got, []string{"bolt vs bbolt, head-to-head"}) {
		t.Errorf("title %q", got)
	}
	sub := strings.Join(texts(withClass(elems, "subtitle")), "\n")
	for _, want := range []string{"n=100,000 keys", "runs=3", "linux/amd64", "2 CPUs", "go1.99", "higher is better for bolt"} {
		if !strings.Contains(strings.ToLower(sub), strings.ToLower(want)) {
			t.Errorf("subtitle lacks %q:\n%s", want, sub)
		}
	}
}

func attrFloat(t testing.TB, e svgElem, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attrs[name], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", e.name, name, e.attrs[name], err)
	}
	return v
}

// TestRenderChart_EscapesNames checks that a row name with XML
// metacharacters is escaped in the file and reads back unchanged.
func TestRenderChart_EscapesNames(t *testing.T) {
	const name = `a<&>"b'`
	raw, elems := renderTest(t, []result{testRow(name, 1.5, 1.4, 1.6)})
	if bytes.Contains(raw, []byte("a<&>")) {
		t.Errorf("name written unescaped:\n%s", raw)
	}
	if got := texts(withClass(elems, "name")); !slices.Equal(got, []string{name}) {
		t.Errorf("names %q, want %q", got, name)
	}
	var tips []string
	for _, e := range elems {
		if e.name == "title" {
			tips = append(tips, e.text)
		}
	}
	if len(tips) != 1 || !strings.HasPrefix(tips[0], name+": 1.50×") {
		t.Errorf("bar tooltips %q, want one for %q", tips, name)
	}
}

// TestRenderChart_NoRows checks that an empty chart is still valid SVG.
func TestRenderChart_NoRows(t *testing.T) {
	_, elems := renderTest(t, nil)
	if n := len(withClass(elems, "bar")); n != 0 {
		t.Errorf("%d bars, want 0", n)
	}
	if n := len(withClass(elems, "parity")); n != 1 {
		t.Errorf("%d parity lines, want 1", n)
	}
}

// TestScale_LogOrLinear checks when the axis turns logarithmic, and that
// every axis holds its values and 1 and has a tick at 1.
func TestScale_LogOrLinear(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		log    bool
	}{
		{"near parity", []float64{0.95, 1.02, 1.1}, false},
		{"all equal", []float64{1, 1, 1}, false},
		{"moderate", []float64{0.8, 1.3, 1.6}, false},
		{"all faster", []float64{1.2, 2.5, 2.9}, false},
		{"just over the span", []float64{0.9, 2.8}, true},
		{"wide", []float64{0.25, 1.5, 8}, true},
		{"much slower", []float64{0.1, 0.5, 0.9}, true},
		{"very wide", []float64{1.0 / 300, 300}, true},
		{"bad values ignored", []float64{0, math.NaN(), math.Inf(1), 1.1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScale(tc.values, 100, 600)
			if s.log != tc.log {
				t.Errorf("log = %v, want %v (domain %v..%v)", s.log, tc.log, s.lo, s.hi)
			}
			if !(s.lo > 0 || !s.log) || s.lo > 1 || s.hi < 1 {
				t.Errorf("domain %v..%v does not hold 1", s.lo, s.hi)
			}
			if !slices.Contains(s.ticks, 1) {
				t.Errorf("ticks %v lack 1", s.ticks)
			}
			if len(s.ticks) < 2 || len(s.ticks) > 10 {
				t.Errorf("%d ticks %v, want 2 to 10", len(s.ticks), s.ticks)
			}
			if !slices.IsSorted(s.ticks) || s.ticks[0] < s.lo || s.ticks[len(s.ticks)-1] > s.hi {
				t.Errorf("ticks %v not ascending within %v..%v", s.ticks, s.lo, s.hi)
			}
			for _, v := range tc.values {
				if v > 0 && !math.IsInf(v, 1) && (v < s.lo || v > s.hi) {
					t.Errorf("value %v outside domain %v..%v", v, s.lo, s.hi)
				}
				if x := s.x(v); !(x >= 100 && x <= 600) {
					t.Errorf("x(%v) = %v, outside the plot", v, x)
				}
			}
		})
	}
	if !useLogScale(0.25, 8) || useLogScale(0.8, 1.6) {
		t.Errorf("useLogScale: want log for 0.25..8 and linear for 0.8..1.6")
	}
	// On a log axis a factor is the same distance either side of parity.
	s := newScale([]float64{0.25, 4}, 0, 400)
	if l, r := s.x(1)-s.x(0.5), s.x(2)-s.x(1); math.Abs(l-r) > 1e-9 {
		t.Errorf("log axis: 0.5× is %v left of parity, 2× %v right", l, r)
	}
}

func TestTickLabel(t *testing.T) {
	for v, want := range map[float64]string{1: "1×", 4: "4×", 0.5: "0.5×", 0.125: "0.125×", 1.2: "1.2×", 0.3: "0.3×"} {
		if got := tickLabel(v); got != want {
			t.Errorf("tickLabel(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestRun_SVG runs a cheap workload with -svg, alone and with -json, and
// checks that the chart has a bar for each row the run reported.
func TestRun_SVG(t *testing.T) {
	for _, jsonOut := range []bool{false, true} {
		t.Run("json="+strconv.FormatBool(jsonOut), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h2h.svg")
			args := []string{"-quick", "-n", "200", "-only", "rand-get", "-svg", path, "-dir", t.TempDir()}
			if jsonOut {
				args = append(args, "-json")
			}
			var stdout, stderr bytes.Buffer
			if err := run(args, &stdout, &stderr); err != nil {
				t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			elems := parseSVG(t, data)
			want := []string{"rand-get/1g", "rand-get/2g"}
			if got := texts(withClass(elems, "name")); !slices.Equal(got, want) {
				t.Errorf("chart rows %q, want %q", got, want)
			}
			if n := len(withClass(elems, "bar")); n != len(want) {
				t.Errorf("%d bars, want %d", n, len(want))
			}
			if !jsonOut {
				if !strings.Contains(stdout.String(), "\nsummary: ") {
					t.Errorf("table lacks the summary:\n%s", stdout.String())
				}
				return
			}
			// -svg leaves stdout to the JSON rows.
			var got []string
			sc := bufio.NewScanner(&stdout)
			for sc.Scan() {
				var res result
				if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
					t.Fatalf("stdout line %q: %v", sc.Text(), err)
				}
				got = append(got, res.Row)
			}
			if !slices.Equal(got, want) {
				t.Errorf("JSON rows %q, want %q", got, want)
			}
		})
	}
}

// TestRun_SVGUnwritable checks that an -svg path that cannot be written is
// an error before any workload runs, and that the check leaves nothing
// behind.
func TestRun_SVGUnwritable(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing directory": filepath.Join(dir, "nosuch", "h2h.svg"),
		"a directory":       dir,
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run([]string{"-quick", "-n", "200", "-only", "scan", "-svg", path, "-dir", t.TempDir()}, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), "-svg") {
				t.Fatalf("run = %v, want an -svg error", err)
			}
			if strings.Contains(stderr.String(), "scan") {
				t.Errorf("the workload ran before the error:\n%s", stderr.String())
			}
		})
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("left in %s: %v %v", dir, left, err)
	}
}
