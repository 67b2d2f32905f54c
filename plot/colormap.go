package plot

import (
	"image/color"
	"math"
)

// The ends and centre of the diverging colour map.
var (
	DivergingLow  = color.RGBA{33, 102, 172, 255}  // t = -1
	DivergingMid  = color.RGBA{255, 255, 255, 255} // t = 0
	DivergingHigh = color.RGBA{178, 24, 43, 255}   // t = +1
)

// Diverging maps t in [-1, 1] to blue (negative), white (0) and red
// (positive). t is clamped; NaN maps to grey.
func Diverging(t float64) color.RGBA {
	if math.IsNaN(t) {
		return color.RGBA{128, 128, 128, 255}
	}
	t = max(-1, min(1, t))
	if t < 0 {
		return lerpRGBA(DivergingMid, DivergingLow, -t)
	}
	return lerpRGBA(DivergingMid, DivergingHigh, t)
}

// viridis anchors at t = 0, 1/8, ..., 1.
var viridis = [...]color.RGBA{
	{68, 1, 84, 255}, {71, 44, 122, 255}, {59, 81, 139, 255}, {44, 113, 142, 255},
	{33, 144, 141, 255}, {39, 173, 129, 255}, {92, 200, 99, 255}, {170, 220, 50, 255},
	{253, 231, 37, 255},
}

// Viridis maps t in [0, 1] to the viridis sequential colour map (dark purple
// to yellow). t is clamped; NaN maps to grey.
func Viridis(t float64) color.RGBA {
	if math.IsNaN(t) {
		return color.RGBA{128, 128, 128, 255}
	}
	t = max(0, min(1, t)) * float64(len(viridis)-1)
	i := int(t)
	if i >= len(viridis)-1 {
		return viridis[len(viridis)-1]
	}
	return lerpRGBA(viridis[i], viridis[i+1], t-float64(i))
}

func lerpRGBA(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), l(a.A, b.A)}
}

// Palette holds distinguishable series colours (Tableau 10).
var Palette = [...]color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255},
}

// Theme colours.
var (
	Background = color.RGBA{255, 255, 255, 255}
	Ink        = color.RGBA{30, 30, 30, 255}
	Faint      = color.RGBA{120, 120, 120, 255}
	GridColor  = color.RGBA{225, 225, 225, 255}
)

// luminance of c in 0..1 (Rec. 601), to pick readable text on a cell.
func luminance(c color.RGBA) float64 {
	return (0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)) / 255
}
