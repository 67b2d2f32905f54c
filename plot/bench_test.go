package plot

import (
	"image"
	"math"
	"testing"
)

// benchmarkChart draws a w x h chart with series x points per series.
func benchmarkChart(b *testing.B, w, h, series, points int) {
	c := &Chart{Title: "loss", X: Axis{Label: "epoch"}, Y: Axis{Label: "loss"}}
	for s := 0; s < series; s++ {
		xs := make([]float64, points)
		ys := make([]float64, points)
		for i := range xs {
			xs[i] = float64(i) / 400
			ys[i] = float64(s+1)*math.Exp(-float64(i)/300) + 0.1*math.Sin(float64(i)*0.37+float64(s))
		}
		c.Series = append(c.Series, Series{Name: "series", Color: Palette[s], X: xs, Y: ys})
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	b.ReportAllocs()
	for b.Loop() {
		c.Draw(NewRaster(img), img.Rect)
	}
}

func BenchmarkChart400x250x3x2000(b *testing.B) { benchmarkChart(b, 400, 250, 3, 2000) }
func BenchmarkChart400x250x3x50(b *testing.B)   { benchmarkChart(b, 400, 250, 3, 50) }

func BenchmarkFilterGridMLP100(b *testing.B) {
	data := make([]float32, 100*784)
	for i := range data {
		data[i] = float32(i%17) - 8
	}
	g := &FilterGrid{N: 100, H: 28, W: 28, Data: data, Selected: -1}
	img := image.NewRGBA(image.Rect(0, 0, 300, 300))
	for b.Loop() {
		g.Draw(NewRaster(img), img.Rect)
	}
}
