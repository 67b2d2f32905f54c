package plot

import (
	"image"
	"image/color"
	"math"
	"strconv"
)

// BarColor and BarHighlight colour the probability bars.
var (
	BarColor     = color.RGBA{150, 170, 200, 255}
	BarHighlight = color.RGBA{214, 39, 40, 255}
)

var digitLabels = [...]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// Bars draws vertical bars for values in 0..1 (class probabilities), labelled
// 0, 1, ... below (labels overrides them) with the percentage above the
// largest; the argmax is highlighted. Non-finite values draw no bar. It
// returns the argmax, or -1 if no value is positive.
func Bars(dst Canvas, r image.Rectangle, values []float32, labels []string) int {
	r = r.Intersect(dst.Bounds())
	Fill(dst, r, Background)
	n := len(values)
	if n == 0 || r.Dx() < n || r.Dy() < 2*lineH+px(4) {
		return -1
	}
	best := -1
	for i, v := range values {
		if finite(float64(v)) && (best < 0 || v > values[best]) {
			best = i
		}
	}
	if best >= 0 && !(values[best] > 0) {
		best = -1 // nothing to highlight when all are zero
	}
	top := r.Min.Y + lineH + px(2)
	bottom := r.Max.Y - lineH - px(2)
	bw := float64(r.Dx()) / float64(n)
	hline(dst, r.Min.X, r.Max.X, bottom, Faint, 0)
	for i, v := range values {
		x0 := r.Min.X + int(float64(i)*bw)
		x1 := r.Min.X + int(float64(i+1)*bw)
		cx := (x0 + x1) / 2
		lab := ""
		if labels != nil && i < len(labels) {
			lab = labels[i]
		} else if i < len(digitLabels) {
			lab = digitLabels[i]
		} else {
			lab = strconv.Itoa(i)
		}
		col := Ink
		if i == best {
			col = BarHighlight
		}
		TextAt(dst, cx, bottom+px(2), lab, col, TopCenter)
		if !finite(float64(v)) {
			continue
		}
		p := math.Max(0, math.Min(1, float64(v)))
		h := int(math.Round(p * float64(bottom-top)))
		bc := BarColor
		if i == best {
			bc = BarHighlight
		}
		gap := max(1, int(bw/6))
		Fill(dst, image.Rect(x0+gap, bottom-h, x1-gap, bottom), bc)
		if i == best {
			TextAt(dst, cx, bottom-h-px(1), strconv.Itoa(int(math.Round(p*100)))+"%", BarHighlight, BottomCenter)
		}
	}
	return best
}
