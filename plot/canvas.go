package plot

import (
	"image"
	"image/color"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Canvas is where a figure is drawn, in device pixels: what a chart is
// (axes, ticks, legends, series) is written once against it, and each back
// end puts it somewhere: Raster into an *image.RGBA on the CPU (the CLI's
// figures, the 2D-canvas page), the page's ebiten presenter on the GPU.
// Coordinates are device pixels; pixel (i, j) covers [i, i+1) x [j, j+1).
type Canvas interface {
	// Bounds returns the drawable area.
	Bounds() image.Rectangle
	// Fill paints r with the opaque colour c.
	Fill(r image.Rectangle, c color.RGBA)
	// Rule draws a one-pixel horizontal (y0 == y1) or vertical (x0 == x1)
	// line covering pixels x0..x1-1 or y0..y1-1; dash > 0 draws dash
	// pixels on, dash off. c may be translucent.
	Rule(x0, y0, x1, y1 int, c color.RGBA, dash int)
	// Stroke draws p with round caps and joins, width pixels wide,
	// anti-aliased, clipped to clip; a piece of one point is a dot.
	Stroke(clip image.Rectangle, p *Path, width float64, c color.RGBA)
	// Text draws s in the face of the current scale (SetScale) with its
	// top-left corner at (x, y); TextWidth and LineHeight measure it.
	Text(x, y int, s string, c color.RGBA)
	// Image draws src scaled into r with nearest-neighbour sampling
	// (heat maps, filters, the pad). src is only read during the call.
	Image(r image.Rectangle, src *image.RGBA)
}

// Path is a set of polylines (pieces) in device pixels, reused between
// draws.
type Path struct {
	XY     []float64 // x0, y0, x1, y1, ... of all pieces
	Starts []int     // index in XY/2 of each piece's first point
}

// Reset empties p, keeping its storage.
func (p *Path) Reset() { p.XY, p.Starts = p.XY[:0], p.Starts[:0] }

// MoveTo starts a new piece at (x, y).
func (p *Path) MoveTo(x, y float64) {
	p.Starts = append(p.Starts, len(p.XY)/2)
	p.XY = append(p.XY, x, y)
}

// LineTo extends the current piece to (x, y) (starts one if there is none).
func (p *Path) LineTo(x, y float64) {
	if len(p.Starts) == 0 {
		p.MoveTo(x, y)
		return
	}
	p.XY = append(p.XY, x, y)
}

// Pieces returns the number of pieces.
func (p *Path) Pieces() int { return len(p.Starts) }

// Piece returns piece i's coordinates, x0, y0, x1, y1, ...
func (p *Path) Piece(i int) []float64 {
	end := len(p.XY)
	if i+1 < len(p.Starts) {
		end = 2 * p.Starts[i+1]
	}
	return p.XY[2*p.Starts[i] : end]
}

// Raster is the CPU back end: a Canvas over an *image.RGBA. Strokes are
// anti-aliased through a coverage Mask, so overlapping parts of one stroke
// blend once.
type Raster struct {
	Img  *image.RGBA
	mask Mask
}

// NewRaster returns a Canvas drawing into img.
func NewRaster(img *image.RGBA) *Raster { return &Raster{Img: img} }

// Bounds implements Canvas.
func (r *Raster) Bounds() image.Rectangle { return r.Img.Rect }

// Fill implements Canvas.
func (r *Raster) Fill(rect image.Rectangle, c color.RGBA) {
	dst := r.Img
	rect = rect.Intersect(dst.Rect)
	if rect.Empty() {
		return
	}
	off := dst.PixOffset(rect.Min.X, rect.Min.Y)
	row := dst.Pix[off : off+4*rect.Dx()]
	for i := 0; i < len(row); i += 4 {
		row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
	}
	for y := rect.Min.Y + 1; y < rect.Max.Y; y++ {
		o := dst.PixOffset(rect.Min.X, y)
		copy(dst.Pix[o:o+len(row)], row)
	}
}

// Rule implements Canvas.
func (r *Raster) Rule(x0, y0, x1, y1 int, c color.RGBA, dash int) {
	dst := r.Img
	a := float32(c.A) / 255
	if y0 == y1 {
		if y0 < dst.Rect.Min.Y || y0 >= dst.Rect.Max.Y {
			return
		}
		for x := max(x0, dst.Rect.Min.X); x < min(x1, dst.Rect.Max.X); x++ {
			if dash == 0 || (x/dash)%2 == 0 {
				blend(dst.Pix[dst.PixOffset(x, y0):], c, a)
			}
		}
		return
	}
	if x0 < dst.Rect.Min.X || x0 >= dst.Rect.Max.X {
		return
	}
	for y := max(y0, dst.Rect.Min.Y); y < min(y1, dst.Rect.Max.Y); y++ {
		if dash == 0 || (y/dash)%2 == 0 {
			blend(dst.Pix[dst.PixOffset(x0, y):], c, a)
		}
	}
}

// Stroke implements Canvas.
func (r *Raster) Stroke(clip image.Rectangle, p *Path, width float64, c color.RGBA) {
	clip = clip.Intersect(r.Img.Rect)
	if clip.Empty() || p.Pieces() == 0 {
		return
	}
	r.mask.Resize(clip.Dx(), clip.Dy())
	ox, oy, rad := float64(clip.Min.X), float64(clip.Min.Y), width/2
	for i := range p.Pieces() {
		xy := p.Piece(i)
		if len(xy) == 2 {
			r.mask.Capsule(xy[0]-ox, xy[1]-oy, xy[0]-ox, xy[1]-oy, rad)
			continue
		}
		for k := 2; k+1 < len(xy); k += 2 {
			r.mask.Capsule(xy[k-2]-ox, xy[k-1]-oy, xy[k]-ox, xy[k+1]-oy, rad)
		}
	}
	r.mask.Composite(r.Img, clip.Min, c)
	r.mask.Clear()
}

// Text implements Canvas.
func (r *Raster) Text(x, y int, s string, c color.RGBA) {
	if s == "" {
		return
	}
	fontMu.Lock()
	defer fontMu.Unlock()
	d := font.Drawer{Dst: r.Img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y+ascent)}
	d.DrawString(s)
}

// Image implements Canvas.
func (r *Raster) Image(rect image.Rectangle, src *image.RGBA) {
	dst := r.Img
	c := rect.Intersect(dst.Rect)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	if c.Empty() || sw <= 0 || sh <= 0 {
		return
	}
	for y := c.Min.Y; y < c.Max.Y; y++ {
		sy := src.Rect.Min.Y + (y-rect.Min.Y)*sh/rect.Dy()
		off := dst.PixOffset(c.Min.X, y)
		if sw == rect.Dx() {
			so := src.PixOffset(src.Rect.Min.X+c.Min.X-rect.Min.X, sy)
			copy(dst.Pix[off:off+4*c.Dx()], src.Pix[so:])
			continue
		}
		for x := c.Min.X; x < c.Max.X; x, off = x+1, off+4 {
			so := src.PixOffset(src.Rect.Min.X+(x-rect.Min.X)*sw/rect.Dx(), sy)
			copy(dst.Pix[off:off+4:off+4], src.Pix[so:so+4])
		}
	}
}
