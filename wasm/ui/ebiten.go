//go:build js && wasm && uiebiten

package main

import (
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"mnistplay/wasm/ui/view"
)

// The ebiten presenter (build with -tags uiebiten). Kept to compare with the
// 2D canvas one: see the package comment in main.go.

// pointer is one small interface over mouse and touch input.
type pointer interface {
	// state returns the pointer position and whether it is pressed.
	state() (x, y int, pressed bool)
}

type mouseTouch struct {
	touch   ebiten.TouchID
	touched bool
	lx, ly  int
}

func (p *mouseTouch) state() (int, int, bool) {
	if ids := inpututil.AppendJustPressedTouchIDs(nil); len(ids) > 0 && !p.touched {
		p.touch, p.touched = ids[0], true
	}
	if p.touched {
		if inpututil.IsTouchJustReleased(p.touch) {
			p.touched = false
			return p.lx, p.ly, false
		}
		p.lx, p.ly = ebiten.TouchPosition(p.touch)
		return p.lx, p.ly, true
	}
	x, y := ebiten.CursorPosition()
	return x, y, ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft)
}

type game struct {
	v      *view.View
	in     *inbox
	ptr    pointer
	msgs   []view.Msg
	imgs   [len(view.View{}.Panels)]*ebiten.Image
	shown  [len(view.View{}.Panels)]bool
	lastFP time.Time
}

func (g *game) Update() error {
	g.msgs = g.in.drain(g.msgs)
	applyAll(g.v, g.msgs)
	x, y, pressed := g.ptr.state()
	g.v.Pointer(x, y, pressed)
	g.v.Tick()
	if g.v.Render(time.Now()) > 0 {
		for i, p := range g.v.Panels {
			if !p.Drawn {
				continue
			}
			if g.imgs[i] == nil {
				g.imgs[i] = ebiten.NewImage(p.Rect.Dx(), p.Rect.Dy())
			}
			g.imgs[i].WritePixels(p.Img.Pix)
			p.Drawn = false
			g.shown[i] = false
		}
	}
	if now := time.Now(); now.Sub(g.lastFP) >= time.Second {
		g.lastFP = now
		postParent(map[string]any{"type": "ui", "event": "fps", "fps": ebiten.ActualFPS(), "tps": ebiten.ActualTPS()})
	}
	return nil
}

// Draw draws only the panels that changed: the screen is not cleared between
// frames, so an idle frame draws nothing.
func (g *game) Draw(screen *ebiten.Image) {
	for i, img := range g.imgs {
		if img == nil || g.shown[i] {
			continue
		}
		op := &ebiten.DrawImageOptions{}
		r := g.v.Panels[i].Rect
		op.GeoM.Translate(float64(r.Min.X), float64(r.Min.Y))
		screen.DrawImage(img, op)
		g.shown[i] = true
	}
}

func (g *game) Layout(w, h int) (int, int) { return view.Width, view.Height }

func run(v *view.View, in *inbox) {
	ebiten.SetWindowSize(view.Width, view.Height)
	ebiten.SetWindowTitle("MNIST playground")
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetRunnableOnUnfocused(true)
	g := &game{v: v, in: in, ptr: &mouseTouch{}}
	postParent(map[string]any{"type": "ui", "event": "ready"})
	if err := ebiten.RunGame(g); err != nil {
		js.Global().Get("console").Call("error", "ui: "+err.Error())
	}
}
