package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
)

// The chart: one horizontal bar per ratio row, from parity (1×) to the
// median factor, with a whisker from the lowest to the highest round. Every
// factor says how many times better bolt did, so right of the parity line
// is better for bolt on every row. Plain SVG, so it sits in the README
// without a plotting tool; the style follows bench/cmd/headtohead's chart.
const (
	chWidth    = 800
	chMargin   = 16
	chRow      = 28
	chBar      = 16
	chTop      = 84  // below the title, the subtitle and the axis label
	chNames    = 230 // the row labels' column
	chValues   = 70  // right of the plot: "2.31×"
	chFontSize = 12
	chPad      = 12

	chFaster = "#2f6fb0"
	chSlower = "#d9822b"
	chInk    = "#24292f"
	chMuted  = "#57606a"
	chGrid   = "#d0d7de"
	chStripe = "#f6f8fa"
	chFont   = "-apple-system, 'Segoe UI', Helvetica, Arial, 'DejaVu Sans', sans-serif"
)

// axis maps a factor to an x coordinate; log2 when the factors span more
// than 3×, so that 0.5× and 2× sit equally far from parity.
type axis struct {
	log    bool
	lo, hi float64
	x0, x1 float64
	ticks  []float64
}

func newAxis(values []float64, x0, x1 float64) axis {
	lo, hi := 1.0, 1.0
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 1) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	a := axis{x0: x0, x1: x1, log: hi/lo > 3}
	if a.log {
		elo, ehi := math.Floor(math.Log2(lo)), math.Ceil(math.Log2(hi))
		a.lo, a.hi = math.Exp2(elo), math.Exp2(ehi)
		for e := elo; e <= ehi; e++ {
			a.ticks = append(a.ticks, math.Exp2(e))
		}
		return a
	}
	step := 0.1
	for _, s := range []float64{0.1, 0.2, 0.25, 0.5, 1} {
		step = s
		if (hi-lo)/s <= 6 {
			break
		}
	}
	first, last := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	if last == first {
		last++
	}
	for i := first; i <= last; i++ {
		a.ticks = append(a.ticks, math.Round(i*step*1e6)/1e6)
	}
	a.lo, a.hi = a.ticks[0], a.ticks[len(a.ticks)-1]
	return a
}

// x returns v's coordinate, clamped to the plot.
func (a axis) x(v float64) float64 {
	if !(v > a.lo) {
		v = a.lo
	}
	v = min(v, a.hi)
	f := (v - a.lo) / (a.hi - a.lo)
	if a.log {
		f = math.Log(v/a.lo) / math.Log(a.hi/a.lo)
	}
	return a.x0 + f*(a.x1-a.x0)
}

func xmlEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// renderChart draws r's ratio rows.
func renderChart(r *report) ([]byte, error) {
	var rows []row
	var values []float64
	for _, rw := range r.Rows {
		if rw.Factor > 0 {
			rows = append(rows, rw)
			values = append(values, rw.Factor, rw.Min, rw.Max)
		}
	}
	plotLeft := float64(chMargin + chNames)
	plotRight := float64(chWidth - chMargin - chValues)
	ax := newAxis(values, plotLeft+chPad, plotRight-chPad)
	bottom := float64(chTop + max(len(rows), 1)*chRow)
	height := bottom + 40

	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" font-family="%s" font-size="%d">`+"\n",
		chWidth, height, chWidth, height, chFont, chFontSize)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	p(`<text x="%d" y="24" font-size="16" font-weight="600" fill="%s">%s</text>`+"\n", chMargin, chInk,
		xmlEsc(fmt.Sprintf("%s on bolt vs on bbolt: how many times better", r.Release)))
	p(`<text x="%d" y="44" fill="%s">%s</text>`+"\n", chMargin, chMuted,
		xmlEsc(fmt.Sprintf("one node on loopback, %s mode, %d round(s), %d CPUs, %s; bar: median of the rounds, whisker: lowest to highest",
			r.Mode, r.Rounds, r.CPUs, r.Go)))
	p(`<text x="%.1f" y="%d" fill="%s" text-anchor="middle">%s</text>`+"\n", ax.x(1), chTop-10, chMuted,
		xmlEsc("← bbolt better · bolt better →"))

	for i := range rows {
		y := float64(chTop + i*chRow)
		if i%2 == 0 {
			p(`<rect x="%d" y="%.0f" width="%d" height="%d" fill="%s"/>`+"\n", chMargin, y, chWidth-2*chMargin, chRow, chStripe)
		}
	}
	for _, t := range ax.ticks {
		x := ax.x(t)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", x, chTop, x, bottom, chGrid)
		p(`<text x="%.1f" y="%.0f" fill="%s" text-anchor="middle">%s×</text>`+"\n", x, bottom+16, chMuted,
			strconv.FormatFloat(t, 'g', 4, 64))
	}
	for i, rw := range rows {
		y := float64(chTop + i*chRow)
		mid := y + chRow/2
		color := chFaster
		if rw.Factor < 1 {
			color = chSlower
		}
		x0, x1 := ax.x(1), ax.x(rw.Factor)
		p(`<text x="%.0f" y="%.1f" fill="%s" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n",
			plotLeft-8, mid, chInk, xmlEsc(rw.Name))
		p(`<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
			min(x0, x1), mid-chBar/2, math.Max(math.Abs(x1-x0), 1), chBar, color,
			xmlEsc(fmt.Sprintf("%s: bbolt %s %s, bolt %s %s", rw.Name, value(rw.BBolt, rw.Unit), rw.Unit, value(rw.Bolt, rw.Unit), rw.Unit)))
		if rw.Max > rw.Min {
			wl, wr := ax.x(rw.Min), ax.x(rw.Max)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", wl, mid, wr, mid, chInk)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", wl, mid-4, wl, mid+4, chInk)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", wr, mid-4, wr, mid+4, chInk)
		}
		p(`<text x="%.0f" y="%.1f" fill="%s" dominant-baseline="middle">%.2f×</text>`+"\n", plotRight+8, mid, chInk, rw.Factor)
	}
	p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%.0f" stroke="%s" stroke-width="1.5"/>`+"\n", ax.x(1), chTop, ax.x(1), bottom, chInk)
	p("</svg>\n")
	return b.Bytes(), nil
}
