package plot

import (
	"image/color"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// Labels are drawn anti-aliased in Go Regular (a proportional font) at
// textSize pixels times the scale (SetScale). An opentype face keeps
// scratch buffers, so every use holds fontMu.
const textSize = 12

var (
	fontMu sync.Mutex
	goFont *opentype.Font
	face   font.Face
	faces  = map[float64]font.Face{} // by pixel size

	// scale is device pixels per layout pixel (SetScale).
	scale = 1.0
	// Line metrics of face, in device pixels.
	lineH, ascent int
	// charW is the width of a typical character, for size estimates.
	charW int
)

func init() { SetScale(1) }

// SetScale sets how many device pixels a layout pixel is (the screen's
// devicePixelRatio, or 2 for an export at twice the size): text sizes,
// margins, tick lengths and legend swatches follow it, so a chart drawn at
// scale 2 into an image twice as large looks like the one at scale 1, only
// sharper. Drawing at different scales at once is not supported.
// It panics if s is not positive and finite.
func SetScale(s float64) {
	if !(s > 0) || math.IsInf(s, 0) {
		panic("plot: scale must be positive and finite")
	}
	fontMu.Lock()
	defer fontMu.Unlock()
	if goFont == nil {
		f, err := opentype.Parse(goregular.TTF)
		if err != nil {
			panic("plot: the embedded Go font does not parse: " + err.Error())
		}
		goFont = f
	}
	size := math.Round(textSize*s*2) / 2
	fc, ok := faces[size]
	if !ok {
		var err error
		of, err := opentype.NewFace(goFont, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			panic("plot: " + err.Error())
		}
		fc = newGlyphCache(of)
		faces[size] = fc
	}
	face, scale = fc, s
	m := fc.Metrics()
	lineH = m.Height.Ceil()
	ascent = m.Ascent.Ceil()
	charW = font.MeasureString(fc, "0").Ceil()
}

// NewFace returns a new face of the labels' font at the current scale, for
// a back end that draws text itself (an opentype face is not safe for
// concurrent use, so each user has its own).
func NewFace() font.Face {
	fontMu.Lock()
	defer fontMu.Unlock()
	f, err := opentype.NewFace(goFont, &opentype.FaceOptions{Size: math.Round(textSize*scale*2) / 2, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic("plot: " + err.Error())
	}
	return f
}

// Scale returns the scale set by SetScale.
func Scale() float64 { return scale }

// px converts a length in layout pixels to device pixels.
func px(n int) int { return int(math.Round(float64(n) * scale)) }

// LineHeight returns the height of one line of text in device pixels.
func LineHeight() int { return lineH }

// TextWidth returns the width of s in device pixels.
func TextWidth(s string) int {
	if s == "" {
		return 0
	}
	fontMu.Lock()
	defer fontMu.Unlock()
	return font.MeasureString(face, s).Ceil()
}

// Text draws s with its top-left corner at (x, y).
func Text(dst Canvas, x, y int, s string, c color.RGBA) { dst.Text(x, y, s, c) }

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
func TextAt(dst Canvas, x, y int, s string, c color.RGBA, a Align) {
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
