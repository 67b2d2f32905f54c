package view

import (
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"mnistplay/plot"
	"mnistplay/wire"
)

func landGrid(n int) wire.LandscapeGridEvent {
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = -1 + 2*float64(i)/float64(n-1)
		ys[i] = xs[i]
	}
	return wire.LandscapeGridEvent{Plane: "pca", Xs: xs, Ys: ys, Explained: [2]float64{0.9, 0.05},
		Path: [][2]float64{{-0.8, -0.5}, {-0.3, -0.1}, {0, 0}}, N: 1000, Count: n * n}
}

// The landscape takes the flatness panel's place and fills as points come:
// the map is coloured where points arrived, NaN points are counted, the
// sharpness shows under it and beside the flatness curve; clicks on the
// title cycle through the panel's modes; a new run clears it.
func TestLandscapePanel(t *testing.T) {
	v := New()
	const n = 5
	v.Apply(landGrid(n))
	if !v.showLand || v.land == nil || len(v.land.loss) != n*n {
		t.Fatalf("after the grid: shown %v, state %+v", v.showLand, v.land)
	}
	renderAll(v, time.Now())
	img := v.Panels[PFlat].Img
	lo := plot.Viridis(0)
	hi := plot.Viridis(1)
	if countColor(img, lo)+countColor(img, hi) > 2*img.Rect.Dy() { // the colour scale alone
		t.Error("the map is coloured before any point came")
	}
	for k := 0; k < 2*n; k++ {
		i, j := k/n, k%n
		loss := 0.1 + float64((i-2)*(i-2)+(j-2)*(j-2))
		if k == 3 {
			loss = math.NaN()
		}
		v.Apply(wire.LandscapePointEvent{I: i, J: j, Index: k, Count: n * n, Loss: loss, Seconds: 0.1 * float64(k)})
	}
	if v.land.got != 2*n || v.land.nan != 1 {
		t.Errorf("got %d points, %d NaN; want %d and 1", v.land.got, v.land.nan, 2*n)
	}
	v.Apply(wire.SharpnessEvent{Values: []float64{12.5, 3, 1}, Step: 4, Steps: 12, Trace: math.NaN()})
	renderAll(v, time.Now().Add(time.Second))
	if countColor(img, color.RGBA{230, 40, 40, 255}) == 0 {
		t.Error("the training path is not drawn")
	}
	if countColor(img, lo)+countColor(img, hi) == 0 {
		t.Error("no map colour after 10 points")
	}
	if !strings.Contains(v.landChart.X.Label, "90%") {
		t.Errorf("x axis %q: want the explained variance", v.landChart.X.Label)
	}
	v.Apply(wire.LandscapeDoneEvent{Cancelled: true, Reason: "cancelled", Points: 2 * n, Count: n * n})
	if !strings.HasPrefix(v.land.status, "cancelled") {
		t.Errorf("status %q", v.land.status)
	}
	// The title cycles: landscape -> flatness -> landscape (no robustness yet).
	r := v.Panels[PFlat].Rect
	click := func() {
		v.Pointer(r.Min.X+r.Dx()/2, r.Min.Y+5, true)
		v.Pointer(r.Min.X+r.Dx()/2, r.Min.Y+5, false)
	}
	click()
	if v.showLand || v.showRobust {
		t.Error("a click did not switch to flatness")
	}
	renderAll(v, time.Now().Add(2*time.Second))
	if !strings.Contains(v.flatChart.Title, "eig1 12.5") {
		t.Errorf("flatness title %q: want the sharpness", v.flatChart.Title)
	}
	click()
	if !v.showLand {
		t.Error("a second click did not come back to the landscape")
	}
	if img, err := v.ExportImage("flatness"); err != nil || img == nil {
		t.Errorf("export of the landscape: %v, %v", img, err)
	}
	// Saved runs' sharpness is listed by the flatness curve.
	v.Apply(wire.RunsEvent{Runs: []wire.Run{{ID: "a", Name: "run a", Color: "#123456", Sharpness: wire.SharpnessEvent{Values: []float64{40}, Trace: 900}}}})
	click()
	renderAll(v, time.Now().Add(3*time.Second))
	found := false
	for _, s := range v.flatChart.Series {
		found = found || strings.Contains(s.Name, "run a eig1 40 tr 900")
	}
	if !found {
		t.Errorf("no legend entry with the saved run's sharpness in %+v", v.flatChart.Series)
	}
	v.Apply(wire.ArchEvent{})
	if v.land != nil || v.sharp != nil || v.showLand {
		t.Error("a new run kept the landscape")
	}
	// Points of no grid, or outside it, are ignored.
	v.Apply(wire.LandscapePointEvent{I: 0, J: 0})
	v.Apply(landGrid(3))
	v.Apply(wire.LandscapePointEvent{I: 3, J: 0})
	if v.land.got != 0 {
		t.Error("a point outside the grid was taken")
	}
}
