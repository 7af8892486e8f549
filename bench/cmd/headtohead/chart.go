package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// The chart is a horizontal bar chart of result.Ratio, one row per result,
// written as plain SVG so that it can sit in a README without a plotting
// tool. Every row's ratio is bolt ops/s over bbolt ops/s (fold computes it
// that way for all rows, whatever the unit), so higher is better for bolt on
// every row and all rows share one axis. Bars start at parity, 1.0×, and
// reach the median ratio; a whisker spans the lowest to the highest A/B pair.
//
// Text widths cannot be measured without a font, so the layout estimates
// them from a character count with a generous per-character width, which
// fits the common sans-serif fonts (DejaVu Sans, the widest usual one,
// averages about 0.6 em for the characters used here).

// Layout, in pixels. chartWidth is a README's content width or a bit less,
// so GitHub shows the chart at its natural size.
const (
	chartWidth   = 800
	chartMargin  = 16
	rowHeight    = 28
	barHeight    = 16
	plotTop      = 104 // below the title, two subtitle lines and the parity label
	valueColumn  = 124 // right of the plot: "1.84×" and "1.70–1.95"
	nameFontSize = 12
	charWidth    = 0.62 // estimated average glyph width, in em
	minNameWidth = 80
	maxNameWidth = 260 // longer names are shortened; the bar's tooltip has them whole
	plotPad      = 12  // keeps values at the domain's ends off the plot's edges
)

// Colors: blue and orange stay distinct for the common color vision
// deficiencies, unlike green and red.
const (
	colorFaster = "#2f6fb0"
	colorSlower = "#d9822b"
	colorInk    = "#24292f"
	colorMuted  = "#57606a"
	colorGrid   = "#d0d7de"
	colorStripe = "#f6f8fa"
	fontFamily  = "-apple-system, 'Segoe UI', Helvetica, Arial, 'DejaVu Sans', sans-serif"
)

// logSpan is the ratio of the largest to the smallest plotted value above
// which the x axis is logarithmic. On a linear axis 0.5× sits half as far from
// parity as 2×, though both are the same factor; past a factor of 3 that
// distortion hides the slower rows, and a linear axis's fine steps stop
// being readable anyway.
const logSpan = 3.0

// chartMeta is what the subtitle says about the run that produced the rows.
type chartMeta struct {
	n, runs      int
	quick        bool
	goos, goarch string
	cpus         int
	goVersion    string
}

func newChartMeta(c *config, quick bool) chartMeta {
	return chartMeta{
		n: c.n, runs: c.runs, quick: quick,
		goos: runtime.GOOS, goarch: runtime.GOARCH,
		cpus: runtime.NumCPU(), goVersion: runtime.Version(),
	}
}

// checkChartPath fails if path cannot be written, by creating and removing a
// file beside it. run calls it before the workloads, so that a long run does
// not end in an error it could have reported at once, and an existing chart
// is left alone until there is a new one.
func checkChartPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".headtohead-*.svg")
	if err != nil {
		return err
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// writeChart renders the chart of rows and writes it to path. It renders in
// memory first, so a failure leaves no half-written file.
func writeChart(path string, rows []result, meta chartMeta) error {
	var buf bytes.Buffer
	if err := renderChart(&buf, rows, meta); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// scale maps a ratio to an x coordinate, linearly or on a log axis.
type scale struct {
	log    bool
	lo, hi float64   // the domain: ratios at the plot's left and right ends
	x0, x1 float64   // the plot's inner left and right ends, pixels
	ticks  []float64 // ratios to draw grid lines and labels at, ascending
}

// useLogScale reports whether values from lo to hi (0 < lo <= hi) want a
// log axis.
func useLogScale(lo, hi float64) bool {
	return hi/lo > logSpan
}

// newScale picks the axis for the given ratios. The domain always holds 1,
// so the parity line is on the chart; values that are not positive and
// finite are left out of the choice (x clamps them to the ends).
func newScale(values []float64, x0, x1 float64) scale {
	lo, hi := 1.0, 1.0
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 1) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	s := scale{log: useLogScale(lo, hi), x0: x0, x1: x1}
	if s.log {
		// Ticks at powers of two, every k-th octave so that at most
		// maxTicks labels share the width; 2^0 = 1 is always a tick.
		const maxTicks = 9
		elo, ehi := math.Floor(math.Log2(lo)), math.Ceil(math.Log2(hi))
		k := math.Ceil((ehi - elo + 1) / maxTicks)
		elo, ehi = math.Floor(elo/k)*k, math.Ceil(ehi/k)*k
		s.lo, s.hi = math.Exp2(elo), math.Exp2(ehi)
		for e := elo; e <= ehi; e += k {
			s.ticks = append(s.ticks, math.Exp2(e))
		}
		return s
	}
	// A 1-2-5 step giving at most maxSteps intervals; a near-flat chart
	// still gets a span of 0.2 so that small differences do not look large.
	const maxSteps = 7
	if hi-lo < 0.2 {
		mid := (lo + hi) / 2
		lo, hi = max(0, mid-0.1), mid+0.1
	}
	step := niceStep((hi - lo) / maxSteps)
	first, last := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	for i := first; i <= last; i++ {
		// Rounding keeps 0.1-steps from printing as 0.30000000000000004.
		s.ticks = append(s.ticks, math.Round(i*step*1e6)/1e6)
	}
	s.lo, s.hi = s.ticks[0], s.ticks[len(s.ticks)-1]
	return s
}

// niceStep returns the smallest of 1, 2, 5 times a power of ten that is at
// least raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// x returns the x coordinate of ratio v, clamped to the plot.
func (s scale) x(v float64) float64 {
	if !(v > s.lo) { // also catches NaN
		v = s.lo
	}
	v = min(v, s.hi)
	f := (v - s.lo) / (s.hi - s.lo)
	if s.log {
		f = math.Log(v/s.lo) / math.Log(s.hi/s.lo)
	}
	return s.x0 + f*(s.x1-s.x0)
}

// tickLabel formats an axis tick: "4×", "0.5×", "0.125×", "1.2×".
func tickLabel(v float64) string {
	if v >= 1 || !(v > 0) {
		return strconv.FormatFloat(v, 'f', -1, 64) + "×"
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + "×"
}

// ratioLabel formats a row's ratio as the table does, to two decimals.
func ratioLabel(v float64) string { return fmt.Sprintf("%.2f×", v) }

// esc escapes s for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder cannot fail
	return b.String()
}

// textWidth estimates the rendered width of s at size px.
func textWidth(s string, size float64) float64 {
	return float64(len([]rune(s))) * size * charWidth
}

// shorten cuts s to fit width at size px, marking the cut with an ellipsis.
func shorten(s string, width, size float64) string {
	r := []rune(s)
	fit := int(width / (size * charWidth))
	if len(r) <= fit || fit < 2 {
		return s
	}
	return string(r[:fit-1]) + "…"
}

// renderChart writes the SVG chart of rows to w.
func renderChart(w io.Writer, rows []result, meta chartMeta) error {
	nameWidth := float64(minNameWidth)
	for _, r := range rows {
		nameWidth = max(nameWidth, textWidth(r.Row, nameFontSize))
	}
	nameWidth = min(nameWidth, maxNameWidth)
	nameRight := chartMargin + nameWidth
	plotLeft := nameRight + 12
	plotRight := float64(chartWidth - chartMargin - valueColumn)

	var values []float64
	for _, r := range rows {
		values = append(values, r.Ratio, r.RatioMin, r.RatioMax)
	}
	sc := newScale(values, plotLeft+plotPad, plotRight-plotPad)
	plotBottom := float64(plotTop + max(len(rows), 1)*rowHeight)
	height := plotBottom + 76

	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" font-family="%s" font-size="%d" fill="%s">`+"\n",
		chartWidth, height, chartWidth, height, esc(fontFamily), nameFontSize, colorInk)
	p(`<rect class="background" x="0" y="0" width="%d" height="%.0f" fill="#ffffff"/>`+"\n", chartWidth, height)

	// Title and subtitle.
	setting := fmt.Sprintf("n=%s keys, runs=%d per engine", grouped(float64(meta.n)), meta.runs)
	if meta.quick {
		setting += " (-quick)"
	}
	setting += fmt.Sprintf(", %s/%s, %d CPUs, %s", meta.goos, meta.goarch, meta.cpus, meta.goVersion)
	p(`<text class="title" x="%d" y="28" font-size="18" font-weight="bold">bolt vs bbolt, head-to-head</text>`+"\n", chartMargin)
	p(`<text class="subtitle" x="%d" y="50" fill="%s">%s</text>`+"\n", chartMargin, colorMuted, esc(setting))
	explain := "bolt ops/s ÷ bbolt ops/s: bar = median over the runs, whisker = min–max. Higher is better for bolt."
	if meta.runs == 1 {
		explain = "bolt ops/s ÷ bbolt ops/s, one run each, so no min–max whisker. Higher is better for bolt."
	}
	p(`<text class="subtitle" x="%d" y="68" fill="%s">%s</text>`+"\n", chartMargin, colorMuted, esc(explain))

	// Row stripes, then grid lines over them, then bars over the grid.
	for i := range rows {
		if i%2 == 0 {
			p(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n",
				chartMargin, plotTop+i*rowHeight, chartWidth-2*chartMargin, rowHeight, colorStripe)
		}
	}
	for _, t := range sc.ticks {
		x := sc.x(t)
		p(`<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%.0f" stroke="%s" stroke-width="1"/>`+"\n",
			x, plotTop, x, plotBottom, colorGrid)
		p(`<text class="tick" x="%.1f" y="%.0f" text-anchor="middle" font-size="11" fill="%s">%s</text>`+"\n",
			x, plotBottom+16, colorMuted, esc(tickLabel(t)))
	}
	p(`<line class="axis" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s" stroke-width="1"/>`+"\n",
		plotLeft, plotBottom, plotRight, plotBottom, colorMuted)

	x1 := sc.x(1)
	for i, r := range rows {
		yMid := float64(plotTop+i*rowHeight) + rowHeight/2.0
		name := r.Row
		p(`<text class="name" x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n",
			nameRight, yMid+4, esc(shorten(name, nameWidth, nameFontSize)))

		color := colorFaster
		if r.Ratio < 1 {
			color = colorSlower
		}
		xr := sc.x(r.Ratio)
		left, width := min(x1, xr), math.Abs(xr-x1)
		if width < 1 { // a tie still shows a sliver
			left, width = x1-0.5, 1
		}
		tip := fmt.Sprintf("%s: %s (min %s, max %s), bolt %s ops/s, bbolt %s ops/s", name,
			ratioLabel(r.Ratio), ratioLabel(r.RatioMin), ratioLabel(r.RatioMax),
			grouped(r.Bolt.OpsPerSec), grouped(r.BBolt.OpsPerSec))
		p(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
			left, yMid-barHeight/2.0, width, barHeight, color, esc(tip))

		if r.RatioMax > r.RatioMin {
			lo, hi := sc.x(r.RatioMin), sc.x(r.RatioMax)
			p(`<g class="whisker" stroke="%s" stroke-width="1.5">`, colorInk)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, lo, yMid, hi, yMid)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, lo, yMid-4, lo, yMid+4)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, hi, yMid-4, hi, yMid+4)
			p("</g>\n")
		}

		vx := plotRight + 10
		p(`<text class="ratio" x="%.1f" y="%.1f" font-weight="bold" fill="%s">%s</text>`+"\n",
			vx, yMid+4, color, esc(ratioLabel(r.Ratio)))
		if r.RatioMax > r.RatioMin {
			p(`<text class="range" x="%.1f" y="%.1f" font-size="11" fill="%s">%.2f–%.2f</text>`+"\n",
				vx+50, yMid+4, colorMuted, r.RatioMin, r.RatioMax)
		}
	}
	if len(rows) == 0 {
		p(`<text x="%.1f" y="%d" text-anchor="middle" fill="%s">no rows</text>`+"\n",
			(plotLeft+plotRight)/2, plotTop+rowHeight/2+4, colorMuted)
	}

	// The parity line goes last so that no bar covers it.
	p(`<line class="parity" x1="%.1f" y1="%d" x2="%.1f" y2="%.0f" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`+"\n",
		x1, plotTop-6, x1, plotBottom, colorInk)
	p(`<text class="parity-label" x="%.1f" y="%d" text-anchor="middle" font-size="11">bbolt = 1.0×</text>`+"\n",
		x1, plotTop-10)

	axis := "bolt / bbolt throughput, linear scale"
	if sc.log {
		axis = "bolt / bbolt throughput, log scale"
	}
	p(`<text class="axis-label" x="%.1f" y="%.0f" text-anchor="middle" fill="%s">%s</text>`+"\n",
		(plotLeft+plotRight)/2, plotBottom+36, colorMuted, axis)

	// Legend, with the geometric mean the summary line prints.
	ly := plotBottom + 60
	p(`<rect x="%d" y="%.0f" width="10" height="10" fill="%s"/>`, chartMargin, ly-9, colorFaster)
	p(`<text x="%d" y="%.0f">bolt faster</text>`, chartMargin+15, ly)
	p(`<rect x="%d" y="%.0f" width="10" height="10" fill="%s"/>`, chartMargin+105, ly-9, colorSlower)
	p(`<text x="%d" y="%.0f">bolt slower</text>`+"\n", chartMargin+120, ly)
	if len(rows) > 0 {
		p(`<text class="geomean" x="%d" y="%.0f" text-anchor="end">geometric mean over %d rows: <tspan font-weight="bold">%s</tspan></text>`+"\n",
			chartWidth-chartMargin, ly, len(rows), esc(ratioLabel(geoMean(rows))))
	}
	p("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}
