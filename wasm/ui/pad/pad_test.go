package pad

import (
	"math"
	"testing"
)

// moments returns the mass, centre of mass (continuous coordinates, pixel i
// covers [i, i+1)) and ink bounding box of a 28x28 image.
func moments(img []float32) (m, cx, cy float64, x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = Side, Side, -1, -1
	for y := 0; y < Side; y++ {
		for x := 0; x < Side; x++ {
			v := float64(img[y*Side+x])
			if v <= 0.02 {
				continue
			}
			m += v
			cx += v * (float64(x) + 0.5)
			cy += v * (float64(y) + 0.5)
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	return m, cx / m, cy / m, x0, y0, x1, y1
}

func stroke(p *Pad, pts ...[2]float64) {
	p.Down(pts[0][0], pts[0][1])
	for _, q := range pts[1:] {
		p.Move(q[0], q[1])
	}
	p.Up()
}

// line samples a straight stroke from a to b every 3 pixels.
func line(a, b [2]float64) [][2]float64 {
	n := int(math.Hypot(b[0]-a[0], b[1]-a[1])/3) + 1
	pts := make([][2]float64, n+1)
	for i := range pts {
		t := float64(i) / float64(n)
		pts[i] = [2]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
	}
	return pts
}

func TestEmpty(t *testing.T) {
	p := New(280, 280, 10)
	dst := make([]float32, Pixel)
	for i := range dst {
		dst[i] = 7
	}
	if p.ToMNIST(dst) {
		t.Error("empty pad reported ink")
	}
	for i, v := range dst {
		if v != 0 {
			t.Fatalf("dst[%d] = %v, want 0", i, v)
		}
	}
	if !p.Empty() {
		t.Error("Empty() false on a new pad")
	}
}

func TestVerticalLine(t *testing.T) {
	for i, tc := range []struct{ x, y0, y1 float64 }{
		{140, 40, 240}, // centred
		{60, 20, 120},  // off-centre, short: recentred and scaled up
		{250, 100, 270},
	} {
		p := New(280, 280, 10)
		stroke(p, line([2]float64{tc.x, tc.y0}, [2]float64{tc.x, tc.y1})...)
		dst := make([]float32, Pixel)
		if !p.ToMNIST(dst) {
			t.Fatalf("case %d: no ink", i)
		}
		m, cx, cy, x0, y0, x1, y1 := moments(dst)
		if m == 0 {
			t.Fatalf("case %d: empty output", i)
		}
		if math.Abs(cx-14) > 0.5 || math.Abs(cy-14) > 0.5 {
			t.Errorf("case %d: centre of mass (%.2f, %.2f), want (14, 14) ± 0.5", i, cx, cy)
		}
		if h := y1 - y0 + 1; h > 20 || h < 19 {
			t.Errorf("case %d: bar height %d px, want 19..20", i, h)
		}
		if w := x1 - x0 + 1; w > 6 {
			t.Errorf("case %d: bar width %d px, want a thin bar", i, w)
		}
		var hi float32
		for _, v := range dst {
			hi = max(hi, v)
		}
		if hi != 1 {
			t.Errorf("case %d: max %v, want 1", i, hi)
		}
	}
}

func TestAspectKept(t *testing.T) {
	// A wide horizontal stroke 200 px long, 20 px thick: 20 wide in the
	// output, about 2 high.
	p := New(280, 280, 10)
	stroke(p, line([2]float64{40, 100}, [2]float64{240, 100})...)
	dst := make([]float32, Pixel)
	p.ToMNIST(dst)
	_, cx, cy, x0, y0, x1, y1 := moments(dst)
	w, h := x1-x0+1, y1-y0+1
	if w < 19 || w > 20 {
		t.Errorf("width %d, want 19..20", w)
	}
	if h > 4 {
		t.Errorf("height %d, want <= 4 (aspect 220:20 kept)", h)
	}
	if math.Abs(cx-14) > 0.5 || math.Abs(cy-14) > 0.5 {
		t.Errorf("centre of mass (%.2f, %.2f)", cx, cy)
	}
}

func TestStrokeSmoothAndThick(t *testing.T) {
	p := New(100, 100, 5)
	// Sparse samples along a circle: the pen must interpolate between them.
	var pts [][2]float64
	for a := 0.0; a <= 2*math.Pi+0.01; a += math.Pi / 6 {
		pts = append(pts, [2]float64{50 + 30*math.Cos(a), 50 + 30*math.Sin(a)})
	}
	stroke(p, pts...)
	ink := p.Ink()
	gaps := 0
	for k := 0; k < 360; k++ {
		a := float64(k) * math.Pi / 180
		x, y := int(50+29*math.Cos(a)), int(50+29*math.Sin(a))
		if ink[y*100+x] < 0.5 {
			gaps++
		}
	}
	if gaps > 0 {
		t.Errorf("%d of 360 points along the circle not inked", gaps)
	}
	if ink[50*100+50] != 0 {
		t.Error("centre inked")
	}
	partial := 0
	for _, v := range ink {
		if v > 0 && v < 1 {
			partial++
		}
	}
	if partial == 0 {
		t.Error("no anti-aliased pixels")
	}
	v := p.Version()
	p.Move(10, 10) // no stroke in progress: ignored
	if p.Version() != v {
		t.Error("Move without Down changed the pad")
	}
	p.Clear()
	if !p.Empty() {
		t.Error("not empty after Clear")
	}
	for i, v := range p.Ink() {
		if v != 0 {
			t.Fatalf("ink[%d] = %v after Clear", i, v)
		}
	}
}

func TestSetImage(t *testing.T) {
	img := make([]float32, Pixel)
	for y := 6; y < 22; y++ {
		img[y*Side+13], img[y*Side+14] = 1, 0.5
	}
	p := New(280, 280, 10)
	p.SetImage(img)
	dst := make([]float32, Pixel)
	if !p.ToMNIST(dst) {
		t.Fatal("no ink after SetImage")
	}
	for i := range dst {
		if dst[i] != img[i] {
			t.Fatalf("dst[%d] = %v, want the sample's %v", i, dst[i], img[i])
		}
	}
	if v := p.Ink()[140*280+135]; v < 0.9 {
		t.Errorf("pad ink at the sample's column = %v", v)
	}
	// A new stroke replaces the sample by the drawing.
	stroke(p, [2]float64{10, 10}, [2]float64{10, 200})
	p.ToMNIST(dst)
	if dst[14*Side+14] == 0.5 {
		t.Error("sample still returned after a stroke")
	}
	p.Clear()
	if p.ToMNIST(dst) {
		t.Error("ink after Clear")
	}
}

func BenchmarkToMNIST(b *testing.B) {
	p := New(280, 280, 10)
	stroke(p, line([2]float64{140, 40}, [2]float64{140, 240})...)
	stroke(p, line([2]float64{60, 60}, [2]float64{200, 220})...)
	dst := make([]float32, Pixel)
	for b.Loop() {
		p.ToMNIST(dst)
	}
}
