package plot

import (
	"image"
	"image/color"
	"math"
)

// FilterGrid draws N small weight images (conv filters, or an MLP's first
// layer weights as 28x28 images) in a grid with the diverging colour map,
// symmetric around 0: white is 0, red positive, blue negative.
type FilterGrid struct {
	Title     string
	N, H, W   int
	Data      []float32 // (N, H, W)
	Cols      int       // grid columns; 0 chooses a near-square grid
	PerFilter bool      // scale each filter by its own max |w| (else one scale for all)
	Selected  int       // index outlined in black; -1 for none
}

// layout returns the grid's columns, rows, cell size and the top-left of
// cell 0 within r.
func (g *FilterGrid) layout(r image.Rectangle) (cols, rows, cell int, origin image.Point) {
	if g.N <= 0 || g.H <= 0 || g.W <= 0 {
		return 0, 0, 0, r.Min
	}
	top := r.Min.Y
	if g.Title != "" {
		top += lineH + px(4)
	}
	avail := image.Rect(r.Min.X, top, r.Max.X, r.Max.Y)
	cols = g.Cols
	if cols <= 0 {
		// Choose the column count that gives the largest cells.
		best := 0
		for c := 1; c <= g.N; c++ {
			rw := (g.N + c - 1) / c
			s := min(avail.Dx()/c, avail.Dy()/rw)
			if s > best {
				best, cols = s, c
			}
		}
		if cols == 0 {
			cols = 1
		}
	}
	rows = (g.N + cols - 1) / cols
	cell = min(avail.Dx()/cols, avail.Dy()/rows)
	origin = image.Pt(avail.Min.X+(avail.Dx()-cell*cols)/2, avail.Min.Y)
	return
}

// Draw renders the grid into r of dst. It panics if len(Data) < N*H*W.
func (g *FilterGrid) Draw(dst *image.RGBA, r image.Rectangle) {
	r = r.Intersect(dst.Rect)
	Fill(dst, r, Background)
	if g.Title != "" {
		TextAt(dst, (r.Min.X+r.Max.X)/2, r.Min.Y+px(1), g.Title, Ink, TopCenter)
	}
	if g.N <= 0 || g.H <= 0 || g.W <= 0 {
		return
	}
	sz := g.H * g.W
	if len(g.Data) < g.N*sz {
		panic("plot: FilterGrid has fewer values than N*H*W")
	}
	cols, _, cell, o := g.layout(r)
	if cell < 3 {
		return
	}
	all := maxAbs(g.Data[:g.N*sz])
	for k := 0; k < g.N; k++ {
		f := g.Data[k*sz : (k+1)*sz]
		s := all
		if g.PerFilter {
			s = maxAbs(f)
		}
		gap := max(2, cell/10)
		cr := image.Rect(0, 0, cell-gap, cell-gap).Add(o).Add(image.Pt((k%cols)*cell+gap/2, (k/cols)*cell+gap/2))
		drawMapped(dst, cr, f, g.W, g.H, func(v float32) color.RGBA {
			if s == 0 {
				return Diverging(0)
			}
			return Diverging(float64(v / s))
		})
		if k == g.Selected {
			strokeRect(dst, cr.Inset(-1), Ink)
		}
	}
}

// HitTest returns the index of the filter drawn at p when the grid is drawn
// into r, or -1.
func (g *FilterGrid) HitTest(r image.Rectangle, p image.Point) int {
	cols, rows, cell, o := g.layout(r)
	if cell <= 0 || !p.In(image.Rect(o.X, o.Y, o.X+cols*cell, o.Y+rows*cell)) {
		return -1
	}
	k := (p.Y-o.Y)/cell*cols + (p.X-o.X)/cell
	if k >= g.N {
		return -1
	}
	return k
}

func maxAbs(v []float32) float32 {
	var m float32
	for _, x := range v {
		if a := float32(math.Abs(float64(x))); a > m && !math.IsInf(float64(a), 0) {
			m = a
		}
	}
	return m
}

// drawMapped fills r with the w x h image img (nearest-neighbour scaled),
// colouring each value with cmap.
func drawMapped(dst *image.RGBA, r image.Rectangle, img []float32, w, h int, cmap func(float32) color.RGBA) {
	c := r.Intersect(dst.Rect)
	if c.Empty() || w <= 0 || h <= 0 {
		return
	}
	// Colour each source pixel once (at most 28x28 here), then blit.
	var buf [28 * 28]color.RGBA
	cols := buf[:0]
	if w*h > len(buf) {
		cols = make([]color.RGBA, 0, w*h)
	}
	for _, v := range img[:w*h] {
		cols = append(cols, cmap(v))
	}
	for y := c.Min.Y; y < c.Max.Y; y++ {
		sy := (y - r.Min.Y) * h / r.Dy()
		off := dst.PixOffset(c.Min.X, y)
		for x := c.Min.X; x < c.Max.X; x, off = x+1, off+4 {
			sx := (x - r.Min.X) * w / r.Dx()
			col := cols[sy*w+sx]
			dst.Pix[off], dst.Pix[off+1], dst.Pix[off+2], dst.Pix[off+3] = col.R, col.G, col.B, 255
		}
	}
}

// Gray draws the w x h greyscale image img (values lo..hi map black..white,
// clamped) scaled into r with nearest-neighbour sampling. It panics if
// len(img) < w*h.
func Gray(dst *image.RGBA, r image.Rectangle, img []float32, w, h int, lo, hi float32) {
	if len(img) < w*h {
		panic("plot: Gray image shorter than w*h")
	}
	if hi == lo {
		hi = lo + 1
	}
	c := r.Intersect(dst.Rect)
	if c.Empty() || w <= 0 || h <= 0 {
		return
	}
	scale := 255 / (hi - lo)
	for y := c.Min.Y; y < c.Max.Y; y++ {
		sy := (y - r.Min.Y) * h / r.Dy()
		off := dst.PixOffset(c.Min.X, y)
		for x := c.Min.X; x < c.Max.X; x, off = x+1, off+4 {
			sx := (x - r.Min.X) * w / r.Dx()
			v := (img[sy*w+sx] - lo) * scale
			if !(v > 0) { // also NaN
				v = 0
			} else if v > 255 {
				v = 255
			}
			g := uint8(v + 0.5)
			if v >= 254.5 {
				g = 255
			}
			dst.Pix[off], dst.Pix[off+1], dst.Pix[off+2], dst.Pix[off+3] = g, g, g, 255
		}
	}
}
