package plot

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var gallery = flag.String("gallery", "", "directory to write the test figures into as PNG")

func newImg(w, h int) *image.RGBA { return image.NewRGBA(image.Rect(0, 0, w, h)) }

func save(t *testing.T, name string, img image.Image) {
	if *gallery == "" {
		return
	}
	f, err := os.Create(filepath.Join(*gallery, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return math.Abs(float64(x)-float64(y)) <= float64(tol) }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// hasColor reports whether a pixel within radius of (x, y) is near c.
func hasColor(img *image.RGBA, x, y, radius int, c color.RGBA) bool {
	for dy := -radius; dy <= radius; dy++ {
		for dx := -radius; dx <= radius; dx++ {
			p := image.Pt(x+dx, y+dy)
			if p.In(img.Rect) && near(img.RGBAAt(p.X, p.Y), c, 40) {
				return true
			}
		}
	}
	return false
}

func countColor(img *image.RGBA, r image.Rectangle, c color.RGBA, tol int) int {
	n := 0
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if near(img.RGBAAt(x, y), c, tol) {
				n++
			}
		}
	}
	return n
}

// labels returns the ticks' labels.
func labels(ticks []Tick) []string {
	var got []string
	for _, k := range ticks {
		got = append(got, k.Label)
	}
	return got
}

func TestLinearTicks(t *testing.T) {
	for i, tc := range []struct {
		lo, hi   float64
		n        int
		want     []string
		nlo, nhi float64
	}{
		{0, 1, 6, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, 0, 1},
		{0, 100, 6, []string{"0", "20", "40", "60", "80", "100"}, 0, 100},
		{0.1, 2.37, 6, []string{"0.0", "0.5", "1.0", "1.5", "2.0", "2.5"}, 0, 2.5},
		{-3, 7, 3, []string{"-5", "0", "5", "10"}, -5, 10},
		{5, 5, 3, []string{"4.5", "5.0", "5.5"}, 4.5, 5.5}, // all equal: widened
	} {
		ticks, nlo, nhi := LinearTicks(tc.lo, tc.hi, tc.n)
		got := labels(ticks)
		if len(got) != len(tc.want) {
			t.Errorf("case %d: ticks %v, want %v", i, got, tc.want)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("case %d: ticks %v, want %v", i, got, tc.want)
		}
		if math.Abs(nlo-tc.nlo) > 1e-9 || math.Abs(nhi-tc.nhi) > 1e-9 {
			t.Errorf("case %d: range [%v, %v], want [%v, %v]", i, nlo, nhi, tc.nlo, tc.nhi)
		}
	}
}

func TestLogTicks(t *testing.T) {
	for i, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0.05, 2.3, []string{"0.01", "0.1", "1", "10"}},
		{0.2, 3, []string{"0.1", "0.2", "0.5", "1", "2", "5", "10"}},
		{1e-6, 1, []string{"1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "1"}},
		{1, 1, []string{"1", "2", "5", "10"}},
	} {
		ticks, _, _ := appendLogTicks(nil, tc.lo, tc.hi)
		if got := labels(ticks); !slices.Equal(got, tc.want) {
			t.Errorf("case %d: ticks %v, want %v", i, got, tc.want)
		}
	}
}

func TestColorMaps(t *testing.T) {
	for i, tc := range []struct {
		got, want color.RGBA
	}{
		{Diverging(-1), DivergingLow},
		{Diverging(0), DivergingMid},
		{Diverging(1), DivergingHigh},
		{Diverging(-7), DivergingLow},
		{Diverging(7), DivergingHigh},
		{Viridis(0), viridis[0]},
		{Viridis(1), viridis[len(viridis)-1]},
		{Viridis(2), viridis[len(viridis)-1]},
	} {
		if tc.got != tc.want {
			t.Errorf("case %d: %v, want %v", i, tc.got, tc.want)
		}
	}
	// Symmetric around 0: the distance from white is the same at ±t.
	a, b := Diverging(-0.5), Diverging(0.5)
	if a.B <= a.R || b.R <= b.B {
		t.Errorf("Diverging(-0.5) = %v should be blue, Diverging(0.5) = %v red", a, b)
	}
	if g := Diverging(math.NaN()); g.R != g.G || g.G != g.B {
		t.Errorf("Diverging(NaN) = %v, want grey", g)
	}
}

// chartFrame draws the chart and returns the pixel position of data points
// by recomputing the frame the same way Draw does.
func TestChartSeriesAtExpectedPoint(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	blue := color.RGBA{0, 0, 255, 255}
	c := &Chart{
		X: Axis{Min: 0, Max: 10}, Y: Axis{Min: 0, Max: 10},
		Series: []Series{
			{Color: red, X: []float64{0, 10}, Y: []float64{2, 2}, Width: 2},
			{Color: blue, X: []float64{0, 10}, Y: []float64{8, 8}, Width: 2},
		},
		NoLegend: true,
	}
	img := newImg(400, 250)
	c.Draw(NewRaster(img), img.Rect)
	save(t, "points", img)
	// Find the plot box: the red line is at 20% of the height from the
	// bottom, the blue one at 80%; both span the width. Scan a middle column.
	var redY, blueY []int
	for y := 0; y < 250; y++ {
		p := img.RGBAAt(200, y)
		if near(p, red, 60) {
			redY = append(redY, y)
		}
		if near(p, blue, 60) {
			blueY = append(blueY, y)
		}
	}
	if len(redY) == 0 || len(blueY) == 0 {
		t.Fatalf("series not found in the middle column: red %v blue %v", redY, blueY)
	}
	if redY[0] <= blueY[0] {
		t.Errorf("red (y=2) at row %d should be below blue (y=8) at row %d", redY[0], blueY[0])
	}
	// Ratio check: with the plot box top..bottom, red is 4/5 down and blue 1/5.
	r, b := float64(redY[0]), float64(blueY[0])
	top := b - (r-b)/3*1 // blue = top + 0.2h, red = top + 0.8h => h = (r-b)/0.6
	h := (r - b) / 0.6
	top = b - 0.2*h
	if top < 0 || top > 40 || h < 150 {
		t.Errorf("implied plot box top %v height %v is implausible", top, h)
	}
	// A 1-pixel gap between left and right endpoints is not allowed.
	for x := 120; x < 300; x++ {
		if !hasColor(img, x, redY[0], 1, red) {
			t.Fatalf("red line broken at x=%d", x)
		}
	}
}

func TestChartNaNSkipped(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	// Points at x=0..10, y=5, with NaN at x=4,5,6: nothing red between the
	// pixels of x=4 and x=6 (exclusive of the caps).
	xs := make([]float64, 11)
	ys := make([]float64, 11)
	for i := range xs {
		xs[i], ys[i] = float64(i), 5
	}
	ys[4], ys[5], ys[6] = math.NaN(), math.Inf(1), math.NaN()
	c := &Chart{X: Axis{Min: 0, Max: 10}, Y: Axis{Min: 0, Max: 10},
		Series: []Series{{Color: red, X: xs, Y: ys, Width: 3}}, NoLegend: true}
	img := newImg(400, 250)
	c.Draw(NewRaster(img), img.Rect)
	save(t, "nan", img)
	// Locate x pixels of data x=3 and x=7 through the red extent.
	var cols []int
	for x := 0; x < 400; x++ {
		if countColor(img, image.Rect(x, 0, x+1, 250), red, 60) > 0 {
			cols = append(cols, x)
		}
	}
	if len(cols) == 0 {
		t.Fatal("no red at all")
	}
	x0, x1 := float64(cols[0]), float64(cols[len(cols)-1])
	unit := (x1 - x0) / 10
	gap := image.Rect(int(x0+3.3*unit), 0, int(x0+6.7*unit), 250)
	if n := countColor(img, gap, red, 100); n > 0 {
		t.Errorf("%d red pixels drawn across the NaN/Inf gap %v", n, gap)
	}
	// But the segment x=0..3 is there.
	if n := countColor(img, image.Rect(int(x0+unit), 0, int(x0+2*unit), 250), red, 60); n == 0 {
		t.Error("finite segment x=1..2 missing")
	}
}

func TestChartDegenerate(t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	for i, s := range [][2][]float64{
		{nil, nil},
		{{1}, {1}},
		{{1, 2, 3}, {4, 4, 4}},
		{{0, 1, 2}, {inf, -inf, nan}},
		{{0, 1e300, 2}, {1, 2, -1e300}},
		{{0, 1}, {1}}, // mismatched lengths: the shorter counts
		{{nan, nan}, {nan, nan}},
	} {
		for _, log := range []bool{false, true} {
			c := &Chart{Title: "t", X: Axis{Label: "epoch"}, Y: Axis{Label: "loss", Log: log},
				Series:  []Series{{Name: "a", Color: Palette[0], X: s[0], Y: s[1], Dots: true}},
				Markers: []Marker{{X: 0.5, Label: "shuffle on"}, {X: nan}}}
			for _, sz := range []image.Rectangle{image.Rect(0, 0, 400, 250), image.Rect(0, 0, 30, 20), image.Rect(0, 0, 0, 0)} {
				img := image.NewRGBA(sz)
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("case %d log %v size %v: panic %v", i, log, sz, r)
						}
					}()
					c.Draw(NewRaster(img), img.Rect)
				}()
			}
		}
	}
}

func TestChartOnePointVisible(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	c := &Chart{Series: []Series{{Color: red, X: []float64{3}, Y: []float64{0.5}}}, NoLegend: true}
	img := newImg(200, 150)
	c.Draw(NewRaster(img), img.Rect)
	if countColor(img, img.Rect, red, 80) == 0 {
		t.Error("a single point is not drawn")
	}
}

func TestChartLogSkipsNonPositive(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	c := &Chart{Y: Axis{Log: true}, NoLegend: true,
		Series: []Series{{Color: red, X: []float64{0, 1, 2, 3}, Y: []float64{1, 0, -1, 0.1}}}}
	img := newImg(300, 200)
	c.Draw(NewRaster(img), img.Rect)
	if countColor(img, img.Rect, red, 80) == 0 {
		t.Error("the positive points are not drawn")
	}
}

func TestMarkerDrawn(t *testing.T) {
	mc := color.RGBA{0, 160, 0, 255}
	c := &Chart{X: Axis{Min: 0, Max: 4}, Markers: []Marker{{X: 2, Label: "shuffle on", Color: mc}}}
	img := newImg(400, 250)
	c.Draw(NewRaster(img), img.Rect)
	save(t, "marker", img)
	// A column near the middle holds a dashed green line over many rows.
	best := 0
	for x := 150; x < 260; x++ {
		best = max(best, countColor(img, image.Rect(x, 0, x+1, 250), mc, 30))
	}
	if best < 50 {
		t.Errorf("marker column has %d green pixels, want a dashed line", best)
	}
}

func TestMaskCapsule(t *testing.T) {
	m := &Mask{}
	m.Resize(20, 20)
	m.Capsule(5, 10, 15, 10, 2)
	if m.A[10*20+10] != 1 {
		t.Errorf("centre coverage %v, want 1", m.A[10*20+10])
	}
	if m.A[2*20+10] != 0 {
		t.Errorf("far coverage %v, want 0", m.A[2*20+10])
	}
	// Anti-aliased edge: some coverage strictly between 0 and 1.
	partial := false
	for _, a := range m.A {
		if a > 0 && a < 1 {
			partial = true
		}
	}
	if !partial {
		t.Error("no anti-aliased edge pixels")
	}
	// Far-away endpoints are clipped, not iterated.
	m.Capsule(-1e12, 3, 1e12, 3, 1)
	if m.A[3*20+0] != 1 || m.A[3*20+19] != 1 {
		t.Error("clipped long segment missing")
	}
	m.Clear()
	for i, a := range m.A {
		if a != 0 {
			t.Fatalf("after Clear A[%d] = %v", i, a)
		}
	}
}

func TestFilterGrid(t *testing.T) {
	// Two 2x2 filters: the first has -1 and +1, the second is all 0.
	g := &FilterGrid{N: 2, H: 2, W: 2, Data: []float32{-1, 1, 0, 0, 0, 0, 0, 0}, Selected: -1}
	img := newImg(200, 100)
	r := img.Rect
	g.Draw(NewRaster(img), r)
	save(t, "filters", img)
	cols, _, cell, o := g.layout(r)
	if cols != 2 || cell < 40 {
		t.Fatalf("layout cols %d cell %d", cols, cell)
	}
	at := func(k, fx, fy int) color.RGBA {
		x := o.X + (k%cols)*cell + cell/10 + fx*cell*8/10/2 + cell/5
		y := o.Y + (k/cols)*cell + cell/10 + fy*cell*8/10/2 + cell/5
		return img.RGBAAt(x, y)
	}
	if got := at(0, 0, 0); got != DivergingLow {
		t.Errorf("-1 drawn as %v, want %v", got, DivergingLow)
	}
	if got := at(0, 1, 0); got != DivergingHigh {
		t.Errorf("+1 drawn as %v, want %v", got, DivergingHigh)
	}
	if got := at(1, 0, 0); got != DivergingMid {
		t.Errorf("0 drawn as %v, want %v", got, DivergingMid)
	}
	if k := g.HitTest(r, image.Pt(o.X+cell+cell/2, o.Y+cell/2)); k != 1 {
		t.Errorf("HitTest second cell = %d, want 1", k)
	}
	if k := g.HitTest(r, image.Pt(-5, 50)); k != -1 {
		t.Errorf("HitTest outside = %d, want -1", k)
	}
	// Empty and degenerate grids do not panic.
	(&FilterGrid{}).Draw(NewRaster(img), r)
	(&FilterGrid{N: 1, H: 1, W: 1, Data: []float32{float32(math.NaN())}}).Draw(NewRaster(img), r)
}

func TestBars(t *testing.T) {
	img := newImg(300, 120)
	p := []float32{0.01, 0.02, 0.8, 0.05, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02}
	if k := Bars(NewRaster(img), img.Rect, p, nil); k != 2 {
		t.Errorf("argmax %d, want 2", k)
	}
	save(t, "bars", img)
	// The highlighted colour appears in bar 2's column, not in bar 5's.
	bw := 30
	if countColor(img, image.Rect(2*bw, 0, 3*bw, 120), BarHighlight, 10) < 100 {
		t.Error("bar 2 not highlighted")
	}
	if countColor(img, image.Rect(5*bw, 0, 6*bw, 120), BarHighlight, 10) > 0 {
		t.Error("bar 5 highlighted")
	}
	if k := Bars(NewRaster(img), img.Rect, nil, nil); k != -1 {
		t.Errorf("empty argmax %d", k)
	}
	nan := float32(math.NaN())
	if k := Bars(NewRaster(img), img.Rect, []float32{nan, 0.5, nan}, nil); k != 1 {
		t.Errorf("NaN argmax %d, want 1", k)
	}
}

func TestGray(t *testing.T) {
	src := make([]float32, 28*28)
	src[0] = 1          // top-left white
	src[27*28+27] = 0.5 // bottom-right mid grey
	img := newImg(112, 112)
	Gray(NewRaster(img), img.Rect, src, 28, 28, 0, 1)
	if got := img.RGBAAt(2, 2); got != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("top-left %v, want white", got)
	}
	if got := img.RGBAAt(5, 5); got != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("(5,5) %v, want black", got)
	}
	if got := img.RGBAAt(110, 110); got.R != 128 {
		t.Errorf("bottom-right %v, want 128 grey", got)
	}
}

func TestHeatMap(t *testing.T) {
	h := &HeatMap{Title: "final test accuracy", Rows: 2, Cols: 2, Values: []float64{0, 1, math.NaN(), 0.5},
		RowLabels: []string{"100", "500"}, ColLabels: []string{"1e-3", "1e-4"}, RowTitle: "batch", ColTitle: "lr"}
	img := newImg(400, 200)
	h.Draw(NewRaster(img), img.Rect)
	save(t, "heatmap", img)
	if countColor(img, img.Rect, viridis[0], 2) < 500 {
		t.Error("min cell not drawn with the colour map's low end")
	}
	if countColor(img, img.Rect, viridis[8], 2) < 500 {
		t.Error("max cell not drawn with the colour map's high end")
	}
	for i, hm := range []*HeatMap{{}, {Rows: 1, Cols: 1, Values: []float64{math.Inf(1)}}, {Rows: 1, Cols: 3, Values: []float64{2, 2, 2}}} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("case %d: panic %v", i, r)
				}
			}()
			hm.Draw(NewRaster(img), img.Rect)
		}()
	}
}

// TestGallery draws the playground's figures; with -gallery=DIR it writes
// them as PNGs to look at.
func TestGallery(t *testing.T) {
	n := 2000
	xs := make([]float64, n)
	tr := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i) / 400
		tr[i] = 2.3*math.Exp(-float64(i)/150) + 0.05 + 0.05*math.Sin(float64(i)*0.7)
		if i > 1200 {
			tr[i] += 1.5 * (1 - math.Exp(-float64(i-1200)/80))
		}
	}
	tr[500] = math.NaN()
	ep := []float64{1, 2, 3, 4, 5}
	c := &Chart{Title: "loss", X: Axis{Label: "epoch"}, Y: Axis{Log: true},
		Series: []Series{
			{Name: "train (step)", Color: Palette[0], X: xs, Y: tr, Width: 1},
			{Name: "train", Color: Palette[1], X: ep, Y: []float64{0.3, 0.12, 0.08, 1.2, 1.0}, Dots: true, Width: 2},
			{Name: "validation", Color: Palette[2], X: ep, Y: []float64{0.25, 0.13, 0.1, 2.1, 2.3}, Dots: true, Width: 2},
		},
		Markers: []Marker{{X: 3, Label: "shuffle on", Color: Palette[3]}},
	}
	img := newImg(400, 250)
	c.Draw(NewRaster(img), img.Rect)
	save(t, "loss", img)
	a := &Chart{Title: "accuracy", X: Axis{Label: "epoch"}, Y: Axis{Min: 0, Max: 100, Unit: "%"},
		Series: []Series{
			{Name: "train", Color: Palette[1], X: ep, Y: []float64{91, 96, 97.5, 40, 60}, Dots: true, Width: 2},
			{Name: "validation", Color: Palette[2], X: ep, Y: []float64{92, 95.5, 97, 30, 15}, Dots: true, Width: 2},
		}, Markers: c.Markers}
	a.Draw(NewRaster(img), img.Rect)
	save(t, "accuracy", img)
	al := make([]float64, 21)
	lo := make([]float64, 21)
	er := make([]float64, 21)
	for i := range al {
		al[i] = -0.5 + float64(i)*0.1
		lo[i] = 0.05 + 3*(al[i]-1)*(al[i]-1)
		er[i] = math.Min(0.9, 0.02+0.5*(al[i]-1)*(al[i]-1))
	}
	f := &Chart{Title: "flatness", X: Axis{Label: "alpha", Min: -0.5, Max: 1.5}, Y: Axis{Label: "loss", Log: true},
		Y2: &Axis{Label: "error", Min: 0, Max: 1},
		Series: []Series{
			{Name: "loss", Color: Palette[0], X: al, Y: lo, Dots: true},
			{Name: "error", Color: Palette[3], X: al, Y: er, Dots: true, Right: true},
		}}
	f.Draw(NewRaster(img), img.Rect)
	save(t, "flatness", img)
	rng := uint32(1)
	w := make([]float32, 10*25)
	for i := range w {
		rng = rng*1664525 + 1013904223
		w[i] = float32(int32(rng)) / float32(1<<31) * 0.3
	}
	g := &FilterGrid{Title: "conv1 filters", N: 10, H: 5, W: 5, Data: w, Selected: 3}
	gi := newImg(300, 140)
	g.Draw(NewRaster(gi), gi.Rect)
	save(t, "conv1", gi)
}

// TestLegendBottom: a boxed legend (names too long for the title row) sits
// at the plot's top right, or its bottom right with LegendBottom.
func TestLegendBottom(t *testing.T) {
	sw := color.RGBA{200, 0, 200, 255}
	for i, bottom := range []bool{false, true} {
		c := &Chart{Title: "accuracy", X: Axis{Min: 0, Max: 1}, Y: Axis{Min: 0, Max: 1}, LegendBottom: bottom,
			// No points: only the legend's swatches have these colours.
			Series: []Series{{Name: "a run name much too long", Color: sw}, {Name: "for the title row: so a box instead", Color: sw}}}
		img := newImg(400, 250)
		c.Draw(NewRaster(img), img.Rect)
		save(t, fmt.Sprintf("legend-bottom-%v", bottom), img)
		top := countColor(img, image.Rect(0, 20, 400, 125), sw, 10) // below the title row
		low := countColor(img, image.Rect(0, 125, 400, 250), sw, 10)
		if bottom && (low == 0 || top != 0) || !bottom && (top == 0 || low != 0) {
			t.Errorf("case %d (LegendBottom %v): swatch pixels top %d, bottom %d", i, bottom, top, low)
		}
	}
}
