package plot

import (
	"image"
	"image/color"
	"math"
)

// Axis describes one axis of a Chart.
type Axis struct {
	Label string  // drawn at the axis' end
	Min   float64 // Min == Max (e.g. both 0): range from the data
	Max   float64
	Log   bool   // logarithmic scale; values <= 0 are not drawn
	Unit  string // appended to tick labels, e.g. "%"
}

// Series is one line (and/or dots) of a Chart. X and Y have the same length;
// a point with a non-finite coordinate is skipped and breaks the line.
type Series struct {
	Name   string // legend text; "" keeps it out of the legend
	Color  color.RGBA
	X, Y   []float64
	Width  float64 // line width in layout pixels (times the scale); 0 means 1.5
	Dots   bool    // draw a dot at every point
	NoLine bool    // dots only
	Right  bool    // plot against the chart's right axis Y2
}

// Marker is a labelled vertical line at x, e.g. where label shuffling was
// switched on.
type Marker struct {
	X     float64
	Label string
	Color color.RGBA // zero means Faint
}

// Chart is a line chart. Fill the exported fields and call Draw; a Chart
// keeps scratch buffers so drawing it every frame does not allocate.
type Chart struct {
	Title    string
	X, Y     Axis
	Y2       *Axis // optional right axis for series with Right set
	Series   []Series
	Markers  []Marker
	NoLegend bool
	// LegendBottom puts a boxed legend (one that does not fit next to the
	// title) at the plot's bottom right instead of its top right.
	LegendBottom bool

	path        Path
	xt, yt, y2t []Tick
}

// frame maps data to pixels along one axis.
type frame struct {
	lo, hi float64 // data range (log10 of it on a log axis)
	p0, p1 float64 // pixel positions of lo and hi
	log    bool
}

func (f frame) pos(v float64) float64 {
	if f.log {
		if !(v > 0) {
			return math.NaN()
		}
		v = math.Log10(v)
	}
	return f.p0 + (v-f.lo)/(f.hi-f.lo)*(f.p1-f.p0)
}

func newFrame(lo, hi, p0, p1 float64, log bool) frame {
	if log {
		lo, hi = math.Log10(lo), math.Log10(hi)
	}
	return frame{lo, hi, p0, p1, log}
}

// dataRange returns the finite range of the given coordinate of the series
// (positive values only on a log axis); ok is false when there is none.
func (c *Chart) dataRange(axis int, log bool) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := range c.Series {
		s := &c.Series[i]
		var vs []float64
		switch {
		case axis == 0:
			vs = s.X
		case axis == 1 && !s.Right, axis == 2 && s.Right:
			vs = s.Y
		}
		n := min(len(s.X), len(s.Y))
		for _, v := range vs[:min(len(vs), n)] {
			if !finite(v) || (log && v <= 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if axis == 0 {
		for _, m := range c.Markers {
			if finite(m.X) {
				lo, hi = min(lo, m.X), max(hi, m.X)
			}
		}
	}
	return lo, hi, lo <= hi
}

// ticks computes the axis range and ticks for an axis of length px pixels
// with about one tick every spacing pixels.
func (c *Chart) ticks(dst []Tick, a *Axis, axis int, px, spacing int) ([]Tick, float64, float64) {
	dst = dst[:0]
	lo, hi := a.Min, a.Max
	auto := !(lo < hi) || !finite(lo) || !finite(hi) || (a.Log && lo <= 0)
	if auto {
		var ok bool
		lo, hi, ok = c.dataRange(axis, a.Log)
		if !ok {
			lo, hi = 0, 1
			if a.Log {
				lo, hi = 0.1, 1
			}
		}
	}
	n := max(3, px/spacing)
	if a.Log {
		t, nlo, nhi := appendLogTicks(dst, lo, hi)
		if !auto {
			nlo, nhi = lo, hi
		}
		return filterTicks(t, nlo, nhi), nlo, nhi
	}
	t, nlo, nhi := appendLinearTicks(dst, lo, hi, n)
	if !auto {
		lo, hi = sanitizeRange(lo, hi)
		return filterTicks(t, lo, hi), lo, hi
	}
	return t, nlo, nhi
}

func filterTicks(t []Tick, lo, hi float64) []Tick {
	eps := (hi - lo) * 1e-9
	out := t[:0]
	for _, k := range t {
		if k.Value >= lo-eps && k.Value <= hi+eps {
			out = append(out, k)
		}
	}
	return out
}

func maxLabel(t []Tick, unit string) int {
	w := 0
	for _, k := range t {
		w = max(w, TextWidth(k.Label)+TextWidth(unit))
	}
	return w
}

// Draw renders the chart into r of dst (background included).
func (c *Chart) Draw(dst Canvas, r image.Rectangle) {
	r = r.Intersect(dst.Bounds())
	Fill(dst, r, Background)
	if r.Dx() < px(40) || r.Dy() < px(40) {
		return
	}
	top := r.Min.Y + px(4)
	inHeader := !c.NoLegend && c.headerLegend(dst, r)
	if c.Title != "" || inHeader {
		tx := (r.Min.X + r.Max.X) / 2
		if inHeader {
			tx = r.Min.X + px(4) + TextWidth(c.Title)/2
		}
		TextAt(dst, tx, r.Min.Y+px(2), c.Title, Ink, TopCenter)
		top += lineH + px(2)
	}
	if c.Y.Label != "" || (c.Y2 != nil && c.Y2.Label != "") {
		top += lineH + lineH/2 // clear of the top tick's label
	}
	bottom := r.Max.Y - lineH - px(6)
	if c.X.Label != "" {
		bottom -= lineH
	}
	plotH := bottom - top
	var y0, y1 float64
	c.yt, y0, y1 = c.ticks(c.yt, &c.Y, 1, plotH, px(32))
	left := r.Min.X + maxLabel(c.yt, c.Y.Unit) + px(8)
	right := r.Max.X - px(10)
	var y20, y21 float64
	if c.Y2 != nil {
		c.y2t, y20, y21 = c.ticks(c.y2t, c.Y2, 2, plotH, px(32))
		right = r.Max.X - maxLabel(c.y2t, c.Y2.Unit) - px(8)
	}
	plotW := right - left
	if plotW < px(10) || plotH < px(10) {
		return
	}
	var x0, x1 float64
	c.xt, x0, x1 = c.ticks(c.xt, &c.X, 0, plotW, px(60))
	fx := newFrame(x0, x1, float64(left), float64(right), c.X.Log)
	fy := newFrame(y0, y1, float64(bottom), float64(top), c.Y.Log)
	var fy2 frame
	if c.Y2 != nil {
		fy2 = newFrame(y20, y21, float64(bottom), float64(top), c.Y2.Log)
	}

	// Grid, ticks and labels.
	for _, t := range c.yt {
		y := int(math.Round(fy.pos(t.Value)))
		hline(dst, left, right, y, GridColor, 0)
		TextAt(dst, left-px(4), y, t.Label+c.Y.Unit, Ink, MiddleRight)
	}
	if c.Y2 != nil {
		for _, t := range c.y2t {
			y := int(math.Round(fy2.pos(t.Value)))
			hline(dst, right, right+px(3), y, Ink, 0)
			TextAt(dst, right+px(5), y, t.Label+c.Y2.Unit, Ink, MiddleLeft)
		}
	}
	for _, t := range c.xt {
		x := int(math.Round(fx.pos(t.Value)))
		vline(dst, x, top, bottom, GridColor, 0)
		vline(dst, x, bottom, bottom+px(3), Ink, 0)
		// The end ticks' labels stay inside r, clear of its edges.
		l := t.Label + c.X.Unit
		hw := TextWidth(l) / 2
		TextAt(dst, min(max(x, r.Min.X+hw+px(2)), r.Max.X-hw-px(3)), bottom+px(4), l, Ink, TopCenter)
	}
	if c.X.Label != "" {
		TextAt(dst, (left+right)/2, bottom+px(4)+lineH, c.X.Label, Faint, TopCenter)
	}
	if c.Y.Label != "" {
		TextAt(dst, max(r.Min.X+px(2), left-TextWidth(c.Y.Label)/2), top-lineH-lineH/2, c.Y.Label, Faint, TopLeft)
	}
	if c.Y2 != nil && c.Y2.Label != "" {
		TextAt(dst, min(r.Max.X-px(2), right+TextWidth(c.Y2.Label)/2), top-lineH-lineH/2, c.Y2.Label, Faint, TopRight)
	}
	plot := image.Rect(left, top, right+1, bottom+1)
	strokeRect(dst, plot, Faint)

	// Markers.
	for i, m := range c.Markers {
		x := fx.pos(m.X)
		if !finite(x) || x < float64(left) || x > float64(right) {
			continue
		}
		col := m.Color
		if col.A == 0 {
			col = Faint
		}
		xi := int(math.Round(x))
		vline(dst, xi, top+1, bottom, col, px(3))
		if m.Label != "" {
			ty := top + px(2) + (i%3)*lineH
			if xi+px(3)+TextWidth(m.Label) > right {
				TextAt(dst, xi-px(3), ty, m.Label, col, TopRight)
			} else {
				TextAt(dst, xi+px(3), ty, m.Label, col, TopLeft)
			}
		}
	}

	// Series, clipped to the plot area.
	for i := range c.Series {
		s := &c.Series[i]
		f := fy
		if s.Right && c.Y2 != nil {
			f = fy2
		}
		drawSeries(dst, plot, s, fx, f, &c.path)
	}
	if !c.NoLegend && !inHeader {
		c.legend(dst, plot)
	}
}

// headerLegend draws the named series in one row at the top right of r when
// they fit next to the title, and reports whether it did.
func (c *Chart) headerLegend(dst Canvas, r image.Rectangle) bool {
	w, n := 0, 0
	for _, s := range c.Series {
		if s.Name != "" {
			w += px(28) + TextWidth(s.Name)
			n++
		}
	}
	if n == 0 || TextWidth(c.Title)+px(16)+w > r.Dx() {
		return false
	}
	x := r.Max.X - w
	for _, s := range c.Series {
		if s.Name == "" {
			continue
		}
		sy := r.Min.Y + px(2) + lineH/2
		Fill(dst, image.Rect(x, sy-px(2), x+px(14), sy+px(1)), s.Color)
		Text(dst, x+px(18), r.Min.Y+px(2), s.Name, Ink)
		x += px(28) + TextWidth(s.Name)
	}
	return true
}

// legend draws the named series in a box at the plot's top right.
func (c *Chart) legend(dst Canvas, plot image.Rectangle) {
	drawLegend(dst, plot, c.Series, func(w, h int) image.Point {
		if c.LegendBottom {
			return image.Pt(plot.Max.X-px(4)-w, plot.Max.Y-px(4)-h)
		}
		return image.Pt(plot.Max.X-px(4)-w, plot.Min.Y+px(4))
	})
}

// drawLegend draws the named series in a box of the size they need, its
// top left corner where at (given the box's width and height) puts it;
// nothing when no series is named or the box does not fit in plot.
func drawLegend(dst Canvas, plot image.Rectangle, series []Series, at func(w, h int) image.Point) {
	w, n := 0, 0
	for _, s := range series {
		if s.Name != "" {
			w = max(w, TextWidth(s.Name))
			n++
		}
	}
	if n == 0 {
		return
	}
	size := image.Pt(w+px(26), n*lineH+px(4))
	box := image.Rectangle{Min: at(size.X, size.Y)}
	box.Max = box.Min.Add(size)
	if !box.In(plot) {
		return
	}
	Fill(dst, box, Background)
	strokeRect(dst, box, GridColor)
	y := box.Min.Y + px(2)
	for _, s := range series {
		if s.Name == "" {
			continue
		}
		sy := y + lineH/2
		Fill(dst, image.Rect(box.Min.X+px(4), sy-px(2), box.Min.X+px(18), sy+px(1)), s.Color)
		Text(dst, box.Min.X+px(22), y, s.Name, Ink)
		y += lineH
	}
}

// drawSeries draws s (a line, dots or both) in the frame fx, fy, clipped
// to clip; path is scratch.
func drawSeries(dst Canvas, clip image.Rectangle, s *Series, fx, fy frame, path *Path) {
	w := s.Width
	if w <= 0 {
		w = 1.5
	}
	w *= scale
	n := min(len(s.X), len(s.Y))
	if !s.NoLine {
		path.Reset()
		pn := pen{p: path}
		for j := 0; j < n; j++ {
			pn.add(fx.pos(s.X[j]), fy.pos(s.Y[j]))
		}
		pn.end()
		dst.Stroke(clip, path, w, s.Color)
	}
	if s.Dots || s.NoLine {
		d := 2 * (w + scale) // dot diameter
		if !s.Dots {
			d = w
		}
		path.Reset()
		for j := 0; j < n; j++ {
			if x, y := fx.pos(s.X[j]), fy.pos(s.Y[j]); finite(x) && finite(y) {
				path.MoveTo(x, y)
			}
		}
		dst.Stroke(clip, path, d, s.Color)
	}
}

// pen turns a series' points into a path, broken at non-finite points.
// Points that fall into the same pixel column are aggregated (first, min,
// max, last), so a series of many thousands of points costs about one
// short segment per column and looks the same. An isolated point becomes a
// piece of one point (a dot).
type pen struct {
	p *Path

	has    bool    // a previous point exists (px, py)
	px, py float64 // previous point

	agg            bool // a column is being aggregated
	col            int
	ax, fy, lx, ly float64 // column's x, first y, last x, last y
	lo, hi         float64
	cnt            int
}

func (p *pen) add(x, y float64) {
	if !finite(x) || !finite(y) {
		p.end()
		return
	}
	col := int(math.Floor(x))
	if p.agg && col == p.col {
		p.lx, p.ly = x, y
		p.lo, p.hi = min(p.lo, y), max(p.hi, y)
		p.cnt++
		return
	}
	p.flush()
	p.agg, p.col, p.ax, p.fy, p.lx, p.ly, p.lo, p.hi, p.cnt = true, col, x, y, x, y, y, y, 1
}

// flush adds the aggregated column to the path: a line from the previous
// point to the column's first, then (several points) its extent as a
// vertical piece of its own and a piece on to its last point, which the
// next column's line continues.
func (p *pen) flush() {
	if !p.agg {
		return
	}
	p.agg = false
	if p.has {
		p.p.LineTo(p.ax, p.fy)
	} else {
		p.p.MoveTo(p.ax, p.fy)
	}
	if p.cnt > 1 {
		p.p.MoveTo(p.ax, p.lo)
		p.p.LineTo(p.ax, p.hi)
		p.p.MoveTo(p.ax, p.ly)
		p.p.LineTo(p.lx, p.ly)
	}
	p.has, p.px, p.py = true, p.lx, p.ly
}

// end finishes the current piece of line.
func (p *pen) end() {
	p.flush()
	p.has = false
}
