package plot

import (
	"image"
	"image/color"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The face every label is drawn with: fixed-width 7x13 pixels.
var face = basicfont.Face7x13

const (
	charW   = 7  // advance of one character, pixels
	lineH   = 13 // height of one line, pixels
	ascent  = 11 // baseline below the top of a line, pixels
	descent = 2
)

// TextWidth returns the width of s in pixels.
func TextWidth(s string) int { return charW * len([]rune(s)) }

// Text draws s with its top-left corner at (x, y).
func Text(dst *image.RGBA, x, y int, s string, c color.RGBA) {
	if s == "" {
		return
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y+ascent)}
	d.DrawString(s)
}

// Align is a text anchor: which point of the text box (x, y) is.
type Align int

// Text anchors.
const (
	TopLeft Align = iota
	TopCenter
	TopRight
	MiddleLeft
	MiddleCenter
	MiddleRight
	BottomCenter
)

// TextAt draws s anchored at (x, y) by a.
func TextAt(dst *image.RGBA, x, y int, s string, c color.RGBA, a Align) {
	w := TextWidth(s)
	switch a {
	case TopCenter, MiddleCenter, BottomCenter:
		x -= w / 2
	case TopRight, MiddleRight:
		x -= w
	}
	switch a {
	case MiddleLeft, MiddleCenter, MiddleRight:
		y -= lineH / 2
	case BottomCenter:
		y -= lineH
	}
	Text(dst, x, y, s, c)
}
