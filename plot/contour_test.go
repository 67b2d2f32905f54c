package plot

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func grid(lo, hi float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return v
}

func field(xs, ys []float64, f func(x, y float64) float64) []float64 {
	v := make([]float64, len(xs)*len(ys))
	for i, y := range ys {
		for j, x := range xs {
			v[i*len(xs)+j] = f(x, y)
		}
	}
	return v
}

// The level line of f = x is the vertical line x = level, found in every
// row of cells; of f = x² + y² a closed ring on the circle of that radius.
func TestContourSegments(t *testing.T) {
	xs, ys := grid(-1, 1, 21), grid(-1, 1, 17)
	n := 0
	ContourSegments(xs, ys, field(xs, ys, func(x, y float64) float64 { return x }), 0.33, func(x0, y0, x1, y1 float64) {
		n++
		if math.Abs(x0-0.33) > 1e-12 || math.Abs(x1-0.33) > 1e-12 || math.Abs(math.Abs(y1-y0)-0.125) > 1e-12 {
			t.Errorf("segment (%v, %v)-(%v, %v) of the line x = 0.33", x0, y0, x1, y1)
		}
	})
	if n != len(ys)-1 {
		t.Errorf("%d segments for x = 0.33 across %d rows of cells", n, len(ys)-1)
	}
	xs, ys = grid(-1, 1, 41), grid(-1, 1, 41)
	var length float64
	ends := map[[2]int64]int{}
	key := func(x, y float64) [2]int64 { return [2]int64{int64(math.Round(x * 1e9)), int64(math.Round(y * 1e9))} }
	ContourSegments(xs, ys, field(xs, ys, func(x, y float64) float64 { return x*x + y*y }), 0.2601, func(x0, y0, x1, y1 float64) {
		for _, r := range []float64{math.Hypot(x0, y0), math.Hypot(x1, y1)} {
			if math.Abs(r-math.Sqrt(0.2601)) > 0.01 {
				t.Errorf("point at radius %v on the level 0.2601 of x²+y²", r)
			}
		}
		length += math.Hypot(x1-x0, y1-y0)
		ends[key(x0, y0)]++
		ends[key(x1, y1)]++
	})
	if math.Abs(length-2*math.Pi*math.Sqrt(0.2601)) > 0.02 {
		t.Errorf("ring length %v, want about 2π·√0.2601", length)
	}
	for k, c := range ends {
		if c != 2 {
			t.Errorf("point %v ends %d segments: the ring is not closed", k, c)
			break
		}
	}
	// Missing values leave their cells out, without panicking.
	v := field(xs, ys, func(x, y float64) float64 { return x })
	v[5] = math.NaN()
	ContourSegments(xs, ys, v, 0, func(x0, y0, x1, y1 float64) {})
}

// The map is coloured by the value, a missing point is grey, the path is
// drawn where its data coordinates are, and contour lines lighten the map.
func TestContourDraw(t *testing.T) {
	xs, ys := grid(-2, 2, 9), grid(-1, 1, 5)
	c := &Contour{Title: "bowl", X: Axis{Label: "x"}, Y: Axis{Label: "y"}, Xs: xs, Ys: ys,
		Values: field(xs, ys, func(x, y float64) float64 { return 1 + x*x + 4*y*y }), Log: true, ScaleLabel: "loss",
		Paths: []Series{{Name: "path", Color: color.RGBA{255, 0, 0, 255}, X: []float64{-2, 0}, Y: []float64{-1, 0}, Dots: true}}}
	c.Values[8] = math.NaN() // (x 2, y -1): the lower right corner
	img := newImg(500, 320)
	c.Draw(NewRaster(img), img.Rect)
	save(t, "contour", img)
	// Locate the plot box from the drawing: the lowest value is at the centre,
	// darkest in viridis; the highest at the corners (yellow).
	cx, cy, left, right := -1, -1, -1, -1
	for x := 0; x < 500; x++ {
		if p := img.RGBAAt(x, 160); near(p, Faint, 2) && left < 0 {
			left = x
		} else if near(p, Faint, 2) {
			right = x
		}
	}
	if left < 0 || right <= left+50 {
		t.Fatalf("plot box not found on row 160: left %d right %d", left, right)
	}
	cx = (left + right) / 2
	_ = cy
	// The path's red runs from the lower left corner to the centre.
	if !hasColor(img, cx, 160, 6, color.RGBA{255, 0, 0, 255}) {
		t.Error("no path at the centre of the map")
	}
	// Contour lines: light pixels over a dark map between the centre and the edge.
	if n := countColor(img, image.Rect(left+5, 100, right-5, 220), color.RGBA{255, 255, 255, 255}, 80); n < 20 {
		t.Errorf("%d light pixels: no contour lines", n)
	}
	if n := countColor(img, image.Rect(right-20, 20, right, 320), GridColor, 0); n < 20 {
		t.Errorf("%d grey pixels near the missing corner", n)
	}
	// A second draw gives the same picture (scratch buffers are reset).
	img2 := newImg(500, 320)
	c.Draw(NewRaster(img2), img2.Rect)
	for i := range img.Pix {
		if img.Pix[i] != img2.Pix[i] {
			t.Fatal("second draw differs")
		}
	}
}
