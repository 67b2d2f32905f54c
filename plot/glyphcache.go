package plot

import (
	"image"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// glyphCache is a font.Face that keeps each glyph's mask once rasterized.
// An opentype face rasterizes a glyph's outline at every Glyph call, and
// the charts draw the same few dozen characters at every redraw: the 2D
// canvas spent most of a status redraw there. Masks are kept per rune and
// sub-pixel offset of the dot, so a cached glyph is the one the face would
// draw, moved by whole pixels.
type glyphCache struct {
	font.Face
	glyphs map[glyphKey]cachedGlyph
}

type glyphKey struct {
	r    rune
	x, y fixed.Int26_6 // the dot's sub-pixel offset
}

type cachedGlyph struct {
	dr   image.Rectangle // relative to the dot's whole-pixel position
	mask *image.Alpha    // nil for an empty glyph
	adv  fixed.Int26_6
	ok   bool
}

// maxCachedGlyphs bounds the cache: past it (text in many scripts) the
// cache starts again.
const maxCachedGlyphs = 4096

func newGlyphCache(f font.Face) *glyphCache {
	return &glyphCache{Face: f, glyphs: map[glyphKey]cachedGlyph{}}
}

// Glyph implements font.Face.
func (c *glyphCache) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	k := glyphKey{r, dot.X & 63, dot.Y & 63}
	g, hit := c.glyphs[k]
	if !hit {
		dr, mask, mp, adv, ok := c.Face.Glyph(fixed.Point26_6{X: k.x, Y: k.y}, r)
		g = cachedGlyph{dr: dr, adv: adv, ok: ok}
		if !dr.Empty() && mask != nil {
			// The face reuses its mask buffer: keep a copy. A rune the font
			// lacks (ok false) still has a mask, the missing-glyph box,
			// which font.Drawer draws.
			g.mask = image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
			draw.Draw(g.mask, g.mask.Rect, mask, mp, draw.Src)
		}
		if len(c.glyphs) >= maxCachedGlyphs {
			clear(c.glyphs)
		}
		c.glyphs[k] = g
	}
	at := image.Pt(int(dot.X>>6), int(dot.Y>>6))
	if g.mask == nil {
		return g.dr.Add(at), image.Transparent, image.Point{}, g.adv, g.ok
	}
	return g.dr.Add(at), g.mask, image.Point{}, g.adv, g.ok
}
