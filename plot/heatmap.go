package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// HeatMap is a table of values drawn as coloured cells with their values
// written in them, a colour scale on the right, and row and column labels
// (the sweep table: batch size x learning rate).
type HeatMap struct {
	Title     string
	Rows      int
	Cols      int
	Values    []float64 // (Rows, Cols); NaN is an empty cell
	RowLabels []string  // len Rows (or nil)
	ColLabels []string  // len Cols (or nil)
	RowTitle  string
	ColTitle  string
	Format    string                     // cell text format; "" means "%.3g"
	Min, Max  float64                    // colour range; Min == Max means the data's range
	ColorMap  func(t float64) color.RGBA // t in 0..1; nil means Viridis
}

// Draw renders the heat map into r of dst. It panics if len(Values) <
// Rows*Cols.
func (h *HeatMap) Draw(dst Canvas, r image.Rectangle) {
	r = r.Intersect(dst.Bounds())
	Fill(dst, r, Background)
	if h.Rows <= 0 || h.Cols <= 0 {
		return
	}
	if len(h.Values) < h.Rows*h.Cols {
		panic("plot: HeatMap has fewer values than Rows*Cols")
	}
	cmap := h.ColorMap
	if cmap == nil {
		cmap = Viridis
	}
	format := h.Format
	if format == "" {
		format = "%.3g"
	}
	lo, hi := h.Min, h.Max
	if !(lo < hi) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range h.Values[:h.Rows*h.Cols] {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if lo > hi {
			lo, hi = 0, 1
		}
		lo, hi = sanitizeRange(lo, hi)
	}
	top := r.Min.Y + 4
	if h.Title != "" {
		TextAt(dst, (r.Min.X+r.Max.X)/2, r.Min.Y+2, h.Title, Ink, TopCenter)
		top += lineH + 2
	}
	if h.ColTitle != "" {
		TextAt(dst, (r.Min.X+r.Max.X)/2, top, h.ColTitle, Faint, TopCenter)
		top += lineH
	}
	top += lineH + 2 // column labels
	lw := TextWidth(h.RowTitle)
	for _, l := range h.RowLabels {
		lw = max(lw, TextWidth(l))
	}
	left := r.Min.X + lw + 8
	scaleW := 14 + 6 + max(TextWidth(fmt.Sprintf(format, lo)), TextWidth(fmt.Sprintf(format, hi)))
	right := r.Max.X - scaleW - 10
	bottom := r.Max.Y - 4
	if right-left < h.Cols || bottom-top < h.Rows {
		return
	}
	cw := float64(right-left) / float64(h.Cols)
	ch := float64(bottom-top) / float64(h.Rows)
	if h.RowTitle != "" {
		TextAt(dst, r.Min.X+2, top-lineH-2, h.RowTitle, Faint, TopLeft)
	}
	for j := 0; j < h.Cols; j++ {
		if j < len(h.ColLabels) {
			TextAt(dst, left+int((float64(j)+0.5)*cw), top-lineH-1, h.ColLabels[j], Ink, TopCenter)
		}
	}
	for i := 0; i < h.Rows; i++ {
		y0, y1 := top+int(float64(i)*ch), top+int(float64(i+1)*ch)
		if i < len(h.RowLabels) {
			TextAt(dst, left-4, (y0+y1)/2, h.RowLabels[i], Ink, MiddleRight)
		}
		for j := 0; j < h.Cols; j++ {
			x0, x1 := left+int(float64(j)*cw), left+int(float64(j+1)*cw)
			cell := image.Rect(x0, y0, x1-1, y1-1)
			v := h.Values[i*h.Cols+j]
			if !finite(v) {
				Fill(dst, cell, GridColor)
				continue
			}
			col := cmap((v - lo) / (hi - lo))
			Fill(dst, cell, col)
			txt := Ink
			if luminance(col) < 0.5 {
				txt = Background
			}
			if cell.Dx() > 2*charW && cell.Dy() > lineH {
				TextAt(dst, (x0+x1)/2, (y0+y1)/2, fmt.Sprintf(format, v), txt, MiddleCenter)
			}
		}
	}
	// Colour scale.
	sx := right + 10
	for y := top; y < bottom; y++ {
		t := 1 - float64(y-top)/float64(max(1, bottom-top-1))
		Fill(dst, image.Rect(sx, y, sx+14, y+1), cmap(t))
	}
	TextAt(dst, sx+18, top, fmt.Sprintf(format, hi), Ink, TopLeft)
	TextAt(dst, sx+18, bottom-lineH, fmt.Sprintf(format, lo), Ink, TopLeft)
}
