package view

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"mnistplay/plot"
	"mnistplay/wire"
)

// landState is the live run's landscape: the grid filled as points come.
type landState struct {
	plane, note  string
	xs, ys       []float64
	loss         []float64 // (len(ys), len(xs)); NaN: not computed or not finite
	got          int       // points received
	nan          int       // of them not finite
	explained    [2]float64
	pathX, pathY []float64
	n            int
	seconds      float64
	status       string // "" while computing, else how it ended
}

// sharpState is the live run's sharpness so far.
type sharpState struct {
	values          []float64
	trace, traceErr float64
	step, steps, n  int
	done            bool
}

// applyLand takes a landscape message; the panel shows the landscape.
func (v *View) applyLand(e wire.Event) {
	switch m := e.(type) {
	case wire.LandscapeGridEvent:
		nx, ny := len(m.Xs), len(m.Ys)
		l := &landState{plane: m.Plane, note: m.Note, xs: m.Xs, ys: m.Ys, explained: m.Explained, n: m.N,
			loss: make([]float64, nx*ny)}
		for i := range l.loss {
			l.loss[i] = math.NaN()
		}
		for _, p := range m.Path {
			l.pathX, l.pathY = append(l.pathX, p[0]), append(l.pathY, p[1])
		}
		v.land = l
		v.sharp = nil
	case wire.LandscapePointEvent:
		l := v.land
		if l == nil || m.I < 0 || m.I >= len(l.ys) || m.J < 0 || m.J >= len(l.xs) {
			return
		}
		l.loss[m.I*len(l.xs)+m.J] = m.Loss
		l.got++
		if math.IsNaN(m.Loss) || math.IsInf(m.Loss, 0) {
			l.nan++
		}
		l.seconds = m.Seconds
	case wire.SharpnessEvent:
		v.sharp = &sharpState{values: m.Values, trace: m.Trace, traceErr: m.TraceErr, step: m.Step, steps: m.Steps, n: m.N, done: m.Done}
	case wire.LandscapeDoneEvent:
		if v.land == nil {
			return
		}
		v.land.seconds = m.Seconds
		if m.Cancelled {
			v.land.status = "cancelled" // the page's note says why
		} else {
			v.land.status = "done"
		}
	}
	v.showRobust, v.showLand = false, true
	v.dirty(PFlat)
}

// landBusy reports whether a landscape job is computing: its points come
// several times a second, and the worker needs the CPU more than the map
// needs redrawing at every one.
func (v *View) landBusy() bool { return v.land != nil && v.land.status == "" }

// sharpLabel is the top eigenvalue, with the trace once known.
func sharpLabel(values []float64, trace float64) string {
	if len(values) == 0 {
		return ""
	}
	s := fmt.Sprintf("eig1 %.3g", values[0])
	if !math.IsNaN(trace) && trace != 0 {
		s += fmt.Sprintf(" tr %.3g", trace)
	}
	return s
}

// drawLand draws the landscape as a map with contour lines, the training
// path over it, and a line of progress and sharpness below.
func (v *View) drawLand(dst plot.Canvas, r image.Rectangle, scale float64) {
	l := v.land
	foot := r
	lh := plot.LineHeight()
	foot.Min.Y = r.Max.Y - 2*lh - v.px(2)
	r.Max.Y = foot.Min.Y
	c := &v.landChart
	c.Xs, c.Ys, c.Values = l.xs, l.ys, l.loss
	c.Log, c.ScaleLabel = true, "val loss"
	if l.plane == "pca" {
		c.Title = "landscape (PCA of the path)"
		c.X = plot.Axis{Label: fmt.Sprintf("PC1 %.0f%%", 100*l.explained[0])}
		c.Y = plot.Axis{Label: fmt.Sprintf("PC2 %.0f%%", 100*l.explained[1])}
	} else {
		c.Title = "landscape (random dirs)"
		c.X = plot.Axis{Label: "direction 1"}
		c.Y = plot.Axis{Label: "direction 2"}
	}
	c.Paths = c.Paths[:0]
	if len(l.pathX) > 0 {
		c.Paths = append(c.Paths, plot.Series{Name: "path", Color: color.RGBA{230, 40, 40, 255}, X: l.pathX, Y: l.pathY, Width: 1.5 * scale, Dots: true})
	}
	c.Paths = append(c.Paths, plot.Series{Color: color.RGBA{255, 255, 255, 255}, X: []float64{0}, Y: []float64{0}, Width: 2 * scale, NoLine: true})
	c.Draw(dst, r)

	plot.Fill(dst, foot, plot.Background)
	line1 := fmt.Sprintf("%d/%d pts %.1fs", l.got, len(l.loss), l.seconds)
	if l.nan > 0 {
		line1 += fmt.Sprintf(" %d NaN(grey)", l.nan)
	}
	if l.status != "" {
		line1 += " " + l.status
	}
	line2 := l.note
	if sh := v.sharp; sh != nil {
		line2 = "sharpness " + sharpLabel(sh.values, sh.trace)
		if !sh.done {
			line2 += fmt.Sprintf(" (%d/%d)", sh.step, sh.steps)
		}
	}
	plot.Text(dst, foot.Min.X+v.px(4), foot.Min.Y+v.px(1), clip(line1, foot.Dx()), plot.Ink)
	plot.Text(dst, foot.Min.X+v.px(4), foot.Min.Y+v.px(1)+lh, clip(line2, foot.Dx()), plot.Faint)
}

// clip shortens s to fit w pixels.
func clip(s string, w int) string {
	n := max(0, (w-8)/plot.TextWidth("m"))
	if len([]rune(s)) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// nextMode switches the flatness panel to what it shows next: flatness,
// then the robustness job's accuracy, then the landscape, each only if it
// has something to show (a click on the panel's title).
func (v *View) nextMode() {
	switch {
	case !v.showRobust && !v.showLand && v.robust != nil:
		v.showRobust = true
	case !v.showLand && v.land != nil:
		v.showRobust, v.showLand = false, true
	default:
		v.showRobust, v.showLand = false, false
	}
}
