package plot

import (
	"image"
	"image/color"
	"math"
)

// Mask is a coverage buffer (alpha 0..1) that shapes are added to with max(),
// so overlapping pieces of one shape blend once. It keeps the bounding box of
// what was drawn since the last Clear, so Clear and Composite touch only that.
type Mask struct {
	W, H int
	A    []float32 // (H, W) coverage in 0..1

	x0, y0, x1, y1 int // dirty box [x0,x1) x [y0,y1); empty when x0 >= x1
}

// Resize makes the mask w x h and clears it, reusing its storage when it is
// large enough. It panics if w or h is negative.
func (m *Mask) Resize(w, h int) {
	if w < 0 || h < 0 {
		panic("plot: negative mask size")
	}
	if w == m.W && h == m.H && len(m.A) == w*h {
		m.Clear()
		return
	}
	if cap(m.A) < w*h {
		m.A = make([]float32, w*h)
	} else {
		m.A = m.A[:w*h]
		clear(m.A)
	}
	m.W, m.H = w, h
	m.x0, m.y0, m.x1, m.y1 = 0, 0, 0, 0
}

// Clear sets the coverage drawn since the last Clear back to zero.
func (m *Mask) Clear() {
	if m.x0 >= m.x1 {
		return
	}
	for y := m.y0; y < m.y1; y++ {
		clear(m.A[y*m.W+m.x0 : y*m.W+m.x1])
	}
	m.x0, m.y0, m.x1, m.y1 = 0, 0, 0, 0
}

// Bounds returns the box drawn since the last Clear (empty if nothing).
func (m *Mask) Bounds() image.Rectangle {
	if m.x0 >= m.x1 {
		return image.Rectangle{}
	}
	return image.Rect(m.x0, m.y0, m.x1, m.y1)
}

// Touch adds r to the box drawn since the last Clear, for callers that write
// A directly.
func (m *Mask) Touch(r image.Rectangle) {
	r = r.Intersect(image.Rect(0, 0, m.W, m.H))
	if !r.Empty() {
		m.touch(r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	}
}

func (m *Mask) touch(x0, y0, x1, y1 int) {
	if m.x0 >= m.x1 {
		m.x0, m.y0, m.x1, m.y1 = x0, y0, x1, y1
		return
	}
	m.x0, m.y0 = min(m.x0, x0), min(m.y0, y0)
	m.x1, m.y1 = max(m.x1, x1), max(m.y1, y1)
}

// Capsule adds an anti-aliased segment from (ax, ay) to (bx, by) with round
// caps and radius r, in pixel coordinates (pixel (i, j) covers [i, i+1) x
// [j, j+1)). Segments with a non-finite coordinate are skipped; the segment
// is clipped to the mask first, so far-away endpoints cost nothing.
func (m *Mask) Capsule(ax, ay, bx, by, r float64) {
	if !finite(ax) || !finite(ay) || !finite(bx) || !finite(by) || !(r > 0) {
		return
	}
	pad := r + 1
	var ok bool
	ax, ay, bx, by, ok = clipSegment(ax, ay, bx, by, -pad, -pad, float64(m.W)+pad, float64(m.H)+pad)
	if !ok {
		return
	}
	// Split long segments into short pieces so each piece's bounding box is
	// small. Coverage is a decreasing function of the distance, and the
	// distance to the union is the minimum, so max() over pieces is exact.
	dx, dy := bx-ax, by-ay
	n := int(math.Hypot(dx, dy)/(4+r)) + 1
	for i := 0; i < n; i++ {
		t0, t1 := float64(i)/float64(n), float64(i+1)/float64(n)
		m.capsule(ax+dx*t0, ay+dy*t0, ax+dx*t1, ay+dy*t1, r)
	}
}

func (m *Mask) capsule(ax, ay, bx, by, r float64) {
	x0 := max(int(math.Floor(min(ax, bx)-r-1)), 0)
	y0 := max(int(math.Floor(min(ay, by)-r-1)), 0)
	x1 := min(int(math.Ceil(max(ax, bx)+r+1)), m.W)
	y1 := min(int(math.Ceil(max(ay, by)+r+1)), m.H)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	m.touch(x0, y0, x1, y1)
	if ax == bx {
		m.vertical(ax, min(ay, by), max(ay, by), r, x0, y0, x1, y1)
		return
	}
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	rr := r + 0.5
	for y := y0; y < y1; y++ {
		py := float64(y) + 0.5 - ay
		row := m.A[y*m.W : (y+1)*m.W]
		for x := x0; x < x1; x++ {
			px := float64(x) + 0.5 - ax
			t := 0.0
			if l2 > 0 {
				t = (px*dx + py*dy) / l2
				t = max(0, min(1, t))
			}
			ex, ey := px-t*dx, py-t*dy
			d2 := ex*ex + ey*ey
			if d2 >= rr*rr {
				continue
			}
			c := float32(rr - math.Sqrt(d2))
			if c > 1 {
				c = 1
			}
			if c > row[x] {
				row[x] = c
			}
		}
	}
}

// vertical is capsule for a vertical segment x = ax, ay <= y <= by, in the
// box [x0,x1) x [y0,y1): between the caps a pixel's coverage depends only
// on its column, so each column's is computed once (a dense series is
// mostly such segments).
func (m *Mask) vertical(ax, ay, by, r float64, x0, y0, x1, y1 int) {
	rr := r + 0.5
	// Rows whose centre lies within [ay, by] are in the straight part.
	s0 := max(y0, int(math.Ceil(ay-0.5)))
	s1 := min(y1, int(math.Floor(by-0.5))+1)
	for x := x0; x < x1; x++ {
		px := math.Abs(float64(x) + 0.5 - ax)
		for y := y0; y < y1; y++ {
			if y == s0 && s0 < s1 {
				// The straight part: the same coverage down the column.
				if c := float32(min(rr-px, 1)); c > 0 {
					for yy := s0; yy < s1; yy++ {
						if a := &m.A[yy*m.W+x]; c > *a {
							*a = c
						}
					}
				}
				y = s1 - 1
				continue
			}
			py := float64(y) + 0.5
			ey := 0.0
			if py < ay {
				ey = ay - py
			} else if py > by {
				ey = py - by
			}
			d2 := px*px + ey*ey
			if d2 >= rr*rr {
				continue
			}
			c := float32(rr - math.Sqrt(d2))
			if c > 1 {
				c = 1
			}
			if a := &m.A[y*m.W+x]; c > *a {
				*a = c
			}
		}
	}
}

// Composite blends colour c into dst with the mask's coverage as alpha, the
// mask's (0, 0) at dst point at. Only the drawn box is visited.
func (m *Mask) Composite(dst *image.RGBA, at image.Point, c color.RGBA) {
	b := m.Bounds().Add(at).Intersect(dst.Rect)
	if b.Empty() {
		return
	}
	ca := float32(c.A) / 255
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := m.A[(y-at.Y)*m.W:]
		off := dst.PixOffset(b.Min.X, y)
		for x := b.Min.X; x < b.Max.X; x, off = x+1, off+4 {
			a := row[x-at.X] * ca
			if a <= 0 {
				continue
			}
			blend(dst.Pix[off:off+4:off+4], c, a)
		}
	}
}

// blend mixes colour c over the pixel p (4 bytes, opaque result) with alpha a.
func blend(p []uint8, c color.RGBA, a float32) {
	if a >= 1 {
		p[0], p[1], p[2], p[3] = c.R, c.G, c.B, 255
		return
	}
	b := 1 - a
	p[0] = uint8(float32(p[0])*b + float32(c.R)*a + 0.5)
	p[1] = uint8(float32(p[1])*b + float32(c.G)*a + 0.5)
	p[2] = uint8(float32(p[2])*b + float32(c.B)*a + 0.5)
	p[3] = 255
}

// clipSegment clips a segment to the box [x0,x1] x [y0,y1] (Liang-Barsky).
func clipSegment(ax, ay, bx, by, x0, y0, x1, y1 float64) (float64, float64, float64, float64, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := bx-ax, by-ay
	for _, pq := range [4][2]float64{{-dx, ax - x0}, {dx, x1 - ax}, {-dy, ay - y0}, {dy, y1 - ay}} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return 0, 0, 0, 0, false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return 0, 0, 0, 0, false
			}
			t1 = min(t1, t)
		}
	}
	return ax + t0*dx, ay + t0*dy, ax + t1*dx, ay + t1*dy, true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Fill paints r (clipped to dst) with the opaque colour c.
func Fill(dst Canvas, r image.Rectangle, c color.RGBA) { dst.Fill(r, c) }

// hline draws a 1-pixel horizontal line from x0 to x1 (exclusive) at y;
// dash > 0 draws dash pixels on, dash off.
func hline(dst Canvas, x0, x1, y int, c color.RGBA, dash int) { dst.Rule(x0, y, x1, y, c, dash) }

// vline draws a 1-pixel vertical line from y0 to y1 (exclusive) at x.
func vline(dst Canvas, x, y0, y1 int, c color.RGBA, dash int) { dst.Rule(x, y0, x, y1, c, dash) }

// strokeRect draws a 1-pixel rectangle outline just inside r.
func strokeRect(dst Canvas, r image.Rectangle, c color.RGBA) {
	if r.Empty() {
		return
	}
	hline(dst, r.Min.X, r.Max.X, r.Min.Y, c, 0)
	hline(dst, r.Min.X, r.Max.X, r.Max.Y-1, c, 0)
	vline(dst, r.Min.X, r.Min.Y+1, r.Max.Y-1, c, 0)
	vline(dst, r.Max.X-1, r.Min.Y+1, r.Max.Y-1, c, 0)
}
