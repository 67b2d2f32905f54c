package plot

import (
	"image"
	"image/color"
	"math"
	"sync"
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

	img *image.RGBA // scratch: one filter in colour, (H, W)
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
func (g *FilterGrid) Draw(dst Canvas, r image.Rectangle) {
	r = r.Intersect(dst.Bounds())
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
		g.img = mapped(g.img, f, g.W, g.H, func(v float32) color.RGBA {
			if s == 0 {
				return Diverging(0)
			}
			return Diverging(float64(v / s))
		})
		dst.Image(cr, g.img)
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

// mapped colours the w x h image img with cmap into dst (reused when it
// has the size) and returns it.
func mapped(dst *image.RGBA, img []float32, w, h int, cmap func(float32) color.RGBA) *image.RGBA {
	if dst == nil || dst.Rect.Dx() != w || dst.Rect.Dy() != h {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	for i, v := range img[:w*h] {
		c := cmap(v)
		dst.Pix[4*i], dst.Pix[4*i+1], dst.Pix[4*i+2], dst.Pix[4*i+3] = c.R, c.G, c.B, 255
	}
	return dst
}

// grays holds scratch images for Gray, which may run on several
// goroutines (figures drawn in parallel).
var grays = sync.Pool{New: func() any { return new(image.RGBA) }}

// Gray draws the w x h greyscale image img (values lo..hi map black..white,
// clamped) scaled into r with nearest-neighbour sampling. It panics if
// len(img) < w*h.
func Gray(dst Canvas, r image.Rectangle, img []float32, w, h int, lo, hi float32) {
	if len(img) < w*h {
		panic("plot: Gray image shorter than w*h")
	}
	if hi == lo {
		hi = lo + 1
	}
	if r.Intersect(dst.Bounds()).Empty() || w <= 0 || h <= 0 {
		return
	}
	g := grays.Get().(*image.RGBA)
	defer grays.Put(g)
	if cap(g.Pix) < 4*w*h {
		g.Pix = make([]uint8, 4*w*h)
	}
	g.Pix, g.Stride, g.Rect = g.Pix[:4*w*h], 4*w, image.Rect(0, 0, w, h)
	scale := 255 / (hi - lo)
	for i, off := 0, 0; i < w*h; i, off = i+1, off+4 {
		v := (img[i] - lo) * scale
		if !(v > 0) { // also NaN
			v = 0
		} else if v > 255 {
			v = 255
		}
		c := uint8(v + 0.5)
		if v >= 254.5 {
			c = 255
		}
		g.Pix[off], g.Pix[off+1], g.Pix[off+2], g.Pix[off+3] = c, c, c, 255
	}
	dst.Image(r, g)
}
