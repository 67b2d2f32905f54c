package plot

import (
	"bytes"
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

func goFace(t testing.TB, size float64) font.Face {
	t.Helper()
	f, err := opentype.NewFace(goFont, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// drawWith draws s at dot with face f on a fresh image.
func drawWith(f font.Face, s string, dot fixed.Point26_6) *image.RGBA {
	img := image.NewRGBA(image.Rect(-20, -20, 300, 60))
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{20, 40, 200, 255}), Face: f, Dot: dot}
	d.DrawString(s)
	return img
}

// A cached glyph draws exactly what the face draws, at whole and fractional
// dots, negative ones, and again from the cache.
func TestGlyphCacheDrawsAsTheFace(t *testing.T) {
	for _, size := range []float64{12, 24, 17.5} {
		plain, cached := goFace(t, size), newGlyphCache(goFace(t, size))
		for _, s := range []string{"loss 0.0251 · val 93.6%", "epoch 1.16 ÿ€ ", "\u00a0\tabc\x00"} {
			for _, dot := range []fixed.Point26_6{
				fixed.P(3, 20), fixed.P(-7, 15), {X: fixed.I(5) + 17, Y: fixed.I(21) + 40}, {X: -fixed.I(3) - 9, Y: fixed.I(30) + 1},
			} {
				for pass := 0; pass < 2; pass++ { // the second pass draws from the cache
					want, got := drawWith(plain, s, dot), drawWith(cached, s, dot)
					if !bytes.Equal(want.Pix, got.Pix) {
						t.Fatalf("size %v, %q at %v (pass %d): the cached face draws other pixels", size, s, dot, pass)
					}
				}
			}
		}
		if len(cached.glyphs) == 0 {
			t.Error("nothing was cached")
		}
	}
}

// The cache starts again rather than grow without bound.
func TestGlyphCacheBounded(t *testing.T) {
	c := newGlyphCache(goFace(t, 12))
	for r := rune(0x4e00); r < 0x4e00+maxCachedGlyphs+100; r++ {
		c.Glyph(fixed.P(0, 10), r)
	}
	if n := len(c.glyphs); n > maxCachedGlyphs {
		t.Errorf("%d glyphs cached, bound %d", n, maxCachedGlyphs)
	}
}

func BenchmarkRasterText(b *testing.B) {
	r := &Raster{Img: image.NewRGBA(image.Rect(0, 0, 400, 40))}
	for b.Loop() {
		r.Text(2, 2, "paused  step 145  epoch 1.16  8315 examples/s", color.RGBA{0, 0, 0, 255})
	}
}
