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
//
// Anti-aliased triangles cost ebiten an offscreen pass each time they are
// drawn, so consecutive strokes (a chart's series and dots, each vertex
// carrying its colour) are gathered and drawn in one call: before any
// other kind of drawing, and by flush once the panel is rendered.
type gpuCanvas struct {
	dst  *ebiten.Image
	face *text.GoXFace
	gpu  *gpuScratch

	clip image.Rectangle // of the gathered strokes
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

	owner *gpuCanvas // whose strokes vs and is hold
}

// flush draws the strokes some canvas gathered.
func (g *gpuScratch) flush() {
	if g.owner != nil {
		g.owner.flush()
	}
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
	c.flush()
	r = r.Intersect(c.dst.Bounds())
	if r.Empty() {
		return
	}
	vector.DrawFilledRect(c.dst, float32(r.Min.X), float32(r.Min.Y), float32(r.Dx()), float32(r.Dy()), col, false)
}

func (c *gpuCanvas) Rule(x0, y0, x1, y1 int, col color.RGBA, dash int) {
	c.flush()
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
	g := c.gpu
	if g.owner != c || clip != c.clip {
		g.flush()
		c.clip, g.owner = clip, c
	}
	op := &vector.StrokeOptions{Width: float32(width), LineCap: vector.LineCapRound, LineJoin: vector.LineJoinRound}
	n0, pts := len(g.vs), 0
	// emit turns the path gathered so far (pts points in one or more
	// subpaths) into triangles; vertices are drawn before their uint16
	// indices could overflow.
	emit := func() {
		if pts == 0 {
			return
		}
		g.vs, g.is = g.path.AppendVerticesAndIndicesForStroke(g.vs, g.is, op)
		g.path, pts = vector.Path{}, 0
		if len(g.vs) > maxStrokeVertices {
			c.colour(n0, col)
			c.flush()
			g.owner, n0 = c, 0
		}
	}
	for i := range p.Pieces() {
		xy := p.Piece(i)
		// Each piece is a subpath; a piece of one point is a dot, a
		// round-capped stroke a hundredth of a pixel long. Long pieces go in
		// runs of 256 points (the caps of two runs overlap at their shared
		// point).
		for k := 0; k+2 <= len(xy); k += 2 * 255 {
			run := xy[k:min(len(xy), k+2*256)]
			g.path.MoveTo(float32(run[0]), float32(run[1]))
			if len(run) == 2 {
				g.path.LineTo(float32(run[0])+0.01, float32(run[1]))
			}
			for j := 2; j+1 < len(run); j += 2 {
				g.path.LineTo(float32(run[j]), float32(run[j+1]))
			}
			if pts += len(run) / 2; pts >= 512 {
				emit()
			}
			if len(run) == 2 {
				break
			}
		}
	}
	emit()
	c.colour(n0, col)
}

// colour gives the gathered vertices from n0 on the premultiplied colour
// col.
func (c *gpuCanvas) colour(n0 int, col color.RGBA) {
	g := c.gpu
	r, gr, b, a := float32(col.R)/255, float32(col.G)/255, float32(col.B)/255, float32(col.A)/255
	for i := n0; i < len(g.vs); i++ {
		v := &g.vs[i]
		v.SrcX, v.SrcY = 1, 1
		v.ColorR, v.ColorG, v.ColorB, v.ColorA = r*a, gr*a, b*a, a
	}
}

// flush draws the strokes c gathered, clipped to their clip rectangle.
func (c *gpuCanvas) flush() {
	g := c.gpu
	if g.owner != c {
		return
	}
	g.owner = nil
	if len(g.is) == 0 {
		g.vs = g.vs[:0]
		return
	}
	dst := c.dst.SubImage(c.clip).(*ebiten.Image)
	op := &ebiten.DrawTrianglesOptions{AntiAlias: true, ColorScaleMode: ebiten.ColorScaleModePremultipliedAlpha}
	dst.DrawTriangles(g.vs, g.is, g.white, op)
	g.vs, g.is = g.vs[:0], g.is[:0]
}

func (c *gpuCanvas) Text(x, y int, s string, col color.RGBA) {
	if s == "" {
		return
	}
	c.flush()
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
	c.flush()
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
