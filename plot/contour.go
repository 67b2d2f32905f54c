package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Contour draws a scalar field sampled on a grid (the loss over a plane of
// weight space) as a smoothly coloured map with contour lines, axes, a
// colour scale, and paths drawn over it (the training trajectory).
type Contour struct {
	Title      string
	X, Y       Axis      // labels and units; the ranges are the grid's
	Xs, Ys     []float64 // grid coordinates, increasing
	Values     []float64 // (len(Ys), len(Xs)), row i at Ys[i]; NaN: no value
	Log        bool      // colours and levels by log10 of the values (values <= 0: no value)
	Levels     []float64 // contour levels in value units; nil: about 10 nice ones
	Min, Max   float64   // colour range; Min == Max means the data's range
	ColorMap   func(t float64) color.RGBA
	ScaleLabel string   // above the colour scale, e.g. "loss"
	Paths      []Series // drawn over the map in data coordinates

	path  Path
	img   *image.RGBA // scratch: the smooth map
	field []float64   // (len(Ys), len(Xs)) scratch: the values in colour space
}

func grow64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// Draw renders the map into r of dst. It panics if len(Values) <
// len(Xs)·len(Ys).
func (c *Contour) Draw(dst Canvas, r image.Rectangle) {
	r = r.Intersect(dst.Bounds())
	Fill(dst, r, Background)
	nx, ny := len(c.Xs), len(c.Ys)
	if len(c.Values) < nx*ny {
		panic("plot: Contour has fewer values than len(Xs)·len(Ys)")
	}
	if nx < 2 || ny < 2 || r.Dx() < 80 || r.Dy() < 60 {
		return
	}
	cmap := c.ColorMap
	if cmap == nil {
		cmap = Viridis
	}
	tf := func(v float64) float64 { // value to colour space
		if c.Log {
			if !(v > 0) {
				return math.NaN()
			}
			return math.Log10(v)
		}
		return v
	}
	c.field = grow64(c.field, nx*ny)
	field := c.field // (ny, nx) transformed values
	lo, hi := math.Inf(1), math.Inf(-1)
	for k := range field {
		field[k] = tf(c.Values[k])
		if finite(field[k]) {
			lo, hi = min(lo, field[k]), max(hi, field[k])
		}
	}
	if c.Min < c.Max {
		lo, hi = tf(c.Min), tf(c.Max)
	}
	if !(lo <= hi) || !finite(lo) || !finite(hi) {
		lo, hi = 0, 1
	}
	lo, hi = sanitizeRange(lo, hi)

	top := r.Min.Y + 4
	if c.Title != "" {
		TextAt(dst, (r.Min.X+r.Max.X)/2, r.Min.Y+2, c.Title, Ink, TopCenter)
		top += lineH + 2
	}
	top += lineH // y label and scale label
	bottom := r.Max.Y - 2*lineH - 8
	fmtV := func(v float64) string { return fmt.Sprintf("%.3g", v) }
	// Contour levels, in colour space; labelled on the scale.
	levels := c.levels(lo, hi)
	labelW := TextWidth(c.ScaleLabel) - 14
	for _, l := range levels {
		labelW = max(labelW, TextWidth(fmtV(c.inv(l))))
	}
	scaleW := 14 + 5 + labelW
	xt, _, _ := LinearTicks(c.Xs[0], c.Xs[nx-1], 6)
	yt, _, _ := LinearTicks(c.Ys[0], c.Ys[ny-1], 6)
	xt, yt = filterTicks(xt, c.Xs[0], c.Xs[nx-1]), filterTicks(yt, c.Ys[0], c.Ys[ny-1])
	left := r.Min.X + maxLabel(yt, c.Y.Unit) + 8
	right := r.Max.X - scaleW - 14
	if right-left < 20 || bottom-top < 20 {
		return
	}
	fx := newFrame(c.Xs[0], c.Xs[nx-1], float64(left), float64(right), false)
	fy := newFrame(c.Ys[0], c.Ys[ny-1], float64(bottom), float64(top), false)

	// The map: every pixel bilinearly interpolated in grid coordinates.
	plot := image.Rect(left, top, right+1, bottom+1)
	if c.img == nil || c.img.Rect.Size() != plot.Size() {
		c.img = image.NewRGBA(image.Rectangle{Max: plot.Size()})
	}
	for py := top; py <= bottom; py++ {
		gy := gridPos(c.Ys, c.Ys[0]+(float64(bottom-py)/float64(bottom-top))*(c.Ys[ny-1]-c.Ys[0]))
		for px := left; px <= right; px++ {
			gx := gridPos(c.Xs, c.Xs[0]+(float64(px-left)/float64(right-left))*(c.Xs[nx-1]-c.Xs[0]))
			v := bilinear(field, nx, ny, gx, gy)
			col := GridColor
			if finite(v) {
				col = cmap((v - lo) / (hi - lo))
			}
			o := c.img.PixOffset(px-left, py-top)
			c.img.Pix[o], c.img.Pix[o+1], c.img.Pix[o+2], c.img.Pix[o+3] = col.R, col.G, col.B, 255
		}
	}
	dst.Image(plot, c.img)

	// Contour lines: one piece per segment.
	c.path.Reset()
	for _, l := range levels {
		ContourSegments(c.Xs, c.Ys, field, l, func(x0, y0, x1, y1 float64) {
			c.path.MoveTo(fx.pos(x0), fy.pos(y0))
			c.path.LineTo(fx.pos(x1), fy.pos(y1))
		})
	}
	dst.Stroke(plot, &c.path, 1.2*scale, color.RGBA{255, 255, 255, 170})

	// Paths.
	for i := range c.Paths {
		drawSeries(dst, plot, &c.Paths[i], fx, fy, &c.path)
	}
	strokeRect(dst, plot, Faint)

	// Axes.
	for _, t := range xt {
		x := int(math.Round(fx.pos(t.Value)))
		vline(dst, x, bottom+1, bottom+4, Ink, 0)
		TextAt(dst, x, bottom+4, t.Label+c.X.Unit, Ink, TopCenter)
	}
	for _, t := range yt {
		y := int(math.Round(fy.pos(t.Value)))
		hline(dst, left-3, left, y, Ink, 0)
		TextAt(dst, left-4, y, t.Label+c.Y.Unit, Ink, MiddleRight)
	}
	if c.X.Label != "" {
		TextAt(dst, (left+right)/2, bottom+4+lineH, c.X.Label, Faint, TopCenter)
	}
	if c.Y.Label != "" {
		TextAt(dst, max(r.Min.X+2, left-TextWidth(c.Y.Label)/2), top-lineH-1, c.Y.Label, Faint, TopLeft)
	}
	c.legend(dst, plot)

	// Colour scale with its ticks in value units.
	sx := right + 14
	for y := top; y <= bottom; y++ {
		t := 1 - float64(y-top)/float64(max(1, bottom-top))
		Fill(dst, image.Rect(sx, y, sx+14, y+1), cmap(t))
	}
	if c.ScaleLabel != "" {
		TextAt(dst, min(sx, r.Max.X-TextWidth(c.ScaleLabel)-2), top-lineH-1, c.ScaleLabel, Faint, TopLeft)
	}
	lastY := math.MaxInt
	for _, l := range levels {
		y := int(math.Round(float64(bottom) - (l-lo)/(hi-lo)*float64(bottom-top)))
		hline(dst, sx+14, sx+17, y, Ink, 0)
		if lastY-y >= lineH { // label only levels that do not overlap
			TextAt(dst, sx+19, y, fmtV(c.inv(l)), Ink, MiddleLeft)
			lastY = y
		}
	}
}

// levels returns the contour levels strictly inside (lo, hi), in colour
// space: Levels if given, otherwise about ten nice values (on a log scale
// spanning a decade or more, 1-2-5 steps or finer per decade).
func (c *Contour) levels(lo, hi float64) []float64 {
	var out []float64
	add := func(v float64) {
		if finite(v) && v > lo && v < hi {
			out = append(out, v)
		}
	}
	switch {
	case c.Levels != nil:
		for _, l := range c.Levels {
			if c.Log {
				if l > 0 {
					add(math.Log10(l))
				}
				continue
			}
			add(l)
		}
	case c.Log && hi-lo < 1:
		// Less than a decade: nice values in value units.
		t, _, _ := LinearTicks(math.Pow(10, lo), math.Pow(10, hi), 10)
		for _, k := range t {
			if k.Value > 0 {
				add(math.Log10(k.Value))
			}
		}
	case c.Log:
		steps := []float64{1, 2, 5}
		switch d := hi - lo; {
		case d < 2.5:
			steps = []float64{1, 1.5, 2, 3, 5, 7}
		case d > 5:
			steps = []float64{1, 3}
		}
		for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
			for _, s := range steps {
				add(e + math.Log10(s))
			}
		}
	default:
		t, _, _ := LinearTicks(lo, hi, 10)
		for _, k := range t {
			add(k.Value)
		}
	}
	return out
}

// inv maps a colour-space value back to value units.
func (c *Contour) inv(v float64) float64 {
	if c.Log {
		return math.Pow(10, v)
	}
	return v
}

// legend lists the named paths in a box at the plot's top left.
func (c *Contour) legend(dst Canvas, plot image.Rectangle) {
	drawLegend(dst, plot, c.Paths, func(w, h int) image.Point { return plot.Min.Add(image.Pt(4, 4)) })
}

// gridPos returns the fractional index of v in the increasing coordinates
// xs (clamped to the ends).
func gridPos(xs []float64, v float64) float64 {
	n := len(xs)
	if v <= xs[0] {
		return 0
	}
	if v >= xs[n-1] {
		return float64(n - 1)
	}
	lo, hi := 0, n-1
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if xs[mid] <= v {
			lo = mid
		} else {
			hi = mid
		}
	}
	return float64(lo) + (v-xs[lo])/(xs[hi]-xs[lo])
}

// bilinear interpolates f (ny, nx) at fractional indices (gx, gy). A cell
// with a missing corner takes the nearest corner's value.
func bilinear(f []float64, nx, ny int, gx, gy float64) float64 {
	i, j := min(int(gy), ny-2), min(int(gx), nx-2)
	ty, tx := gy-float64(i), gx-float64(j)
	a, b := f[i*nx+j], f[i*nx+j+1]
	c, d := f[(i+1)*nx+j], f[(i+1)*nx+j+1]
	if !finite(a) || !finite(b) || !finite(c) || !finite(d) {
		return f[int(math.Round(gy))*nx+int(math.Round(gx))]
	}
	return (a*(1-tx)+b*tx)*(1-ty) + (c*(1-tx)+d*tx)*ty
}

// ContourSegments calls seg for every piece of the level line f = level of
// the field f (len(ys), len(xs)) sampled at the grid xs x ys, by marching
// squares with linear interpolation along cell edges, in data coordinates.
// Cells with a non-finite corner are skipped; a saddle cell is resolved by
// the mean of its corners.
func ContourSegments(xs, ys, f []float64, level float64, seg func(x0, y0, x1, y1 float64)) {
	nx, ny := len(xs), len(ys)
	for i := 0; i+1 < ny; i++ {
		for j := 0; j+1 < nx; j++ {
			// Corners counter-clockwise from the lower left.
			v := [4]float64{f[i*nx+j], f[i*nx+j+1], f[(i+1)*nx+j+1], f[(i+1)*nx+j]}
			px := [4]float64{xs[j], xs[j+1], xs[j+1], xs[j]}
			py := [4]float64{ys[i], ys[i], ys[i+1], ys[i+1]}
			if !finite(v[0]) || !finite(v[1]) || !finite(v[2]) || !finite(v[3]) {
				continue
			}
			// The crossing points on the four edges (k, k+1).
			var ex, ey [4]float64
			var on [4]bool
			n := 0
			for k := 0; k < 4; k++ {
				a, b := v[k], v[(k+1)%4]
				if (a < level) != (b < level) {
					t := (level - a) / (b - a)
					ex[k] = px[k] + t*(px[(k+1)%4]-px[k])
					ey[k] = py[k] + t*(py[(k+1)%4]-py[k])
					on[k] = true
					n++
				}
			}
			switch n {
			case 2:
				var p [2]int
				m := 0
				for k := 0; k < 4; k++ {
					if on[k] {
						p[m] = k
						m++
					}
				}
				seg(ex[p[0]], ey[p[0]], ex[p[1]], ey[p[1]])
			case 4:
				// Saddle: corner 0 and 2 on one side, 1 and 3 on the other.
				// If the centre is on corner 0's side, the lines cut off
				// corners 1 and 3; otherwise corners 0 and 2.
				mean := (v[0] + v[1] + v[2] + v[3]) / 4
				if (mean < level) == (v[0] < level) {
					seg(ex[0], ey[0], ex[1], ey[1]) // around corner 1
					seg(ex[2], ey[2], ex[3], ey[3]) // around corner 3
				} else {
					seg(ex[3], ey[3], ex[0], ey[0]) // around corner 0
					seg(ex[1], ey[1], ex[2], ey[2]) // around corner 2
				}
			}
		}
	}
}
