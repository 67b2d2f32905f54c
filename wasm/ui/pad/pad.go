package pad

import (
	"image"
	"math"

	"mnistplay/plot"
)

// MNIST geometry.
const (
	Side  = 28 // output image side
	Box   = 20 // the ink's bounding box is scaled to fit Box x Box
	Pixel = Side * Side
)

// Pad is a drawing surface of W x H pixels holding ink coverage 0..1.
type Pad struct {
	W, H   int
	Radius float64 // pen radius in pad pixels

	mask plot.Mask // ink, (H, W)

	down    bool
	n       int        // samples in the current stroke
	p0, p1  [2]float64 // the last two samples
	version int

	sample    [Pixel]float32 // an image put on the pad by SetImage
	hasSample bool

	row []float32 // scratch for ToMNIST, (H, Side)
}

// New returns an empty w x h pad with pen radius r. It panics if w or h is
// not positive.
func New(w, h int, r float64) *Pad {
	if w <= 0 || h <= 0 {
		panic("pad: non-positive size")
	}
	p := &Pad{W: w, H: h, Radius: r}
	p.mask.Resize(w, h)
	return p
}

// Ink returns the pad's coverage buffer, (H, W) in 0..1. It is owned by the
// pad and valid until its next change.
func (p *Pad) Ink() []float32 { return p.mask.A }

// Version changes whenever the ink changes; a UI redraws when it differs
// from the version it drew.
func (p *Pad) Version() int { return p.version }

// Clear removes all ink.
func (p *Pad) Clear() {
	p.mask.Resize(p.W, p.H)
	clear(p.mask.A)
	p.down, p.n, p.hasSample = false, 0, false
	p.version++
}

// Empty reports whether the pad has no ink.
func (p *Pad) Empty() bool { return p.mask.Bounds().Empty() && !p.hasSample }

// Down starts a stroke at (x, y).
func (p *Pad) Down(x, y float64) {
	p.down, p.n = true, 1
	p.hasSample = false
	p.p0, p.p1 = [2]float64{x, y}, [2]float64{x, y}
	p.mask.Capsule(x, y, x, y, p.Radius)
	p.version++
}

// Move continues the stroke to (x, y); without a stroke in progress it does
// nothing. The stroke is smoothed: it follows quadratic curves through the
// midpoints of successive samples.
func (p *Pad) Move(x, y float64) {
	if !p.down {
		return
	}
	q := [2]float64{x, y}
	if q == p.p1 {
		return
	}
	if p.n == 1 {
		// First segment: straight to the midpoint.
		m := mid(p.p1, q)
		p.mask.Capsule(p.p1[0], p.p1[1], m[0], m[1], p.Radius)
	} else {
		p.curve(mid(p.p0, p.p1), p.p1, mid(p.p1, q))
	}
	p.p0, p.p1 = p.p1, q
	p.n++
	p.version++
}

// Up ends the stroke, drawing its last piece.
func (p *Pad) Up() {
	if !p.down {
		return
	}
	if p.n > 1 {
		m := mid(p.p0, p.p1)
		p.mask.Capsule(m[0], m[1], p.p1[0], p.p1[1], p.Radius)
	}
	p.down = false
	p.version++
}

func mid(a, b [2]float64) [2]float64 { return [2]float64{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2} }

// curve draws the quadratic Bézier a -> c with control b as short capsules.
func (p *Pad) curve(a, b, c [2]float64) {
	l := math.Hypot(b[0]-a[0], b[1]-a[1]) + math.Hypot(c[0]-b[0], c[1]-b[1])
	n := max(1, min(64, int(l/2)))
	px, py := a[0], a[1]
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		x := u*u*a[0] + 2*u*t*b[0] + t*t*c[0]
		y := u*u*a[1] + 2*u*t*b[1] + t*t*c[1]
		p.mask.Capsule(px, py, x, y, p.Radius)
		px, py = x, y
	}
}

// SetImage puts a 28x28 image (values 0..1, e.g. a test digit) on the pad,
// scaled up bilinearly. Until the next stroke or Clear, ToMNIST returns that
// image unchanged. It panics if len(img) < 784.
func (p *Pad) SetImage(img []float32) {
	if len(img) < Pixel {
		panic("pad: SetImage needs 784 values")
	}
	copy(p.sample[:], img)
	p.mask.Resize(p.W, p.H)
	clear(p.mask.A)
	p.mask.Touch(image.Rect(0, 0, p.W, p.H))
	for y := 0; y < p.H; y++ {
		fy := (float64(y)+0.5)*Side/float64(p.H) - 0.5
		y0 := int(math.Floor(fy))
		ty := float32(fy - float64(y0))
		for x := 0; x < p.W; x++ {
			fx := (float64(x)+0.5)*Side/float64(p.W) - 0.5
			x0 := int(math.Floor(fx))
			tx := float32(fx - float64(x0))
			at := func(i, j int) float32 {
				if i < 0 || j < 0 || i >= Side || j >= Side {
					return 0
				}
				return max(0, min(1, img[j*Side+i]))
			}
			v := (at(x0, y0)*(1-tx)+at(x0+1, y0)*tx)*(1-ty) + (at(x0, y0+1)*(1-tx)+at(x0+1, y0+1)*tx)*ty
			p.mask.A[y*p.W+x] = v
		}
	}
	p.down, p.n, p.hasSample = false, 0, true
	p.version++
}

// ToMNIST writes the drawing as a 28x28 image, (28, 28) ink in 0..1, into
// dst the way MNIST digits were made: the bounding box of the ink is scaled
// to fit 20x20 keeping its aspect ratio, with area averaging, and placed so
// its centre of mass is at the centre (14, 14) of the image (in continuous
// coordinates: pixel i covers [i, i+1)). The result is rescaled so its
// darkest pixel is 1. It returns false, with dst all zeros, when the pad is
// empty. It panics if len(dst) < 784.
func (p *Pad) ToMNIST(dst []float32) bool {
	if len(dst) < Pixel {
		panic("pad: ToMNIST needs 784 values")
	}
	dst = dst[:Pixel]
	clear(dst)
	if p.hasSample {
		copy(dst, p.sample[:])
		return true
	}
	b := p.mask.Bounds()
	if b.Empty() {
		return false
	}
	// Tight bounding box and centre of mass of the ink.
	const thr = 0.05
	x0, y0, x1, y1 := b.Max.X, b.Max.Y, b.Min.X, b.Min.Y
	var m, mx, my float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := float64(p.mask.A[y*p.W+x])
			if v <= thr {
				continue
			}
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
			m += v
			mx += v * (float64(x) + 0.5)
			my += v * (float64(y) + 0.5)
		}
	}
	if m == 0 {
		return false
	}
	bw, bh := float64(x1-x0), float64(y1-y0)
	s := Box / max(bw, bh) // output pixels per pad pixel
	// Output coordinate u = (x - x0)*s + ox puts the centre of mass at 14.
	ox := Side/2 - (mx/m-float64(x0))*s
	oy := Side/2 - (my/m-float64(y0))*s

	// Separable area-averaging: rows first into (H, Side), then columns.
	if cap(p.row) < p.H*Side {
		p.row = make([]float32, p.H*Side)
	}
	row := p.row[:p.H*Side] // (H, Side)
	clear(row)
	for y := y0; y < y1; y++ {
		src := p.mask.A[y*p.W : (y+1)*p.W]
		out := row[y*Side : (y+1)*Side]
		resample(out, src, x0, x1, ox, s)
	}
	col := make([]float32, p.H) // one column of row, reused
	var out [Side]float32
	for i := 0; i < Side; i++ {
		for y := y0; y < y1; y++ {
			col[y] = row[y*Side+i]
		}
		clear(out[:])
		resample(out[:], col, y0, y1, oy, s)
		for j := 0; j < Side; j++ {
			dst[j*Side+i] = out[j]
		}
	}
	var hi float32
	for _, v := range dst {
		hi = max(hi, v)
	}
	if hi > 0 {
		for i := range dst {
			dst[i] = min(1, dst[i]/hi)
		}
	}
	return true
}

// resample area-averages src[a:b] into out, where source pixel k covers
// output interval [(k-a)*s + o, (k+1-a)*s + o). Each output pixel gets the
// mean of the source over its unit interval (s <= 1 averages; s > 1
// stretches with exact coverage).
func resample(out, src []float32, a, b int, o, s float64) {
	for k := a; k < b; k++ {
		v := src[k]
		if v == 0 {
			continue
		}
		u0 := float64(k-a)*s + o
		u1 := u0 + s
		for i := max(0, int(math.Floor(u0))); i < len(out) && float64(i) < u1; i++ {
			w := min(u1, float64(i+1)) - max(u0, float64(i))
			if w > 0 {
				out[i] += v * float32(w)
			}
		}
	}
}
