//go:build js && wasm && uiebiten

package main

import (
	"image"
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"mnistplay/plot"
)

// gpuCanvas is plot's GPU back end: a plot.Canvas over an ebiten image.
// Rectangles and rules are filled quads, strokes are triangles from
// ebiten's vector package (anti-aliased), text is drawn from glyphs of the
// labels' face cached in textures (text/v2), and images (filters, the pad,
// heat maps) are uploaded to scratch textures and scaled there.
type gpuCanvas struct {
	dst  *ebiten.Image
	face *text.GoXFace
	gpu  *gpuScratch
}

// gpuScratch is what every panel's canvas shares: vertex buffers, the
// white source texture for triangles and textures for images.
type gpuScratch struct {
	vs    []ebiten.Vertex
	is    []uint16
	path  vector.Path
	white *ebiten.Image
	imgs  []*ebiten.Image // ring of upload textures
	next  int
	pix   []byte // a source image repacked without stride
}

// imageRing is how many uploads may be in flight before a texture is
// written again (ebiten orders the writes after earlier draws from it, so
// reuse is correct, only slower when it forces a flush).
const imageRing = 128

// maxStrokeVertices bounds one DrawTriangles call (its indices are uint16).
const maxStrokeVertices = 30000

func newGPUScratch() *gpuScratch {
	w := ebiten.NewImage(3, 3)
	w.Fill(color.White)
	return &gpuScratch{white: w.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image), imgs: make([]*ebiten.Image, imageRing)}
}

func (c *gpuCanvas) Bounds() image.Rectangle { return c.dst.Bounds() }

func (c *gpuCanvas) Fill(r image.Rectangle, col color.RGBA) {
	r = r.Intersect(c.dst.Bounds())
	if r.Empty() {
		return
	}
	vector.DrawFilledRect(c.dst, float32(r.Min.X), float32(r.Min.Y), float32(r.Dx()), float32(r.Dy()), col, false)
}

func (c *gpuCanvas) Rule(x0, y0, x1, y1 int, col color.RGBA, dash int) {
	horiz := y0 == y1
	n := x1 - x0
	if !horiz {
		n = y1 - y0
	}
	if dash <= 0 {
		dash = max(n, 1)
	}
	for k := 0; k < n; k += 2 * dash {
		l := float32(min(dash, n-k))
		if horiz {
			vector.DrawFilledRect(c.dst, float32(x0+k), float32(y0), l, 1, col, false)
		} else {
			vector.DrawFilledRect(c.dst, float32(x0), float32(y0+k), 1, l, col, false)
		}
	}
}

func (c *gpuCanvas) Stroke(clip image.Rectangle, p *plot.Path, width float64, col color.RGBA) {
	clip = clip.Intersect(c.dst.Bounds())
	if clip.Empty() || p.Pieces() == 0 {
		return
	}
	dst := c.dst.SubImage(clip).(*ebiten.Image)
	g := c.gpu
	op := &vector.StrokeOptions{Width: float32(width), LineCap: vector.LineCapRound, LineJoin: vector.LineJoinRound}
	g.vs, g.is = g.vs[:0], g.is[:0]
	for i := range p.Pieces() {
		xy := p.Piece(i)
		if len(xy) == 2 {
			vector.DrawFilledCircle(dst, float32(xy[0]), float32(xy[1]), float32(width/2), col, true)
			continue
		}
		// Long pieces go in runs of 256 points (the caps of two runs
		// overlap at their shared point).
		for k := 0; k+2 < len(xy); k += 2 * 255 {
			run := xy[k:min(len(xy), k+2*256)]
			g.path = vector.Path{}
			g.path.MoveTo(float32(run[0]), float32(run[1]))
			for j := 2; j+1 < len(run); j += 2 {
				g.path.LineTo(float32(run[j]), float32(run[j+1]))
			}
			g.vs, g.is = g.path.AppendVerticesAndIndicesForStroke(g.vs, g.is, op)
			if len(g.vs) > maxStrokeVertices {
				c.flush(dst, col)
			}
		}
	}
	c.flush(dst, col)
}

// flush draws the triangles gathered in the scratch buffers with colour col.
func (c *gpuCanvas) flush(dst *ebiten.Image, col color.RGBA) {
	g := c.gpu
	if len(g.is) == 0 {
		g.vs = g.vs[:0]
		return
	}
	r, gr, b, a := float32(col.R)/255, float32(col.G)/255, float32(col.B)/255, float32(col.A)/255
	for i := range g.vs {
		v := &g.vs[i]
		v.SrcX, v.SrcY = 1, 1
		v.ColorR, v.ColorG, v.ColorB, v.ColorA = r*a, gr*a, b*a, a
	}
	op := &ebiten.DrawTrianglesOptions{AntiAlias: true, ColorScaleMode: ebiten.ColorScaleModePremultipliedAlpha}
	dst.DrawTriangles(g.vs, g.is, g.white, op)
	g.vs, g.is = g.vs[:0], g.is[:0]
}

func (c *gpuCanvas) Text(x, y int, s string, col color.RGBA) {
	if s == "" {
		return
	}
	op := &text.DrawOptions{}
	op.GeoM.Translate(float64(x), float64(y))
	op.ColorScale.ScaleWithColor(col)
	text.Draw(c.dst, s, c.face, op)
}

func (c *gpuCanvas) Image(r image.Rectangle, src *image.RGBA) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	if r.Intersect(c.dst.Bounds()).Empty() || sw <= 0 || sh <= 0 {
		return
	}
	g := c.gpu
	t := g.imgs[g.next]
	if t == nil || t.Bounds().Dx() != sw || t.Bounds().Dy() != sh {
		if t != nil {
			t.Deallocate()
		}
		t = ebiten.NewImage(sw, sh)
		g.imgs[g.next] = t
	}
	g.next = (g.next + 1) % len(g.imgs)
	pix := src.Pix
	if src.Stride != 4*sw || src.Rect.Min != (image.Point{}) {
		g.pix = g.pix[:0]
		for y := src.Rect.Min.Y; y < src.Rect.Max.Y; y++ {
			o := src.PixOffset(src.Rect.Min.X, y)
			g.pix = append(g.pix, src.Pix[o:o+4*sw]...)
		}
		pix = g.pix
	}
	t.WritePixels(pix[:4*sw*sh])
	op := &ebiten.DrawImageOptions{Filter: ebiten.FilterNearest}
	op.GeoM.Scale(float64(r.Dx())/float64(sw), float64(r.Dy())/float64(sh))
	op.GeoM.Translate(float64(r.Min.X), float64(r.Min.Y))
	c.dst.DrawImage(t, op)
}
