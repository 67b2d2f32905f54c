package view

import (
	"image"
	"math"
	"strings"
	"unicode/utf8"

	"mnistplay/plot"
	"mnistplay/wasm/ui/pad"
)

// NarrowWidth is the widest screen (CSS pixels) laid out in one column:
// below it the panels are stacked, the pad first, at full width.
const NarrowWidth = 640

// HeightFor returns the height (CSS pixels) the layout wants for a screen
// w CSS pixels wide: a 16:9 box in two columns, or the stacked panels'
// height in one.
func HeightFor(w int) int {
	if w < NarrowWidth {
		h := 0
		for _, r := range narrowRects(w) {
			h = max(h, r.Max.Y)
		}
		return h
	}
	return min(max(w*9/16, 440), 900)
}

// narrowRects stacks the panels for a screen w CSS pixels wide: pad,
// loss, accuracy, filters, flatness, status.
func narrowRects(w int) [numPanels]image.Rectangle {
	side := narrowPadSide(w)
	padH := 22 + side + 24 + 140
	var rs [numPanels]image.Rectangle
	y := 0
	for _, p := range []struct{ i, h int }{{PPad, padH}, {PLoss, 240}, {PAcc, 240}, {PFilters, 180}, {PFlat, 280}, {PStatus, 110}} {
		rs[p.i] = image.Rect(0, y, w, y+p.h)
		y += p.h
	}
	return rs
}

func narrowPadSide(w int) int { return max(min(w-16, 400), 60) }

// wideRects is the two-column layout of a w x h CSS pixel screen: charts
// on the left, pad, filters, status and flatness on the right.
func wideRects(w, h int) [numPanels]image.Rectangle {
	mx, my, qx := w/2, h/2, w*3/4
	return [numPanels]image.Rectangle{
		PLoss:    image.Rect(0, 0, mx, my),
		PAcc:     image.Rect(0, my, mx, h),
		PPad:     image.Rect(mx, 0, w, my),
		PFilters: image.Rect(mx, my, qx, h-100),
		PStatus:  image.Rect(mx, h-100, qx, h),
		PFlat:    image.Rect(qx, my, w, h),
	}
}

// Resize lays the view out for a screen of w x h CSS pixels drawn at
// scale device pixels per CSS pixel (devicePixelRatio): every panel image,
// rectangle and pointer coordinate is in device pixels from then on, and
// everything is redrawn. The pad keeps its drawing (as its 28x28 image).
// It panics if w or h is not positive or scale is not positive and finite.
func (v *View) Resize(w, h int, scale float64) {
	if w <= 0 || h <= 0 || !(scale > 0) || math.IsInf(scale, 0) {
		panic("view: bad size")
	}
	relayout := v.cssW > 0 // not New's first layout: redraw at once
	v.cssW, v.cssH, v.scale = w, h, scale
	plot.SetScale(scale)
	var rs [numPanels]image.Rectangle
	if w < NarrowWidth {
		rs = narrowRects(w)
	} else {
		rs = wideRects(w, h)
	}
	dev := func(r image.Rectangle) image.Rectangle {
		return image.Rect(v.px(r.Min.X), v.px(r.Min.Y), v.px(r.Max.X), v.px(r.Max.Y))
	}
	names := [numPanels]string{"loss", "accuracy", "pad", "filters", "status", "flatness"}
	for i, r := range rs {
		r = dev(r)
		p := v.Panels[i]
		if p == nil {
			p = &Panel{Name: names[i]}
			v.Panels[i] = p
		}
		p.Rect = r
		if p.Img == nil || p.Img.Rect.Size() != r.Size() {
			p.Img = image.NewRGBA(image.Rectangle{Max: r.Size()})
		}
		p.Canvas = plot.NewRaster(p.Img)
		p.Dirty, p.urgent = true, relayout
	}

	// The pad panel: the pad square with its buttons below, then the model
	// input, the selected filter's map and the bars, beside the pad (two
	// columns) or below it (one column); in CSS pixels from the panel.
	pr := rs[PPad]
	var side int
	if w < NarrowWidth {
		side = narrowPadSide(w)
	} else {
		side = max(min(pr.Dy()-48, pr.Dx()/2-16), 60)
	}
	o := pr.Min
	padR := image.Rect(8, 22, 8+side, 22+side)
	by := padR.Max.Y + 4
	v.padRect = dev(padR.Add(o))
	v.clearBtn = dev(image.Rect(8, by, 68, by+18).Add(o))
	v.sampleBtn = dev(image.Rect(76, by, 150, by+18).Add(o))
	var x0, y0 int
	if w < NarrowWidth {
		x0, y0 = 8, by+24
		v.inRect = image.Rect(x0, y0+18, x0+84, y0+102)
		v.actRect = v.inRect.Add(image.Pt(96, 0))
		v.predAt = image.Pt(x0+192, y0)
		v.barsRect = image.Rect(x0+192, y0+18, pr.Dx()-6, pr.Dy()-4)
	} else {
		x0, y0 = padR.Max.X+12, 4
		v.inRect = image.Rect(x0, y0+18, x0+84, y0+102)
		v.actRect = v.inRect.Add(image.Pt(96, 0))
		v.predAt = image.Pt(x0, y0+108)
		v.barsRect = image.Rect(x0, y0+124, pr.Dx()-6, pr.Dy()-4)
	}
	v.inRect, v.actRect, v.barsRect = dev(v.inRect), dev(v.actRect), dev(v.barsRect)
	v.predAt = image.Pt(v.px(v.predAt.X), v.px(v.predAt.Y))
	fr := rs[PFlat]
	v.flatBtn = dev(image.Rect(fr.Min.X+4, fr.Max.Y-20, fr.Min.X+100, fr.Max.Y-3))

	old := v.Pad
	v.Pad = pad.New(v.padRect.Dx(), v.padRect.Dy(), 10*scale)
	if old != nil && !old.Empty() {
		v.Pad.SetImage(v.input[:])
	}
	v.padVer = v.Pad.Version()
}

// PadRect returns the drawing pad's square and the clear button on the
// screen, in device pixels.
func (v *View) PadRect() (pad, clear image.Rectangle) { return v.padRect, v.clearBtn }

// Size returns the layout's screen size in CSS pixels and its scale.
func (v *View) Size() (w, h int, scale float64) { return v.cssW, v.cssH, v.scale }

// px converts CSS pixels to device pixels.
func (v *View) px(n int) int { return int(math.Round(float64(n) * v.scale)) }

// fitText returns how many bytes of s fit in w device pixels (at least one
// rune), breaking after a space when words is set and one fits.
func fitText(s string, w int, words bool) int {
	if plot.TextWidth(s) <= w {
		return len(s)
	}
	n := 0
	for i := range s {
		if i > 0 && plot.TextWidth(s[:i]) > w {
			break
		}
		n = i
	}
	if n == 0 {
		_, n = utf8.DecodeRuneInString(s)
		return n
	}
	if words {
		if k := strings.LastIndexByte(s[:n], ' '); k > 0 {
			return k + 1
		}
	}
	return n
}
