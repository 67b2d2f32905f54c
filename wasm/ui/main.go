//go:build js && wasm

// Command ui is the playground's canvas: an ebiten game in the ui.html
// iframe. It receives the worker's events from the parent page through
// postMessage, queues them, and applies them in Update; all state and
// drawing logic lives in package view, which builds and tests natively.
package main

import (
	"sync"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"mnistplay/wasm/ui/view"
)

// inbox is filled by the JS message callback and drained by Update.
type inbox struct {
	mu   sync.Mutex
	msgs []view.Msg
}

func (b *inbox) push(m view.Msg) {
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
}

func (b *inbox) drain(dst []view.Msg) []view.Msg {
	b.mu.Lock()
	dst = append(dst[:0], b.msgs...)
	b.msgs = b.msgs[:0]
	b.mu.Unlock()
	return dst
}

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
	for _, m := range g.msgs {
		g.v.Apply(m)
	}
	x, y, pressed := g.ptr.state()
	g.v.Pointer(x, y, pressed)
	g.v.Tick()
	if g.v.Render() > 0 {
		for i, p := range g.v.Panels {
			if !p.Dirty {
				continue
			}
			if g.imgs[i] == nil {
				g.imgs[i] = ebiten.NewImage(p.Rect.Dx(), p.Rect.Dy())
			}
			g.imgs[i].WritePixels(p.Img.Pix)
			p.Dirty = false
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

// postParent sends m to the parent page (or to this window when standalone).
func postParent(m map[string]any) {
	p := js.Global().Get("parent")
	if p.IsUndefined() || p.IsNull() {
		return
	}
	p.Call("postMessage", js.ValueOf(m), "*")
}

func main() {
	in := &inbox{}
	v := view.New()
	v.Post = postParent
	js.Global().Call("addEventListener", "message", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		if m, ok := decode(args[0].Get("data")); ok {
			in.push(m)
		}
		return nil
	}))
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
