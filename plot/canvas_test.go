package plot

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// recorder is a Canvas that records what a figure asks of a back end.
type recorder struct {
	b                           image.Rectangle
	fills, rules, strokes, imgs int
	texts                       []string
	outside                     []string // calls reaching outside the area drawn into
	area                        image.Rectangle
}

func (r *recorder) Bounds() image.Rectangle { return r.b }
func (r *recorder) check(what string, x image.Rectangle) {
	if !x.Empty() && !x.In(r.area) {
		r.outside = append(r.outside, what+" "+x.String())
	}
}
func (r *recorder) Fill(x image.Rectangle, c color.RGBA) { r.fills++; r.check("fill", x) }
func (r *recorder) Rule(x0, y0, x1, y1 int, c color.RGBA, dash int) {
	r.rules++
	r.check("rule", image.Rect(x0, y0, max(x1, x0+1), max(y1, y0+1)))
}
func (r *recorder) Stroke(clip image.Rectangle, p *Path, w float64, c color.RGBA) {
	r.strokes++
	r.check("stroke clip", clip)
}
func (r *recorder) Text(x, y int, s string, c color.RGBA) {
	r.texts = append(r.texts, s)
	r.check("text "+s, image.Rect(x, y, x+TextWidth(s), y+LineHeight()))
}
func (r *recorder) Image(x image.Rectangle, src *image.RGBA) { r.imgs++; r.check("image", x) }

// TestFiguresStayInTheirArea: each figure, drawn into a part of a larger
// canvas at scales 1 and 2, asks the back end only for drawing inside that
// part, and draws its series, texts and images through the Canvas.
func TestFiguresStayInTheirArea(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	ys := []float64{1, 0.5, 0.3, math.NaN(), 0.1}
	field := make([]float64, 25)
	for i := range field {
		field[i] = float64(i%5) + float64(i/5)
	}
	w := make([]float32, 4*9)
	for i := range w {
		w[i] = float32(i%7) - 3
	}
	figs := []struct {
		name              string
		draw              func(Canvas, image.Rectangle)
		strokes, imgs, tx bool
	}{
		{"chart", (&Chart{Title: "loss", X: Axis{Label: "epoch"}, Y: Axis{Log: true}, Y2: &Axis{Label: "err", Unit: "%"},
			Series:  []Series{{Name: "train", X: xs, Y: ys, Dots: true}, {Name: "val", X: xs, Y: ys, Right: true}},
			Markers: []Marker{{X: 2, Label: "shuffle"}}}).Draw, true, false, true},
		{"filters", (&FilterGrid{Title: "conv1", N: 4, H: 3, W: 3, Data: w, Selected: 1}).Draw, false, true, true},
		{"bars", func(c Canvas, r image.Rectangle) { Bars(c, r, []float32{0.1, 0.7, 0.2}, nil) }, false, false, true},
		{"heat map", (&HeatMap{Title: "acc", Rows: 2, Cols: 2, Values: []float64{1, 2, 3, 4}, RowLabels: []string{"a", "b"}, ColLabels: []string{"c", "d"}}).Draw, false, false, true},
		{"contour", (&Contour{Title: "landscape", Xs: xs, Ys: xs, Values: field, Paths: []Series{{X: xs, Y: xs, Dots: true}}}).Draw, true, true, true},
	}
	defer SetScale(1)
	for _, s := range []float64{1, 2} {
		SetScale(s)
		for i, f := range figs {
			area := image.Rect(50, 40, 50+int(420*s), 40+int(300*s))
			r := &recorder{b: image.Rect(0, 0, 2000, 1000), area: area}
			f.draw(r, area)
			if len(r.outside) > 0 {
				t.Errorf("case %d (%s, scale %v): drawn outside %v: %v", i, f.name, s, area, r.outside)
			}
			if f.strokes != (r.strokes > 0) || f.imgs != (r.imgs > 0) || f.tx != (len(r.texts) > 0) || r.fills == 0 {
				t.Errorf("case %d (%s, scale %v): %d strokes, %d images, %d texts, %d fills", i, f.name, s, r.strokes, r.imgs, len(r.texts), r.fills)
			}
		}
	}
}

// TestRasterImage: Raster.Image scales by nearest neighbour and clips.
func TestRasterImage(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 2, 1))
	copy(src.Pix, []uint8{255, 0, 0, 255, 0, 0, 255, 255})
	img := image.NewRGBA(image.Rect(0, 0, 6, 3))
	NewRaster(img).Image(image.Rect(2, 1, 8, 4), src) // half outside
	for _, c := range []struct {
		x, y int
		want color.RGBA
	}{{1, 1, color.RGBA{}}, {2, 1, color.RGBA{255, 0, 0, 255}}, {4, 2, color.RGBA{255, 0, 0, 255}}, {5, 2, color.RGBA{0, 0, 255, 255}}, {3, 0, color.RGBA{}}} {
		if got := img.RGBAAt(c.x, c.y); got != c.want {
			t.Errorf("pixel (%d, %d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}

// TestVerticalCapsule: the fast path for vertical segments gives the
// coverage of the general one (a segment tilted by a hair).
func TestVerticalCapsule(t *testing.T) {
	for i, c := range []struct{ x, y0, y1, r float64 }{{10.5, 3.2, 17.9, 1.5}, {10, 5, 5.4, 0.75}, {7.3, 0, 30, 3}, {12.25, 10.6, 2.1, 2}} {
		a, b := &Mask{}, &Mask{}
		a.Resize(25, 25)
		b.Resize(25, 25)
		a.Capsule(c.x, c.y0, c.x, c.y1, c.r)
		b.Capsule(c.x, c.y0, c.x+1e-9, c.y1, c.r)
		for k := range a.A {
			if d := a.A[k] - b.A[k]; d > 1e-4 || d < -1e-4 {
				t.Errorf("case %d: pixel (%d, %d) coverage %v, want %v", i, k%25, k/25, a.A[k], b.A[k])
				break
			}
		}
	}
}
